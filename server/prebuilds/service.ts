/**
 * Prebuilds: trigger (webhook, poll, by hand), queue, run, cancel, list,
 * logs, and wait (a workspace start waiting for a prebuild of its commit).
 * Access follows the project: a user sees the prebuilds of their projects,
 * admins see all, others get 404.
 */
import { slipwayError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { LogRegistry } from '../core/log-stream.js';
import type { PrebuildMetrics } from '../metrics/metrics.js';
import type { GitMirrors } from '../git/index.js';
import { nowIso } from '../store/db.js';
import type { PrebuildRecord, PrebuildStore } from '../store/prebuilds.js';
import type { ProjectRecord } from '../store/projects.js';
import { branchMatches } from '../projects/branch-glob.js';
import type { ProjectCaller, ProjectService } from '../projects/service.js';
import type { createSnapshotCollector } from './gc.js';
import { transitionPrebuild, type PrebuildEvent } from './phase-machine.js';
import { createPrebuildQueue, type QueueJob } from './queue.js';
import { applyPrebuildEvent } from './records.js';
import type { PrebuildRunner } from './runner.js';
import { toApiPrebuild } from './view.js';

export interface TriggerResult {
  prebuild: PrebuildRecord;
  /** false when an equal prebuild (same project and commit) was queued, running or ready already. */
  created: boolean;
}

/** How long a prebuild ran, from its timestamps; null when it never started. */
function runMs(record: PrebuildRecord): number | null {
  if (!record.startedAt || !record.finishedAt) return null;
  return Date.parse(record.finishedAt) - Date.parse(record.startedAt);
}

export function createPrebuildService(deps: {
  store: PrebuildStore;
  projects: ProjectService;
  git: GitMirrors;
  logs: LogRegistry;
  run: PrebuildRunner;
  gc: ReturnType<typeof createSnapshotCollector>;
  concurrency: number;
  timeoutMs: number;
  logger: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
  metrics?: PrebuildMetrics;
}) {
  const { store, projects, git, logs } = deps;
  /** Resolvers of `waitFor` calls, per prebuild id. */
  const finishedWaiters = new Map<string, Set<() => void>>();

  function finished(id: string) {
    for (const resolve of finishedWaiters.get(id) ?? []) resolve();
    finishedWaiters.delete(id);
  }

  /** Snapshot collections started by a ready prebuild: its job ends (and its waiters wake) once they are done. */
  const collecting = new Map<string, Promise<unknown>>();

  /**
   * Every change of a stored prebuild after its insert: the phase machine
   * decides and `records.ts` saves; the effects are performed here. The
   * caller's copy (the runner's) is brought up to date.
   */
  function change(record: PrebuildRecord, event: PrebuildEvent): PrebuildRecord {
    const result = applyPrebuildEvent(store, record.id, event);
    Object.assign(record, result.record);
    for (const effect of result.effects) {
      // dequeue and abort-run: the queue forgets a job it no longer has, so the usual path (queue first) is not repeated.
      if (effect === 'dequeue' || effect === 'abort-run') queue.cancel(record.id, 'reason' in event ? event.reason : 'canceled');
      if (effect === 'collect-snapshots')
        collecting.set(
          record.id,
          deps.gc.collect(record.projectId).catch(() => []),
        );
      if (effect === 'finished') void (collecting.get(record.id) ?? Promise.resolve()).then(() => finished(record.id));
    }
    return record;
  }

  const queue = createPrebuildQueue({
    concurrency: deps.concurrency,
    timeoutMs: deps.timeoutMs,
    async run(job: QueueJob, signal: AbortSignal) {
      const record = store.get(job.id);
      if (!record || record.status !== 'queued') return;
      try {
        await deps.run(record, signal, { project: job.projectId, report: (event) => change(record, event) });
        deps.logger.info({ prebuild: record.id, status: record.status }, 'prebuild finished');
        deps.metrics?.prebuildFinished({ result: record.status, durationMs: runMs(record) });
      } finally {
        await collecting.get(job.id);
        collecting.delete(job.id);
        finished(job.id);
      }
    },
    onDropped(job, reason, kind) {
      const record = store.get(job.id);
      if (record && record.status === 'queued') {
        change(record, { type: kind === 'superseded' ? 'supersede' : 'cancel', reason, at: nowIso() });
        // Ended without running: counted, with no duration.
        deps.metrics?.prebuildFinished({ result: record.status, durationMs: null });
        const log = logs.start(record.id);
        log.line(`Prebuild canceled before it started: ${reason}`);
        log.end();
      }
      finished(job.id);
    },
  });

  function visibleProjectIds(caller: ProjectCaller): string[] {
    return projects.internal.list(caller.isAdmin ? {} : { ownerId: caller.id }).map((p) => p.id);
  }

  function owned(caller: ProjectCaller, id: string): PrebuildRecord {
    const record = store.get(id);
    if (!record || !visibleProjectIds(caller).includes(record.projectId)) {
      throw slipwayError('SLIPWAY_PREBUILD_NOT_FOUND', `No prebuild "${id}"`);
    }
    return record;
  }

  async function defaultBranch(project: ProjectRecord): Promise<string | null> {
    try {
      return (await git.resolve(project.repoUrl, { kind: 'default' }, { as: { project: project.id }, fetch: true })).branch;
    } catch {
      return null;
    }
  }

  const service = {
    queue,

    /** Queues a prebuild of a commit, unless one for the same project and commit is queued, running or ready. */
    trigger(project: ProjectRecord, input: { branch: string | null; commit: string; trigger: string }): TriggerResult {
      const commit = input.commit.toLowerCase();
      const existing = store
        .byCommit([project.id], commit)
        .find((p) => p.status === 'queued' || p.status === 'building' || (p.status === 'ready' && p.imageRef !== null));
      if (existing) return { prebuild: existing, created: false };
      const record: PrebuildRecord = {
        id: newId('pb'),
        projectId: project.id,
        repoUrl: project.repoUrl,
        branch: input.branch,
        commit,
        status: 'queued',
        trigger: input.trigger,
        imageRef: null,
        baseImageRef: null,
        definitionHash: null,
        error: null,
        exitCode: null,
        tasks: [],
        createdAt: nowIso(),
        startedAt: null,
        finishedAt: null,
        collectedAt: null,
      };
      store.insert(record);
      logs.start(record.id).line(`Queued (${input.trigger}): ${input.branch ?? 'detached'} @ ${commit.slice(0, 12)}`);
      queue.enqueue({ id: record.id, projectId: project.id, branch: record.branch, commit });
      deps.logger.info({ prebuild: record.id, project: project.id, commit, trigger: input.trigger }, 'prebuild queued');
      return { prebuild: record, created: true };
    },

    /** A verified push: queues a prebuild when the project prebuilds that branch. */
    async onPush(
      project: ProjectRecord,
      push: { branch: string; after: string },
      trigger: string,
    ): Promise<{ queued: TriggerResult | null; skipped?: string }> {
      const def = project.prebuildBranches === null ? await defaultBranch(project) : null;
      if (!branchMatches(project.prebuildBranches, push.branch, def)) {
        return {
          queued: null,
          skipped: `branch ${push.branch} is not prebuilt (prebuildBranches: ${project.prebuildBranches?.join(', ') ?? `default branch ${def ?? 'unknown'}`})`,
        };
      }
      return { queued: service.trigger(project, { branch: push.branch, commit: push.after, trigger }) };
    },

    /** By hand: a branch name, a commit sha, or nothing for the default branch. */
    async triggerByHand(caller: ProjectCaller, projectId: string, ref: unknown) {
      const project = projects.record(caller, projectId);
      if (ref !== undefined && ref !== null && (typeof ref !== 'string' || ref.trim() === '')) {
        throw slipwayError('SLIPWAY_PREBUILD_BAD_REQUEST', 'ref must be a branch name or a commit sha');
      }
      const text = typeof ref === 'string' ? ref.trim().replace(/^refs\/heads\//, '') : null;
      let resolved: { commit: string; branch: string | null };
      const as = { project: project.id };
      if (text && /^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(text)) {
        await git.ensure(project.repoUrl, { as, fetch: true });
        resolved = await git.resolve(project.repoUrl, { kind: 'commit', sha: text }, { as });
      } else {
        resolved = await git.resolve(project.repoUrl, text ? { kind: 'branch', name: text } : { kind: 'default' }, { as, fetch: true });
      }
      return service.trigger(project, { branch: resolved.branch, commit: resolved.commit, trigger: `manual:${caller.id}` });
    },

    list(caller: ProjectCaller, projectId?: string) {
      if (projectId) projects.record(caller, projectId);
      const ids = projectId ? [projectId] : visibleProjectIds(caller);
      return store.list({ projectIds: ids }).map(toApiPrebuild);
    },

    get(caller: ProjectCaller, id: string) {
      return toApiPrebuild(owned(caller, id));
    },

    log(caller: ProjectCaller, id: string) {
      owned(caller, id);
      return logs.get(id);
    },

    cancel(caller: ProjectCaller, id: string) {
      const record = owned(caller, id);
      const reason = `canceled by user ${caller.id}`;
      // The machine says whether it may be canceled (a finished prebuild may not); the queue then ends it.
      if (!transitionPrebuild(record, { type: 'cancel', reason, at: nowIso() }).ok) {
        throw slipwayError('SLIPWAY_PREBUILD_NOT_CANCELABLE', `The prebuild is ${record.status}; only a queued or building one can be canceled`);
      }
      // Queued: dropped, and onDropped records it; running: aborted, and the runner records it as `aborted`.
      // Unknown to the queue (e.g. queued while the server shuts down): the machine ends it here.
      if (queue.cancel(id, reason) === null) change(record, { type: 'cancel', reason, at: nowIso() });
      return toApiPrebuild(store.get(id)!);
    },

    /** Resolves when the prebuild has finished (any end state) or `timeoutMs` passed; true when finished. */
    waitFor(id: string, timeoutMs: number): Promise<boolean> {
      const record = store.get(id);
      if (!record || (record.status !== 'queued' && record.status !== 'building')) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          finishedWaiters.get(id)?.delete(done);
          resolve(false);
        }, timeoutMs);
        timer.unref();
        if (!finishedWaiters.has(id)) finishedWaiters.set(id, new Set());
        finishedWaiters.get(id)!.add(done);
      });
    },

    /** After a restart: queued work is queued again, work cut off mid-build failed. */
    recover() {
      for (const record of store.list({ status: 'building' })) {
        change(record, { type: 'fail', reason: 'the server restarted while this prebuild was running', at: nowIso() });
      }
      for (const record of store.list({ status: 'queued' }).reverse()) {
        queue.enqueue({ id: record.id, projectId: record.projectId, branch: record.branch, commit: record.commit });
      }
    },

    /** The project is being deleted: stop its work and remove its unused snapshots. */
    async projectDeleting(project: ProjectRecord) {
      for (const job of [...queue.queued, ...queue.running]) {
        if (job.projectId === project.id) queue.cancel(job.id, 'the project was deleted');
      }
      await Promise.all(store.list({ projectId: project.id }).map((p) => service.waitFor(p.id, 30_000)));
      await deps.gc.removeAll(project.id);
    },

    close: () => queue.close(),
  };
  return service;
}

export type PrebuildService = ReturnType<typeof createPrebuildService>;
