/**
 * Opening a workspace, cold (no prebuild, image present, small repo), next to
 * its references: the Docker floor (create + start + exec echo through the
 * engine API) and the Dev Containers reference CLI (`devcontainer up` + exec).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRuntime } from '../../server/runtime/docker.js';
import { openToPrompt, type BenchEnv } from '../lib/environment.js';
import { repeat, summarize, type Summary } from '../lib/stats.js';

const IMAGE = 'slipway/workspace-base';
// The floor's containers get a network each, as workspaces do; labelled as the bench's own.
export const BENCH_INSTANCE = 'slw-bench';

export async function dockerFloor(runs: number, image = IMAGE): Promise<Summary> {
  const runtime = createRuntime({ network: 'slipway', instanceId: BENCH_INSTANCE });
  const samples = await repeat(runs, async (run) => {
    const started = performance.now();
    const id = await runtime.createContainer({
      name: `slipway-bench-floor-${process.pid}-${run}`,
      image,
      hostname: 'floor',
      labels: { 'slipway.kind': 'bench' },
      env: {},
      limits: { cpus: 0, memoryBytes: 0, pids: 0 },
    });
    await runtime.startContainer(id);
    const result = await runtime.exec(id, { cmd: ['echo', 'ready'] });
    const ms = performance.now() - started;
    if (!result.output.includes('ready')) throw new Error('floor exec failed');
    await runtime.removeContainer(id);
    return ms;
  });
  return summarize(samples, 'ms');
}

/** The floor for many at once: `count` containers created, started and exec'd in parallel, all done. */
export async function dockerFloorConcurrent(count: number, image = IMAGE): Promise<{ allMs: number }> {
  const runtime = createRuntime({ network: 'slipway', instanceId: BENCH_INSTANCE });
  const started = performance.now();
  const ids = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = await runtime.createContainer({
        name: `slipway-bench-floor-many-${process.pid}-${i}`,
        image,
        hostname: 'floor',
        labels: { 'slipway.kind': 'bench' },
        env: {},
        limits: { cpus: 0, memoryBytes: 0, pids: 0 },
      });
      await runtime.startContainer(id);
      await runtime.exec(id, { cmd: ['echo', 'ready'] });
      return id;
    }),
  );
  const allMs = performance.now() - started;
  await Promise.all(ids.map((id) => runtime.removeContainer(id)));
  return { allMs };
}

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${out.slice(-800)}`))));
  });
}

/** `devcontainer up` on a fresh folder with the same image and the same setup work, then an exec. */
export async function devcontainerCli(runs: number, postCreateCommand: string): Promise<Summary | { error: string }> {
  const cli = path.resolve('node_modules/.bin/devcontainer');
  const samples: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const dir = await mkdtemp(path.join(tmpdir(), 'slipway-bench-dc-'));
      await mkdir(path.join(dir, '.devcontainer'));
      await writeFile(path.join(dir, '.devcontainer', 'devcontainer.json'), JSON.stringify({ image: IMAGE, postCreateCommand }));
      const started = performance.now();
      await run(cli, ['up', '--workspace-folder', dir], dir);
      await run(cli, ['exec', '--workspace-folder', dir, 'echo', 'ready'], dir);
      samples.push(performance.now() - started);
      const ids = (await run('docker', ['ps', '-aq', '--filter', `label=devcontainer.local_folder=${dir}`], dir)).trim().split('\n').filter(Boolean);
      if (ids.length) await run('docker', ['rm', '-f', ...ids], dir);
      // The CLI builds a `vsc-<folder>-...-uid` image per folder: do not leave them behind.
      const images = (await run('docker', ['images', '--format', '{{.Repository}}', '--filter', `reference=vsc-${path.basename(dir).toLowerCase()}*`], dir))
        .trim()
        .split('\n')
        .filter(Boolean);
      if (images.length) await run('docker', ['rmi', ...images], dir).catch(() => '');
      await rm(dir, { recursive: true, force: true });
    }
  } catch (error) {
    return { error: String(error).slice(0, 300) };
  }
  return summarize(samples, 'ms');
}

export async function openCold(env: BenchEnv, runs: number): Promise<{ summary: Summary; timings: Record<string, number> }> {
  const { url } = await env.git.createRepo(`bench-cold-${Date.now()}`, {
    '.gitpod.yml': 'tasks:\n  - init: echo setup-done\n    command: echo ready\n',
    'README.md': '# small repo\n',
  });
  let timings: Record<string, number> = {};
  const samples = await repeat(runs, async () => {
    const opened = await openToPrompt(env, url);
    timings = opened.workspace.timings;
    await env.slipway.api('DELETE', `/api/workspaces/${opened.workspaceId}`);
    return opened.ms;
  });
  return { summary: summarize(samples, 'ms'), timings };
}
