import { describe, expect, it } from 'vitest';
import { createDeliveryLog } from '../../../server/webhooks/index.js';

describe('createDeliveryLog', () => {
  it('says "seen" from the second time on', () => {
    const log = createDeliveryLog();
    expect(log.seen('github', 'd1')).toBe(false);
    expect(log.seen('github', 'd1')).toBe(true);
    expect(log.seen('github', 'd1')).toBe(true);
    expect(log.size).toBe(1);
  });

  it('keeps providers apart', () => {
    const log = createDeliveryLog();
    expect(log.seen('github', 'same-id')).toBe(false);
    expect(log.seen('gitea', 'same-id')).toBe(false);
    expect(log.seen('gitea', 'same-id')).toBe(true);
  });

  it('never reports a missing delivery id as seen, and does not record it', () => {
    const log = createDeliveryLog();
    for (const id of [null, undefined, '']) {
      expect(log.seen('generic', id)).toBe(false);
      expect(log.seen('generic', id)).toBe(false);
    }
    expect(log.size).toBe(0);
  });

  it('forgets the least recently seen id beyond max', () => {
    const log = createDeliveryLog({ max: 3 });
    for (const id of ['a', 'b', 'c']) log.seen('github', id);
    expect(log.seen('github', 'a')).toBe(true); // refreshes a: order is now b, c, a
    log.seen('github', 'd'); // evicts b
    expect(log.size).toBe(3);
    expect(log.seen('github', 'c')).toBe(true);
    expect(log.seen('github', 'a')).toBe(true);
    expect(log.seen('github', 'd')).toBe(true);
    expect(log.seen('github', 'b')).toBe(false); // was evicted, recorded again now
    expect(log.size).toBe(3);
  });

  it('stays bounded under a flood of ids', () => {
    const log = createDeliveryLog({ max: 1000 });
    for (let i = 0; i < 25_000; i++) log.seen('github', `id-${i}`);
    expect(log.size).toBe(1000);
    expect(log.seen('github', 'id-24999')).toBe(true);
    expect(log.seen('github', 'id-0')).toBe(false);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses max = %s', (max) => {
    expect(() => createDeliveryLog({ max })).toThrow(RangeError);
  });
});
