/**
 * The full default image (issue 17): how long slipway/workspace-full takes to
 * build (cold: no layer cache; cached: the layer cache, and setup's own skip
 * when the inputs' hash is unchanged), a cold open on it next to the Docker
 * floor on the same image, and what baking SLIPWAY_EXTRA_CA_CERTS into a
 * derived layer saves per start (the install it replaces, timed in a
 * container of the same image).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTar } from '../../server/core/tar.js';
import { createRuntime } from '../../server/runtime/docker.js';
import { startBenchEnv } from '../lib/environment.js';
import { repeat, summarize, type Summary } from '../lib/stats.js';
import { BENCH_INSTANCE, dockerFloor, openCold } from './open.js';

export const FULL_IMAGE = 'slipway/workspace-full';

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${out.slice(-800)}`))));
  });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Build times of docker/workspace-full: cold (no cache, full bench only), layer-cached, and setup's skip. */
export async function fullImageBuild(options: { cold: boolean }): Promise<{ coldMs: number | null; cachedMs: number; setupSkipMs: number }> {
  const context = path.resolve('docker/workspace-full');
  const tag = `slipway-bench/workspace-full:${process.pid}`;
  let coldMs: number | null = null;
  if (options.cold) {
    // A build of its own (new layers, ~1 GB from the Debian mirror), removed afterwards; the real image is untouched.
    coldMs = await timed(() => run('nice', ['-n', '10', 'docker', 'build', '--no-cache', '--force-rm', '-q', '-t', tag, context]));
    await run('docker', ['rmi', tag]).catch(() => '');
  }
  const cachedMs = await timed(() => run('docker', ['build', '-q', '-t', tag, context]));
  await run('docker', ['rmi', '--no-prune', tag]).catch(() => '');
  // What `npm run setup` costs again on a machine that has everything (engine, base image, both images).
  const setupSkipMs = await timed(() => run('bash', ['scripts/setup']));
  return { coldMs, cachedMs, setupSkipMs };
}

/** Cold open on workspace-full and the Docker floor on the same image. */
export async function openOnFullImage(runs: number): Promise<{ open: Summary; timings: Record<string, number>; floor: Summary }> {
  const env = await startBenchEnv({ SLIPWAY_DEFAULT_IMAGE: FULL_IMAGE });
  try {
    const floor = await dockerFloor(runs, FULL_IMAGE);
    const cold = await openCold(env, runs);
    return { open: cold.summary, timings: cold.timings, floor };
  } finally {
    await env.close();
  }
}

/**
 * Item 3 of issue 17: the per-start install it replaces (copy the bundle in,
 * update-ca-certificates with its Java hook, in a fresh container of the full
 * image), the one-time layer build, and a cold open with the bundle set.
 */
export async function caSaving(runs: number): Promise<{ installPerStart: Summary; layerBuildMs: number; openWithCa: Summary }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-bench-ca-'));
  const bundlePath = path.join(dir, 'bundle.pem');
  const host = await readFile('/etc/ssl/certs/ca-certificates.crt', 'utf8');
  // One real certificate: the contents do not change the cost.
  await writeFile(bundlePath, host.slice(0, host.indexOf('-----END CERTIFICATE-----') + '-----END CERTIFICATE-----'.length) + '\n');
  const bundle = await readFile(bundlePath, 'utf8');
  const runtime = createRuntime({ network: 'slipway', instanceId: BENCH_INSTANCE });
  try {
    const installSamples = await repeat(runs, async (i) => {
      const id = await runtime.createContainer({
        name: `slipway-bench-ca-${process.pid}-${i}`,
        image: FULL_IMAGE,
        hostname: 'ca',
        labels: { 'slipway.kind': 'bench' },
        env: {},
        limits: { cpus: 0, memoryBytes: 0, pids: 0 },
      });
      await runtime.startContainer(id);
      const ms = await timed(async () => {
        await runtime.putArchive(id, '/', createTar([{ name: 'tmp/extra-ca.crt', content: bundle }]));
        const result = await runtime.exec(id, {
          cmd: ['/bin/sh', '-c', 'cp /tmp/extra-ca.crt /usr/local/share/ca-certificates/slipway-extra.crt && update-ca-certificates >/dev/null 2>&1'],
          user: 'root',
        });
        if (result.exitCode !== 0) throw new Error(`update-ca-certificates failed: ${result.output}`);
      });
      await runtime.removeContainer(id);
      return ms;
    });
    const env = await startBenchEnv({ SLIPWAY_DEFAULT_IMAGE: FULL_IMAGE, SLIPWAY_EXTRA_CA_CERTS: bundlePath });
    let layerBuildMs = 0;
    let layer: string | null = null;
    try {
      // The first open makes the layer: timed on its own (once per image and bundle).
      const { url } = await env.git.createRepo(`bench-ca-${Date.now()}`, { 'README.md': 'x' });
      const images = env.slipway.app.services.runtime;
      layerBuildMs = await timed(async () => {
        const created = await env.slipway.api('POST', '/api/workspaces', { contextUrl: url });
        const w = await env.slipway.waitForStatus(created.body.id, ['running', 'failed'], undefined, 300_000);
        if (w.status !== 'running') throw new Error(`CA open failed: ${w.statusReason}`);
        layer = w.image;
        await env.slipway.api('DELETE', `/api/workspaces/${w.id}`);
      });
      const openWithCa = (await openCold(env, runs)).summary;
      if (layer) await images.removeImage(layer).catch(() => {});
      return { installPerStart: summarize(installSamples, 'ms'), layerBuildMs, openWithCa };
    } finally {
      await env.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
