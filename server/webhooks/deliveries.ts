/**
 * Replay guard: remembers the last `max` delivery ids per process, so that a
 * forge's retry or redelivery of a push is answered without queuing anything.
 *
 * In memory only: a restart forgets, and several server replicas do not share
 * it. That is acceptable because a repeated push is harmless further down
 * (prebuilds are deduplicated per commit); a store-backed log with the same
 * `seen` contract can replace this one without changing callers.
 *
 * Call `seen` only AFTER `verifyAndParseWebhook` accepted the request:
 * otherwise unsigned requests could fill the log and evict real ids.
 *
 * Note that no forge signs its delivery-id header (signatures cover the body
 * only), so this guard stops honest duplicates, not an attacker who replays a
 * captured body under a fresh id.
 */
export interface DeliveryLog {
  /** Records (provider, deliveryId) and returns true if it was already recorded. A null id is never "seen". */
  seen(provider: string, deliveryId: string | null | undefined): boolean;
  /** How many ids are remembered now (at most `max`). */
  readonly size: number;
}

export function createDeliveryLog({ max = 10_000 }: { max?: number } = {}): DeliveryLog {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`createDeliveryLog: max must be a positive integer, got ${max}`);
  // A Map iterates in insertion order: the first key is the least recently seen.
  const entries = new Map<string, true>();
  return {
    seen(provider, deliveryId) {
      if (typeof deliveryId !== 'string' || deliveryId === '') return false;
      const key = `${provider}\u0000${deliveryId}`;
      if (entries.has(key)) {
        entries.delete(key); // refresh: most recently seen goes last
        entries.set(key, true);
        return true;
      }
      entries.set(key, true);
      if (entries.size > max) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      return false;
    },
    get size() {
      return entries.size;
    },
  };
}
