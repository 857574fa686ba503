/**
 * Scale on one machine: many workspaces opened at once, many running, many
 * terminal clients attached, with the server's memory.
 */
import WebSocket from 'ws';
import { openToPrompt, type BenchEnv } from '../lib/environment.js';
import { percentile, summarize, type Summary } from '../lib/stats.js';

const rssMb = () => process.memoryUsage().rss / 1024 / 1024;

export async function concurrentOpens(
  env: BenchEnv,
  contextUrl: string,
  count: number,
): Promise<{ allRunningMs: number; perWorkspace: Summary & { p95: number }; ids: string[] }> {
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: count }, () => openToPrompt(env, contextUrl)));
  const allRunningMs = performance.now() - started;
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    allRunningMs,
    perWorkspace: { ...summarize(times, 'ms', { percentiles: true }), p95: percentile(times, 95) },
    ids: results.map((r) => r.workspaceId),
  };
}

export async function runningMemory(
  env: BenchEnv,
  contextUrl: string,
  target: number,
  alreadyRunning: string[],
): Promise<{ running: number; serverRssMb: number; baselineRssMb: number; perWorkspaceRssKb: number; ids: string[] }> {
  global.gc?.();
  const ids = [...alreadyRunning];
  const baselineRssMb = rssMb();
  const baselineCount = ids.length;
  while (ids.length < target) {
    const batch = Math.min(10, target - ids.length);
    const opened = await Promise.all(Array.from({ length: batch }, () => openToPrompt(env, contextUrl)));
    ids.push(...opened.map((o) => o.workspaceId));
  }
  global.gc?.();
  const serverRssMb = rssMb();
  const added = ids.length - baselineCount;
  return { running: ids.length, serverRssMb, baselineRssMb, perWorkspaceRssKb: added > 0 ? ((serverRssMb - baselineRssMb) * 1024) / added : 0, ids };
}

/** `clients` WebSocket clients on one workspace's terminals; all must receive a line printed once per terminal. */
export async function manyClients(
  env: BenchEnv,
  workspaceId: string,
  clients: number,
  terminalsCount: number,
): Promise<{ clients: number; allReceivedMs: number; serverRssMb: number; rssGrowthMb: number }> {
  const before = rssMb();
  const terminals: string[] = [];
  for (let i = 0; i < terminalsCount; i++) terminals.push((await env.slipway.api('POST', `/api/workspaces/${workspaceId}/terminals`)).body.id);
  const sockets: { socket: WebSocket; got: Promise<void> }[] = [];
  for (let i = 0; i < clients; i++) {
    const terminalId = terminals[i % terminals.length]!;
    const socket = new WebSocket(
      `${env.slipway.baseUrl.replace('http', 'ws')}/api/workspaces/${workspaceId}/terminals/${terminalId}?token=${env.slipway.adminToken}`,
    );
    await new Promise((r) => socket.once('open', r));
    let seen = '';
    const got = new Promise<void>((resolve) => {
      socket.on('message', (data: Buffer, binary: boolean) => {
        if (!binary) return;
        seen = (seen + data.toString('utf8')).slice(-200);
        if (seen.includes('FAN-OUT-DONE')) resolve();
      });
    });
    sockets.push({ socket, got });
  }
  await new Promise((r) => setTimeout(r, 500));
  const started = performance.now();
  // Each terminal prints the marker once; every client of it must see it.
  for (let t = 0; t < terminals.length; t++) sockets[t]!.socket.send(Buffer.from('echo FAN-OUT-""DONE\r'));
  await Promise.all(sockets.map((s) => s.got));
  const allReceivedMs = performance.now() - started;
  const serverRssMb = rssMb();
  for (const s of sockets) s.socket.close();
  return { clients, allReceivedMs, serverRssMb, rssGrowthMb: serverRssMb - before };
}
