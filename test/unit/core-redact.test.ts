/** Secret values taken out of streamed log output (issue 16, item 6). */
import { describe, expect, it } from 'vitest';
import { createRedactingWriter, redactText } from '../../server/core/redact.js';

function run(values: string[], chunks: string[]) {
  const out: string[] = [];
  const writer = createRedactingWriter(values, (text) => out.push(text));
  for (const chunk of chunks) writer.write(chunk);
  const beforeFlush = out.join('');
  writer.flush();
  return { beforeFlush, all: out.join(''), pieces: out };
}

describe('redaction', () => {
  it('replaces every value of 4 characters or more, longest first; shorter ones stay', () => {
    expect(redactText('a sekret and sekret-long, abc', ['sekret', 'sekret-long', 'abc'])).toBe('a [redacted] and [redacted], abc');
  });

  it('finds a value split between chunks (held back to the line end), and flushes the rest', () => {
    const { beforeFlush, all } = run(['topsecret'], ['token: top', 'sec', 'ret\nnext line top', 'secret']);
    expect(beforeFlush).toBe('token: [redacted]\n');
    expect(all).toBe('token: [redacted]\nnext line [redacted]');
    expect(all).not.toContain('topsecret');
  });

  it('with nothing to hide, output passes through chunk by chunk', () => {
    const { pieces } = run(['abc'], ['one ', 'two']);
    expect(pieces).toEqual(['one ', 'two']);
  });

  it('a very long line is emitted without waiting for its end', () => {
    const { beforeFlush } = run(['topsecret'], ['x'.repeat(70 * 1024) + 'topsecret']);
    expect(beforeFlush.endsWith('[redacted]')).toBe(true);
  });
});
