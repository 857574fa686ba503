/**
 * Prometheus metrics of one server (prom-client): default process metrics
 * (memory, CPU, event loop lag, GC), how long workspace opens take per
 * startup step, prebuild durations and results, failures by error code, and
 * gauges read at scrape time. One registry per app, never prom-client's
 * global one: tests run several servers in one process.
 *
 * Label values come from code (step names, error codes, statuses), never
 * from users: the number of series stays bounded.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds. Opens take about a second to minutes (cold, big images). */
const OPEN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300, 600];
/** Seconds. Prebuilds take seconds to an hour (SLIPWAY_PREBUILD_TIMEOUT_MINUTES). */
const PREBUILD_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];

/** Keys of a workspace's `timings` that are not steps of its first open. */
const NOT_OPEN_STEPS = new Set(['total', 'restart', 'restartTotal']);
const STEP_NAME = /^[a-z][a-zA-Z0-9-]{0,40}$/;
const ERROR_CODE = /^SLIPWAY_[A-Z0-9_]{1,60}$/;

/** What the workspace service records (server/workspaces/deps.ts). */
export interface WorkspaceMetrics {
  /** A first open reached `running`: its step timings (ms) and how it started. */
  workspaceOpened(open: { startedFrom: string | null; timingsMs: Record<string, number> }): void;
  /** A start ended in `failed`; `code` is the error's SLIPWAY_* code (anything else counts as `unexpected`). */
  workspaceFailed(code: string | null): void;
}

/** What the prebuild service records when a prebuild ends (ready, failed, canceled, ...). */
export interface PrebuildMetrics {
  prebuildFinished(prebuild: { result: string; durationMs: number | null }): void;
}

/** Read at scrape time, so the numbers are never stale. */
export interface MetricSources {
  workspacesByStatus(): Record<string, number>;
  prebuildQueueDepth(): number;
}

export interface Metrics extends WorkspaceMetrics, PrebuildMetrics {
  /** One answered HTTP request (method and status only: bounded). */
  httpResponse(method: string, status: number): void;
  /** The exposition text, and the Content-Type it goes with. */
  text(): Promise<string>;
  readonly contentType: string;
  /** Every metric name this registry exposes (the dashboard test checks against it). */
  names(): string[];
}

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const openSeconds = new Histogram({
    name: 'slipway_workspace_open_seconds',
    help: 'Time to open a workspace (create to running), per startup step and in total',
    labelNames: ['phase', 'started_from'] as const,
    buckets: OPEN_BUCKETS,
    registers,
  });
  const opens = new Counter({
    name: 'slipway_workspace_opens_total',
    help: 'Workspaces opened (first start reached running)',
    labelNames: ['started_from'] as const,
    registers,
  });
  const failures = new Counter({
    name: 'slipway_workspace_failures_total',
    help: 'Workspace starts that failed, by error code',
    labelNames: ['reason'] as const,
    registers,
  });
  const prebuildSeconds = new Histogram({
    name: 'slipway_prebuild_duration_seconds',
    help: 'Time a prebuild ran (start to end), by result',
    labelNames: ['result'] as const,
    buckets: PREBUILD_BUCKETS,
    registers,
  });
  const prebuilds = new Counter({ name: 'slipway_prebuilds_total', help: 'Prebuilds that ended, by result', labelNames: ['result'] as const, registers });
  const httpRequests = new Counter({
    name: 'slipway_http_requests_total',
    help: 'HTTP requests answered',
    labelNames: ['method', 'status'] as const,
    registers,
  });
  new Gauge({
    name: 'slipway_workspaces',
    help: 'Workspaces by status',
    labelNames: ['status'] as const,
    registers,
    collect() {
      // Reset first: a status no workspace has any more must not keep its old count.
      this.reset();
      for (const [status, count] of Object.entries(sources.workspacesByStatus())) this.set({ status }, count);
    },
  });
  new Gauge({
    name: 'slipway_prebuild_queue_depth',
    help: 'Prebuilds queued and not yet running',
    registers,
    collect() {
      this.set(sources.prebuildQueueDepth());
    },
  });

  return {
    workspaceOpened({ startedFrom, timingsMs }) {
      const from = startedFrom ?? 'unknown';
      for (const [phase, ms] of Object.entries(timingsMs)) {
        if (NOT_OPEN_STEPS.has(phase) || !STEP_NAME.test(phase) || !Number.isFinite(ms)) continue;
        openSeconds.observe({ phase, started_from: from }, ms / 1000);
      }
      if (Number.isFinite(timingsMs.total)) openSeconds.observe({ phase: 'total', started_from: from }, timingsMs.total! / 1000);
      opens.inc({ started_from: from });
    },
    workspaceFailed(code) {
      failures.inc({ reason: code && ERROR_CODE.test(code) ? code : 'unexpected' });
    },
    prebuildFinished({ result, durationMs }) {
      prebuilds.inc({ result });
      if (durationMs !== null && Number.isFinite(durationMs)) prebuildSeconds.observe({ result }, durationMs / 1000);
    },
    httpResponse(method, status) {
      httpRequests.inc({ method, status: String(status) });
    },
    text: () => registry.metrics(),
    contentType: registry.contentType,
    names: () => registry.getMetricsAsArray().map((m) => m.name),
  };
}
