/**
 * Failure throttling for logins: failures are counted per key, and once a
 * key has `freeFailures` failures inside `windowMs`, every further attempt
 * for it is refused until a delay has passed, doubling with each further
 * failure up to `maxDelayMs`. Keys are independent, so one key's failures
 * never slow another. The login route keeps one limiter per username and a
 * looser one per client address (several users may share an address).
 * Memory is bounded: at most `maxEntries` keys, the least recently failed
 * are forgotten first. Pure: the clock is passed in.
 */

export interface LoginLimiterOptions {
  freeFailures?: number;
  windowMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxEntries?: number;
}

interface Entry {
  failures: number;
  lastFailure: number;
  blockedUntil: number;
}

export function createLoginLimiter(options: LoginLimiterOptions = {}) {
  const freeFailures = options.freeFailures ?? 5;
  const windowMs = options.windowMs ?? 15 * 60_000;
  const baseDelayMs = options.baseDelayMs ?? 2000;
  const maxDelayMs = options.maxDelayMs ?? 15 * 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  // Map order is insertion order: re-inserting on each failure keeps it least-recently-failed first.
  const entries = new Map<string, Entry>();

  function live(key: string, now: number): Entry | null {
    const entry = entries.get(key);
    if (!entry) return null;
    // A quiet window forgets the failures, but never cuts a running block short.
    if (now - entry.lastFailure > windowMs && now >= entry.blockedUntil) {
      entries.delete(key);
      return null;
    }
    return entry;
  }

  return {
    /** Milliseconds to wait before this key may try again; 0 when allowed now. */
    retryAfterMs(key: string, now = Date.now()): number {
      const entry = live(key, now);
      return entry ? Math.max(0, entry.blockedUntil - now) : 0;
    },

    failure(key: string, now = Date.now()): void {
      const entry = live(key, now) ?? { failures: 0, lastFailure: now, blockedUntil: 0 };
      entry.failures++;
      entry.lastFailure = now;
      const over = entry.failures - freeFailures;
      if (over >= 0) entry.blockedUntil = now + Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(over, 30));
      entries.delete(key);
      entries.set(key, entry);
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },

    /** A success forgets the key's failures. */
    success(key: string): void {
      entries.delete(key);
    },

    /**
     * Takes back one failure: attempts are counted as failures when they
     * start (so that parallel attempts cannot all pass the check before the
     * first one fails), and a success that must not clear the whole key
     * (an address several users share) takes its own count back.
     */
    forgive(key: string, now = Date.now()): void {
      const entry = live(key, now);
      if (!entry) return;
      entry.failures--;
      if (entry.failures <= 0) entries.delete(key);
      else if (entry.failures < freeFailures) entry.blockedUntil = 0;
    },

    size(): number {
      return entries.size;
    },
  };
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;
