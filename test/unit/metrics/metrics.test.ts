/**
 * The metrics registry (server/metrics/metrics.ts) and the Grafana dashboard
 * in docs/: every metric the dashboard queries is one the registry exposes,
 * and every Slipway metric is on the dashboard. Label values stay bounded.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../server/metrics/metrics.js';

const sources = { workspacesByStatus: () => ({ running: 2, stopped: 1 }), prebuildQueueDepth: () => 3 };

/** Every PromQL expression in a dashboard, panels inside rows and template queries included. */
function expressions(dashboard: unknown): string[] {
  const out: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if ((key === 'expr' || key === 'definition') && typeof v === 'string') out.push(v);
        else walk(v);
      }
    }
  };
  walk(dashboard);
  return out;
}

/** Metric names in PromQL (labels and functions never start with these prefixes). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b((?:slipway|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1]!);
}

describe('metrics registry', () => {
  it('exposes process metrics and the Slipway metrics, with gauges read at scrape time', async () => {
    const metrics = createMetrics(sources);
    metrics.workspaceOpened({ startedFrom: 'cold', timingsMs: { resolve: 200, image: 10, container: 900, tasks: 250, total: 1500, restart: 5 } });
    metrics.workspaceFailed('SLIPWAY_DEFINITION_INVALID');
    metrics.workspaceFailed(null);
    metrics.prebuildFinished({ result: 'ready', durationMs: 12_000 });
    metrics.prebuildFinished({ result: 'canceled', durationMs: null });
    const text = await metrics.text();
    for (const name of ['process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds'])
      expect(text).toContain(`# TYPE ${name} `);
    expect(text).toMatch(/^slipway_workspace_open_seconds_count\{phase="total",started_from="cold"\} 1$/m);
    expect(text).toMatch(/^slipway_workspace_open_seconds_sum\{phase="container",started_from="cold"\} 0\.9$/m);
    // A restart is not a step of the open.
    expect(text).not.toMatch(/phase="restart"/);
    expect(text).toMatch(/^slipway_workspace_opens_total\{started_from="cold"\} 1$/m);
    expect(text).toMatch(/^slipway_workspace_failures_total\{reason="SLIPWAY_DEFINITION_INVALID"\} 1$/m);
    expect(text).toMatch(/^slipway_workspace_failures_total\{reason="unexpected"\} 1$/m);
    expect(text).toMatch(/^slipway_prebuild_duration_seconds_count\{result="ready"\} 1$/m);
    expect(text).not.toMatch(/slipway_prebuild_duration_seconds_count\{result="canceled"\}/);
    expect(text).toMatch(/^slipway_prebuilds_total\{result="canceled"\} 1$/m);
    expect(text).toMatch(/^slipway_workspaces\{status="running"\} 2$/m);
    expect(text).toMatch(/^slipway_prebuild_queue_depth 3$/m);
  });

  it('keeps label values bounded: free text never becomes a failure reason', async () => {
    const metrics = createMetrics(sources);
    metrics.workspaceFailed('The definition file is invalid: line 3');
    metrics.workspaceFailed('SLIPWAY_X"} 1\nevil');
    expect(await metrics.text()).toMatch(/^slipway_workspace_failures_total\{reason="unexpected"\} 2$/m);
  });

  it('a status no workspace has any more drops out of the gauge', async () => {
    let byStatus: Record<string, number> = { starting: 1 };
    const metrics = createMetrics({ workspacesByStatus: () => byStatus, prebuildQueueDepth: () => 0 });
    expect(await metrics.text()).toMatch(/^slipway_workspaces\{status="starting"\} 1$/m);
    byStatus = { running: 1 };
    const text = await metrics.text();
    expect(text).not.toMatch(/status="starting"/);
    expect(text).toMatch(/^slipway_workspaces\{status="running"\} 1$/m);
  });

  it('two registries in one process do not share counts', async () => {
    const a = createMetrics(sources);
    const b = createMetrics(sources);
    a.workspaceFailed('SLIPWAY_A');
    expect(await a.text()).toContain('reason="SLIPWAY_A"');
    expect(await b.text()).not.toContain('reason="SLIPWAY_A"');
  });
});

describe('docs/grafana-dashboard.json', () => {
  const dashboard = JSON.parse(readFileSync(new URL('../../../docs/grafana-dashboard.json', import.meta.url), 'utf8'));
  const metrics = createMetrics(sources);
  const exposed = new Set(metrics.names());
  // A histogram is queried through its _bucket, _sum and _count series.
  const series = (name: string) => name.replace(/_(bucket|sum|count)$/, '');

  it('queries only metrics the registry exposes', () => {
    const used = expressions(dashboard).flatMap(metricNames);
    expect(used.length).toBeGreaterThan(10);
    const unknown = used.filter((name) => !exposed.has(name) && !exposed.has(series(name)));
    expect(unknown).toEqual([]);
  });

  it('graphs every Slipway metric and the process ones operators ask for', () => {
    const used = new Set(expressions(dashboard).flatMap(metricNames).map(series));
    const wanted = [...exposed].filter((name) => name.startsWith('slipway_'));
    expect(wanted.length).toBe(8);
    wanted.push('process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds');
    expect(wanted.filter((name) => !used.has(name))).toEqual([]);
  });

  it('is a dashboard Grafana imports: panels with ids, a Prometheus data source variable', () => {
    const panels = dashboard.panels as { id: number; type: string; datasource?: { uid?: string }; targets?: unknown[] }[];
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    expect(dashboard.templating.list.some((v: { type: string; query: string }) => v.type === 'datasource' && v.query === 'prometheus')).toBe(true);
    expect(panels.filter((p) => p.type !== 'row').every((p) => p.datasource?.uid === '${datasource}' && (p.targets?.length ?? 0) > 0)).toBe(true);
  });
});
