/**
 * Terminal I/O: output throughput through the WebSocket versus the same
 * command on a raw docker exec TTY stream, and keystroke echo round trips.
 */
import WebSocket from 'ws';
import type { BenchEnv } from '../lib/environment.js';
import { summarize, type Summary } from '../lib/stats.js';

const MARK = 'SLIPWAY-BENCH-END';
const COMMAND = (mb: number) => `head -c ${mb}M /dev/urandom | base64; echo ${MARK.slice(0, 8)}""${MARK.slice(8)}\r`;

/** Counts bytes until the end marker, keeping only a short tail (never the whole stream) in memory. */
function untilMarker(onChunk: (listener: (chunk: Buffer) => void) => void, timeoutMs = 300_000): Promise<{ bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no end marker after ${timeoutMs} ms`)), timeoutMs);
    let bytes = 0;
    let tail = '';
    let started = 0;
    onChunk((chunk) => {
      if (!started) started = performance.now();
      bytes += chunk.length;
      // Search the new chunk joined to the old tail, then keep only a tail: the
      // marker may arrive together with the next prompt.
      const window = tail + chunk.toString('latin1');
      tail = window.slice(-64);
      if (window.includes(MARK)) {
        clearTimeout(timer);
        resolve({ bytes, ms: performance.now() - started });
      }
    });
  });
}

export async function throughput(env: BenchEnv, workspaceId: string, mb: number, runs: number): Promise<{ websocket: Summary; dockerExec: Summary }> {
  const ws: number[] = [];
  const raw: number[] = [];
  const runtime = env.slipway.app.services.runtime;
  const [container] = await runtime.listContainers({ 'slipway.workspace': workspaceId });
  for (let i = 0; i < runs; i++) {
    const terminal = (await env.slipway.api('POST', `/api/workspaces/${workspaceId}/terminals`)).body;
    const socket = new WebSocket(
      `${env.slipway.baseUrl.replace('http', 'ws')}/api/workspaces/${workspaceId}/terminals/${terminal.id}?token=${env.slipway.adminToken}`,
    );
    await new Promise((r) => socket.once('open', r));
    await new Promise((r) => setTimeout(r, 500)); // let the prompt and replay arrive
    const result = untilMarker((listener) => socket.on('message', (data: Buffer, binary: boolean) => binary && listener(data)));
    socket.send(Buffer.from(COMMAND(mb)));
    const { bytes, ms } = await result;
    ws.push(bytes / 1e6 / (ms / 1000));
    socket.close();

    const session = await runtime.openTty(container!.id, { cmd: ['/bin/bash', '--norc', '-i'], user: 'slipway', cols: 120, rows: 32 });
    await new Promise((r) => setTimeout(r, 300));
    const direct = untilMarker((listener) => session.stream.on('data', listener));
    session.stream.write(COMMAND(mb));
    const d = await direct;
    raw.push(d.bytes / 1e6 / (d.ms / 1000));
    session.stream.end('exit\r');
    session.stream.destroy();
  }
  return { websocket: summarize(ws, 'MB/s'), dockerExec: summarize(raw, 'MB/s') };
}

/** Types one character at a time into the shell and waits for its echo. */
export async function keystrokeEcho(env: BenchEnv, workspaceId: string, count: number): Promise<Summary> {
  const terminal = (await env.slipway.api('POST', `/api/workspaces/${workspaceId}/terminals`)).body;
  const socket = new WebSocket(
    `${env.slipway.baseUrl.replace('http', 'ws')}/api/workspaces/${workspaceId}/terminals/${terminal.id}?token=${env.slipway.adminToken}`,
  );
  await new Promise((r) => socket.once('open', r));
  await new Promise((r) => setTimeout(r, 800));
  let pending: ((chunk: string) => void) | null = null;
  socket.on('message', (data: Buffer, binary: boolean) => {
    if (binary && pending) pending(data.toString('utf8'));
  });
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const char = String.fromCharCode(97 + (i % 26));
    const echoed = new Promise<void>((resolve) => {
      pending = (chunk) => {
        if (chunk.includes(char)) resolve();
      };
    });
    const started = performance.now();
    socket.send(Buffer.from(char));
    await echoed;
    samples.push(performance.now() - started);
    if (i % 50 === 49) socket.send(Buffer.from('\u0015')); // Ctrl-U: keep the line short
  }
  pending = null;
  socket.close();
  return summarize(samples, 'ms', { percentiles: true });
}
