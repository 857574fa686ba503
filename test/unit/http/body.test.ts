import { describe, expect, it } from 'vitest';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../../../server/http/body.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('jsonTooDeep', () => {
  it('allows up to 64 levels and refuses 65', () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    expect(jsonTooDeep(bytes(nested(64)))).toBe(false);
    expect(jsonTooDeep(bytes(nested(65)))).toBe(true);
    expect(jsonTooDeep(bytes('{"a":'.repeat(65) + '1' + '}'.repeat(65)))).toBe(true);
  });

  it('counts depth, not the number of brackets', () => {
    expect(jsonTooDeep(bytes(JSON.stringify(Array.from({ length: 10_000 }, () => [[1]]))))).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonTooDeep(bytes(JSON.stringify({ a: '['.repeat(1000) })))).toBe(false);
    expect(jsonTooDeep(bytes(JSON.stringify({ a: '\\"' + '['.repeat(1000), b: '"{{{{' })))).toBe(false);
    expect(jsonTooDeep(bytes(JSON.stringify({ a: 'é日本\u2028' + '{'.repeat(100) })))).toBe(false);
  });

  it('scans 100 000 levels in a few milliseconds', () => {
    const deep = bytes(nested(100_000));
    const started = performance.now();
    expect(jsonTooDeep(deep)).toBe(true);
    expect(performance.now() - started).toBeLessThan(50);
  });
});
