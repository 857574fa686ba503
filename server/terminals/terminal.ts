/**
 * One terminal: a TTY process in a workspace container, its scrollback ring
 * and the clients attached to it (DESIGN §6). Transport-free: the HTTP layer
 * adapts a WebSocket to `TerminalClient`.
 */
import type { Duplex } from 'node:stream';
import { createRingBuffer } from './ring-buffer.js';

export const SCROLLBACK_BYTES = 256 * 1024;
/** A client with this much unsent output is "backed up". */
export const BACKED_UP_BYTES = 1024 * 1024;
/** A backed-up client this far behind while another keeps up is dropped. */
export const SLOW_CLIENT_BYTES = 8 * 1024 * 1024;

export interface TerminalClient {
  sendData(data: Buffer): void;
  sendControl(message: Record<string, unknown>): void;
  /** Bytes queued for this client and not yet written to the network. */
  bufferedBytes(): number;
  close(code: number, reason: string): void;
}

export interface TerminalInfo {
  id: string;
  workspaceId: string;
  name: string;
  kind: 'task' | 'shell';
  taskIndex: number | null;
  state: 'running' | 'exited';
  exitCode: number | null;
  clients: number;
}

export interface TerminalProcess {
  stream: Duplex;
  resize(cols: number, rows: number): Promise<void>;
  exited: Promise<number | null>;
}

export function createTerminal(
  meta: { id: string; workspaceId: string; name: string; kind: 'task' | 'shell'; taskIndex: number | null },
  process: TerminalProcess,
  hooks: { onActivity?: () => void; onExit?: (code: number | null) => void; preamble?: Buffer } = {},
) {
  const ring = createRingBuffer(SCROLLBACK_BYTES);
  const clients = new Set<TerminalClient>();
  let state: 'running' | 'exited' = 'running';
  let exitCode: number | null = null;
  if (hooks.preamble && hooks.preamble.length > 0) ring.write(hooks.preamble);

  let paused = false;
  let drainTimer: NodeJS.Timeout | null = null;

  /**
   * Flow control, as a local terminal has it: while every client is backed
   * up, stop reading the process's output (the TTY then blocks the writer).
   * A client far behind while another keeps up is dropped instead, so one
   * slow reader never holds up the others.
   */
  function applyBackpressure() {
    if (clients.size === 0) return resume();
    let anyKeepingUp = false;
    for (const client of clients) if (client.bufferedBytes() <= BACKED_UP_BYTES) anyKeepingUp = true;
    if (anyKeepingUp) {
      for (const client of clients) {
        if (client.bufferedBytes() > SLOW_CLIENT_BYTES) {
          clients.delete(client);
          client.close(4008, 'too slow: output was dropped; reconnect to get the latest screen');
        }
      }
      return resume();
    }
    if (!paused) {
      paused = true;
      process.stream.pause();
      drainTimer = setInterval(applyBackpressure, 10);
    }
  }

  function resume() {
    if (!paused) return;
    paused = false;
    if (drainTimer) clearInterval(drainTimer);
    drainTimer = null;
    process.stream.resume();
  }

  // Output is coalesced per event-loop turn: Docker hands over many small
  // chunks, and one WebSocket frame each costs more than the bytes.
  let pending: Buffer[] = [];
  let flushScheduled = false;
  function flush() {
    flushScheduled = false;
    if (pending.length === 0) return;
    const data = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = [];
    for (const client of clients) client.sendData(data);
    applyBackpressure();
  }

  process.stream.on('data', (chunk: Buffer) => {
    ring.write(chunk);
    pending.push(chunk);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  });
  process.stream.on('error', () => {});

  void process.exited.then((code) => {
    flush();
    state = 'exited';
    exitCode = code;
    for (const client of clients) client.sendControl({ type: 'exit', code });
    hooks.onExit?.(code);
  });

  return {
    info(): TerminalInfo {
      return { ...meta, state, exitCode, clients: clients.size };
    },
    attach(client: TerminalClient): () => void {
      // What is pending is in the ring already: send it to the others first, so nobody gets it twice.
      flush();
      const replay = ring.contents();
      if (replay.length > 0) client.sendData(replay);
      if (state === 'exited') client.sendControl({ type: 'exit', code: exitCode });
      clients.add(client);
      hooks.onActivity?.();
      return () => {
        clients.delete(client);
        applyBackpressure();
      };
    },
    input(data: Buffer | string): void {
      if (state !== 'running') return;
      process.stream.write(data);
      hooks.onActivity?.();
    },
    async resize(cols: number, rows: number): Promise<void> {
      if (state !== 'running') return;
      await process.resize(cols, rows);
    },
    /** Ends the process's connection (the process dies with the exec when the container stops). */
    close(reason: string): void {
      for (const client of clients) client.close(1001, reason);
      clients.clear();
      resume();
      process.stream.destroy();
    },
    scrollback(): Buffer {
      return ring.contents();
    },
    clientCount(): number {
      return clients.size;
    },
  };
}

export type Terminal = ReturnType<typeof createTerminal>;
