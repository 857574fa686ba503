import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createRingBuffer } from '../../../server/terminals/ring-buffer.js';
import { createTerminal, type TerminalClient } from '../../../server/terminals/terminal.js';

describe('ring buffer', () => {
  it('keeps everything below capacity', () => {
    const ring = createRingBuffer(10);
    ring.write(Buffer.from('abc'));
    ring.write(Buffer.from('def'));
    expect(ring.contents().toString()).toBe('abcdef');
  });
  it('keeps the newest bytes across the wrap', () => {
    const ring = createRingBuffer(8);
    ring.write(Buffer.from('12345'));
    ring.write(Buffer.from('6789'));
    expect(ring.contents().toString()).toBe('23456789');
    ring.write(Buffer.from('ab'));
    expect(ring.contents().toString()).toBe('456789ab');
  });
  it('takes the tail of a chunk larger than capacity', () => {
    const ring = createRingBuffer(4);
    ring.write(Buffer.from('abcdefgh'));
    expect(ring.contents().toString()).toBe('efgh');
    expect(ring.length).toBe(4);
  });
});

function fakeClient(queued = 0) {
  const got: Buffer[] = [];
  const control: unknown[] = [];
  let closed: string | null = null;
  const client: TerminalClient = {
    sendData: (d) => got.push(d),
    sendControl: (m) => control.push(m),
    bufferedBytes: () => queued,
    close: (_c, r) => {
      closed = r;
    },
  };
  return { client, got, control, closed: () => closed };
}

describe('terminal', () => {
  it('replays scrollback to a late client, then streams live output, then the exit code', async () => {
    const stream = new PassThrough();
    let exit!: (code: number) => void;
    const exited = new Promise<number | null>((r) => {
      exit = r;
    });
    const terminal = createTerminal(
      { id: 't', workspaceId: 'w', name: 'x', kind: 'shell', taskIndex: null },
      { stream, resize: async () => {}, exited },
      { preamble: Buffer.from('pre|') },
    );
    stream.push(Buffer.from('hello '));
    await new Promise((r) => setTimeout(r, 5));
    const late = fakeClient();
    terminal.attach(late.client);
    expect(Buffer.concat(late.got).toString()).toBe('pre|hello ');
    stream.push(Buffer.from('world'));
    await new Promise((r) => setTimeout(r, 5));
    expect(Buffer.concat(late.got).toString()).toBe('pre|hello world');
    exit(3);
    await new Promise((r) => setTimeout(r, 5));
    expect(late.control).toEqual([{ type: 'exit', code: 3 }]);
    expect(terminal.info().state).toBe('exited');
  });

  it('pauses the process while its only client is backed up, and resumes when it drains', async () => {
    const stream = new PassThrough();
    const terminal = createTerminal(
      { id: 't', workspaceId: 'w', name: 'x', kind: 'shell', taskIndex: null },
      { stream, resize: async () => {}, exited: new Promise(() => {}) },
    );
    let queued = 4 * 1024 * 1024;
    const got: Buffer[] = [];
    let closed = false;
    terminal.attach({
      sendData: (d) => got.push(d),
      sendControl: () => {},
      bufferedBytes: () => queued,
      close: () => {
        closed = true;
      },
    });
    stream.push(Buffer.from('burst'));
    await new Promise((r) => setTimeout(r, 5));
    expect(stream.isPaused()).toBe(true);
    expect(closed).toBe(false);
    queued = 0;
    await new Promise((r) => setTimeout(r, 30));
    expect(stream.isPaused()).toBe(false);
    expect(Buffer.concat(got).toString()).toBe('burst');
  });

  it('drops a slow client without holding up a fast one', async () => {
    const stream = new PassThrough();
    const terminal = createTerminal(
      { id: 't', workspaceId: 'w', name: 'x', kind: 'shell', taskIndex: null },
      { stream, resize: async () => {}, exited: new Promise(() => {}) },
    );
    const slow = fakeClient(64 * 1024 * 1024);
    const fast = fakeClient(0);
    terminal.attach(slow.client);
    terminal.attach(fast.client);
    stream.push(Buffer.from('data'));
    await new Promise((r) => setTimeout(r, 5));
    expect(slow.closed()).toMatch(/too slow/);
    expect(Buffer.concat(fast.got).toString()).toBe('data');
    expect(terminal.clientCount()).toBe(1);
  });
});
