/**
 * Names from repositories shown without their escape sequences and bidi
 * controls (issue 12 item 21): the server's printable() and the web UI's copy
 * behave the same, and a pino logger with printableLogOptions writes no raw
 * control character.
 */
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { printable, printableDeep, printableLogOptions } from '../../server/core/printable.js';
import { printable as webPrintable } from '../../web/src/printable.js';

const RAW_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('printable', () => {
  it.each([
    ['plain name', 'build & test', 'build & test'],
    ['unicode letters stay', 'Übersetzung – 構築 🚀', 'Übersetzung – 構築 🚀'],
    ['ESC of a colour sequence', '\u001b[31mred', '\\u001b[31mred'],
    ['OSC title / hyperlink', '\u001b]8;;https://evil\u0007x', '\\u001b]8;;https://evil\\u0007x'],
    ['carriage return overwriting the line', 'ok\rFAKE', 'ok\\u000dFAKE'],
    ['newline and tab in a name', 'a\nb\tc', 'a\\u000ab\\u0009c'],
    ['NUL and DEL', 'a\u0000b\u007f', 'a\\u0000b\\u007f'],
    ['C1 CSI', 'a\u009b31mb', 'a\\u009b31mb'],
    ['right-to-left override', 'main\u202e4pm.exe', 'main\\u202e4pm.exe'],
    ['every bidi embedding/override', '\u202a\u202b\u202c\u202d\u202e', '\\u202a\\u202b\\u202c\\u202d\\u202e'],
    ['bidi isolates', '\u2066\u2067\u2068\u2069', '\\u2066\\u2067\\u2068\\u2069'],
    ['marks LRM, RLM, ALM', '\u200e\u200f\u061c', '\\u200e\\u200f\\u061c'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['the issue example', '\u001b[31mred\u202e', '\\u001b[31mred\\u202e'],
  ])('%s', (_what, input, expected) => {
    expect(printable(input)).toBe(expected);
    expect(webPrintable(input)).toBe(expected);
  });

  it('keeps newlines and tabs of multi-line text, nothing else', () => {
    expect(printable('line 1\n\tline 2\r\n\u001b[2J', { multiline: true })).toBe('line 1\n\tline 2\\u000d\n\\u001b[2J');
    expect(webPrintable('a\nb\u202e', { multiline: true })).toBe('a\nb\\u202e');
  });

  it('reaches every string of a log record, errors included', () => {
    const out = printableDeep({ task: '\u001b[31mx', nested: { list: ['\u202e'] }, err: new Error('branch \u202efoo'), n: 3 }) as Record<string, any>;
    expect(out.task).toBe('\\u001b[31mx');
    expect(out.nested.list).toEqual(['\\u202e']);
    expect(out.err.message).toBe('branch \\u202efoo');
    expect(out.n).toBe(3);
  });
});

describe("printableLogOptions on the real logger (fastify's pino)", () => {
  it('writes no raw control or bidi character in any field or the message', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(chunk.toString()), done()) });
    const logger = Fastify({ logger: { level: 'info', ...printableLogOptions, stream: sink } }).log;
    logger.warn({ branch: 'main\u202e', url: 'http://x/\u0085', err: new Error('\u001b]0;pwned\u0007') }, 'task %s failed: \u001b[2J', '\u001b[31mred\u202e');
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    // JSON escapes C0 itself; C1 and bidi would pass through raw without the options.
    expect(line).not.toMatch(RAW_UNSAFE);
    const record = JSON.parse(line);
    expect(record.branch).toBe('main\\u202e');
    expect(record.url).toBe('http://x/\\u0085');
    expect(record.err.message).toBe('\\u001b]0;pwned\\u0007');
    expect(record.msg).toBe('task \\u001b[31mred\\u202e failed: \\u001b[2J');
  });
});
