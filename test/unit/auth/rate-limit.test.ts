import { describe, expect, it } from 'vitest';
import { createLoginLimiter } from '../../../server/auth/rate-limit.js';

const MIN = 60_000;

describe('login limiter', () => {
  it('lets 4 failures pass, blocks after the 5th, doubling up to the cap', () => {
    const limiter = createLoginLimiter({ freeFailures: 5, baseDelayMs: 2000, maxDelayMs: 15 * MIN });
    let now = 1_000_000;
    for (let i = 0; i < 4; i++) {
      expect(limiter.retryAfterMs('u', now)).toBe(0);
      limiter.failure('u', now);
    }
    expect(limiter.retryAfterMs('u', now)).toBe(0);
    limiter.failure('u', now);
    expect(limiter.retryAfterMs('u', now)).toBe(2000);
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      now += limiter.retryAfterMs('u', now);
      limiter.failure('u', now);
      waits.push(limiter.retryAfterMs('u', now));
    }
    expect(waits.slice(0, 4)).toEqual([4000, 8000, 16000, 32000]);
    expect(Math.max(...waits)).toBe(15 * MIN);
  });

  it('keys are independent; success clears one key; forgive takes back one failure', () => {
    const limiter = createLoginLimiter({ freeFailures: 2 });
    limiter.failure('a', 0);
    limiter.failure('a', 0);
    expect(limiter.retryAfterMs('a', 0)).toBeGreaterThan(0);
    expect(limiter.retryAfterMs('b', 0)).toBe(0);
    limiter.success('a');
    expect(limiter.retryAfterMs('a', 0)).toBe(0);
    limiter.failure('c', 0);
    limiter.failure('c', 0);
    expect(limiter.retryAfterMs('c', 0)).toBeGreaterThan(0);
    limiter.forgive('c', 0);
    expect(limiter.retryAfterMs('c', 0)).toBe(0);
  });

  it('forgets failures after a quiet window, never cutting a block short', () => {
    const limiter = createLoginLimiter({ freeFailures: 1, windowMs: 15 * MIN, baseDelayMs: 20 * MIN, maxDelayMs: 20 * MIN });
    limiter.failure('u', 0);
    expect(limiter.retryAfterMs('u', 16 * MIN)).toBe(4 * MIN);
    expect(limiter.retryAfterMs('u', 20 * MIN)).toBe(0);
    const quiet = createLoginLimiter({ freeFailures: 3, windowMs: 15 * MIN });
    quiet.failure('u', 0);
    quiet.failure('u', 0);
    quiet.failure('u', 16 * MIN);
    expect(quiet.retryAfterMs('u', 16 * MIN)).toBe(0);
  });

  it('keeps at most maxEntries keys, dropping the least recently failed', () => {
    const limiter = createLoginLimiter({ freeFailures: 1, maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) limiter.failure(`k${i}`, 0);
    expect(limiter.size()).toBe(100);
    expect(limiter.retryAfterMs('k9999', 0)).toBeGreaterThan(0);
    expect(limiter.retryAfterMs('k0', 0)).toBe(0);
  });
});
