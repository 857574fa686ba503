/**
 * /metrics after real work: a workspace opened on the small image, a failed
 * open and a prebuild show up in the histograms and counters an operator
 * graphs (docs/grafana-dashboard.json), next to the process metrics. The
 * text is parsed as Prometheus exposition lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

let git: GitServer;
let slipway: TestServer;

beforeAll(async () => {
  git = await startGitServer();
  slipway = await startSlipway();
});
afterAll(async () => {
  await slipway?.close();
  await git?.close();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses exposition text (`name{a="b",...} value` lines; # lines are metadata). */
function parse(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

async function scrape() {
  const response = await slipway.api('GET', '/metrics');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(response.text);
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

describe('/metrics', () => {
  it('counts an open with its phases, a failure by code and a prebuild by result', async () => {
    const before = (await scrape()).samples;
    const { url } = await git.createRepo('metrics-repo', { '.gitpod.yml': 'tasks:\n  - command: echo hi\n', 'README.md': 'hi\n' });

    const created = await slipway.api('POST', '/api/workspaces', { contextUrl: url });
    expect(created.status).toBe(202);
    const workspace = await slipway.waitForStatus(created.body.id, ['running', 'failed']);
    expect(workspace.status, workspace.statusReason).toBe('running');

    const { url: brokenUrl } = await git.createRepo('metrics-broken', { '.gitpod.yml': 'tasks:\n  - command: [unclosed\n' });
    const broken = await slipway.api('POST', '/api/workspaces', { contextUrl: brokenUrl });
    expect((await slipway.waitForStatus(broken.body.id, ['running', 'failed'])).status).toBe('failed');

    const project = await slipway.api('POST', '/api/projects', { repoUrl: url });
    expect(project.status, project.text).toBe(201);
    const triggered = await slipway.api('POST', `/api/projects/${project.body.id}/prebuilds`, {});
    expect(triggered.status, triggered.text).toBeLessThan(300);
    const prebuildId = triggered.body.id;
    let prebuild: { status: string; error?: string } = { status: 'unknown' };
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      prebuild = (await slipway.api('GET', `/api/prebuilds/${prebuildId}`)).body;
      if (['ready', 'failed', 'canceled'].includes(prebuild.status)) break;
    }
    expect(prebuild.status, prebuild.error).toBe('ready');

    const { samples, types } = await scrape();
    expect(types.get('slipway_workspace_open_seconds')).toBe('histogram');
    // The open: one more in the total histogram and the counter, both labelled cold.
    const total = { phase: 'total', started_from: 'cold' };
    expect(value(samples, 'slipway_workspace_open_seconds_count', total)).toBe(value(before, 'slipway_workspace_open_seconds_count', total) + 1);
    expect(value(samples, 'slipway_workspace_opens_total', { started_from: 'cold' })).toBe(
      value(before, 'slipway_workspace_opens_total', { started_from: 'cold' }) + 1,
    );
    // Every step the workspace timed is a phase, and their sum is no more than the total.
    const phases = Object.keys(workspace.timings).filter((k) => k !== 'total');
    expect(phases).toEqual(expect.arrayContaining(['resolve', 'definition', 'image', 'container', 'checkout', 'tasks']));
    for (const phase of phases)
      expect(value(samples, 'slipway_workspace_open_seconds_count', { phase, started_from: 'cold' }), phase).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'slipway_workspace_open_seconds_sum', total) - value(before, 'slipway_workspace_open_seconds_sum', total)).toBeCloseTo(
      workspace.timings.total / 1000,
      2,
    );
    const inf = samples.find((s) => s.name === 'slipway_workspace_open_seconds_bucket' && s.labels.phase === 'total' && s.labels.le === '+Inf');
    expect(inf?.value).toBe(value(samples, 'slipway_workspace_open_seconds_count', total));

    expect(value(samples, 'slipway_workspace_failures_total', { reason: 'SLIPWAY_DEFINITION_INVALID' })).toBe(
      value(before, 'slipway_workspace_failures_total', { reason: 'SLIPWAY_DEFINITION_INVALID' }) + 1,
    );
    expect(value(samples, 'slipway_prebuilds_total', { result: 'ready' })).toBe(1);
    expect(value(samples, 'slipway_prebuild_duration_seconds_count', { result: 'ready' })).toBe(1);
    expect(value(samples, 'slipway_prebuild_duration_seconds_sum', { result: 'ready' })).toBeGreaterThan(0);

    // Gauges read at scrape time.
    expect(value(samples, 'slipway_workspaces', { status: 'running' })).toBe(1);
    expect(value(samples, 'slipway_workspaces', { status: 'failed' })).toBe(1);
    expect(samples.some((s) => s.name === 'slipway_prebuild_queue_depth' && s.value === 0)).toBe(true);

    // Process metrics: memory, event loop lag, GC.
    expect(value(samples, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(types.get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');
    expect(types.get('nodejs_gc_duration_seconds')).toBe('histogram');
    expect(value(samples, 'slipway_http_requests_total', { method: 'GET', status: '200' })).toBeGreaterThan(0);
  });
});
