/**
 * Prebuild figures: a push → signed webhook → prebuild, its overhead over the
 * same work done by hand with Docker, the webhook-to-start latency, and
 * opening from the snapshot next to the Docker floor on the snapshot image
 * and `devcontainer up` doing the same setup work.
 */
import { createRuntime } from '../../server/runtime/docker.js';
import { signBody } from '../../server/webhooks/index.js';
import { openToPrompt, type BenchEnv } from '../lib/environment.js';
import { summarize, type Summary } from '../lib/stats.js';
import { BENCH_INSTANCE, devcontainerCli, dockerFloor } from './open.js';

interface Row {
  figure: string;
  value: string;
  reference: string;
  ratio: string;
}

const fmt = (s: Summary) => `${s.median.toFixed(0)} ${s.unit} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;

async function waitForPrebuild(env: BenchEnv, projectId: string, commit: string): Promise<any> {
  for (let i = 0; i < 6000; i++) {
    const list = (await env.slipway.api('GET', `/api/prebuilds?projectId=${projectId}`)).body as any[];
    const prebuild = list.find((p) => p.commit === commit);
    if (prebuild && ['ready', 'failed', 'canceled'].includes(prebuild.status)) return prebuild;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prebuild of ${commit} did not finish`);
}

/** The same init by hand: create + start a container from the same image, exec the init, commit it. */
async function byHand(image: string, init: string): Promise<number> {
  const runtime = createRuntime({ network: 'slipway', instanceId: BENCH_INSTANCE });
  const started = performance.now();
  const id = await runtime.createContainer({
    name: `slipway-bench-hand-${process.pid}-${Date.now()}`,
    image,
    hostname: 'hand',
    labels: { 'slipway.kind': 'bench' },
    env: {},
    limits: { cpus: 0, memoryBytes: 0, pids: 0 },
  });
  await runtime.startContainer(id);
  const result = await runtime.exec(id, { cmd: ['sh', '-c', init] });
  if (result.exitCode !== 0) throw new Error(`init by hand failed: ${result.output}`);
  const snapshot = await runtime.commitContainer(id, { repo: 'slipway-bench/hand', tag: 'latest', labels: { 'slipway.kind': 'bench' } });
  const ms = performance.now() - started;
  await runtime.removeContainer(id);
  await runtime.removeImage(snapshot).catch(() => {});
  return ms;
}

export async function prebuildCases(
  env: BenchEnv,
  options: { runs: number; quick: boolean; floor: Summary },
): Promise<{ rows: Row[]; results: unknown; scaleUrl: string | null; snapshot: string | null }> {
  const initSeconds = options.quick ? 3 : 10;
  const init = `sleep ${initSeconds} && echo prebuilt > /workspace/prebuilt.txt`;
  const name = `bench-prebuild-${Date.now()}`;
  const repo = await env.git.createRepo(name, { '.gitpod.yml': `tasks:\n  - init: ${init}\n    command: echo ready\n` });
  const project = (await env.slipway.api('POST', '/api/projects', { repoUrl: repo.url, pollIntervalSeconds: 0 })).body;
  if (!project.id) throw new Error(`project create failed: ${JSON.stringify(project)}`);

  const pushes = options.quick ? 1 : 3;
  const latency: number[] = [];
  const duration: number[] = [];
  for (let i = 0; i < pushes; i++) {
    const commit = await env.git.commit(name, { 'counter.txt': String(i) }, `push ${i}`);
    const body = JSON.stringify({ repoUrl: repo.url, ref: 'refs/heads/main', after: commit });
    const sentAt = Date.now();
    const response = await fetch(`${env.slipway.baseUrl}/api/webhooks/generic`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signBody('generic', project.webhookSecret, body) },
      body,
    });
    if (response.status >= 300) throw new Error(`webhook refused: ${response.status} ${await response.text()}`);
    const prebuild = await waitForPrebuild(env, project.id, commit);
    if (prebuild.status !== 'ready') throw new Error(`prebuild ${prebuild.status}: ${prebuild.error}`);
    latency.push(Date.parse(prebuild.startedAt) - sentAt);
    duration.push(prebuild.durationMs);
  }
  const hand: number[] = [];
  for (let i = 0; i < pushes; i++) hand.push(await byHand(env.slipway.config.defaultImage, init));
  const prebuildSummary = summarize(duration, 'ms');
  const handSummary = summarize(hand, 'ms');

  const opens: number[] = [];
  let snapshot = '';
  let timings: Record<string, number> = {};
  for (let i = 0; i < options.runs; i++) {
    const opened = await openToPrompt(env, repo.url);
    if (opened.workspace.startedFrom !== 'prebuild')
      throw new Error(`expected a prebuild start, got ${opened.workspace.startedFrom}: ${JSON.stringify(opened.workspace.prebuild)}`);
    snapshot = opened.workspace.image;
    timings = opened.workspace.timings;
    opens.push(opened.ms);
    await env.slipway.api('DELETE', `/api/workspaces/${opened.workspaceId}`);
  }
  const open = summarize(opens, 'ms');
  const floor = await dockerFloor(options.runs, snapshot);
  const cli = await devcontainerCli(options.quick ? 1 : 3, init.replace('/workspace/', '/tmp/'));

  const rows: Row[] = [
    {
      figure: `open from prebuild (init ${initSeconds} s) → prompt`,
      value: fmt(open),
      reference: `docker floor (snapshot): ${fmt(floor)}`,
      ratio: `${(open.median / floor.median).toFixed(2)}×`,
    },
    {
      figure: '',
      value: '',
      reference: 'error' in cli ? `devcontainer up: failed (${cli.error.slice(0, 50)})` : `devcontainer up+exec: ${fmt(cli)}`,
      ratio: 'error' in cli ? 'n/a' : `${(open.median / cli.median).toFixed(2)}×`,
    },
    {
      figure: 'prebuild total',
      value: fmt(prebuildSummary),
      reference: `by hand (create, init, commit): ${fmt(handSummary)}`,
      ratio: `+${(prebuildSummary.median - handSummary.median).toFixed(0)} ms`,
    },
    { figure: 'webhook → prebuild started', value: fmt(summarize(latency, 'ms')), reference: '—', ratio: '' },
  ];
  return {
    rows,
    results: {
      initSeconds,
      openFromPrebuild: open,
      openTimings: timings,
      dockerFloorSnapshot: floor,
      devcontainerCli: cli,
      prebuildTotal: prebuildSummary,
      byHand: handSummary,
      overheadMs: prebuildSummary.median - handSummary.median,
      webhookToStart: summarize(latency, 'ms'),
    },
    scaleUrl: repo.url,
    snapshot,
  };
}
