/**
 * The prebuild queue: bounded concurrency, one job per (project, commit),
 * and a newer commit on a branch supersedes a still-queued older one (the
 * older result would be stale before anyone used it). A running job is only
 * stopped by an explicit cancel or its timeout: it may be almost done.
 */

export interface QueueJob {
  id: string;
  projectId: string;
  branch: string | null;
  commit: string;
}

export interface EnqueuePlan {
  /** An equal job already queued or running: nothing new is queued. */
  duplicateOf: string | null;
  /** Queued (not running) jobs of the same project and branch with another commit. */
  supersede: string[];
}

/** The decision of `enqueue`, pure so it is unit-tested on its own. */
export function planEnqueue(queued: readonly QueueJob[], running: readonly QueueJob[], job: QueueJob): EnqueuePlan {
  const same = (j: QueueJob) => j.projectId === job.projectId && j.commit === job.commit;
  const duplicate = running.find(same) ?? queued.find(same);
  if (duplicate) return { duplicateOf: duplicate.id, supersede: [] };
  const supersede =
    job.branch === null ? [] : queued.filter((j) => j.projectId === job.projectId && j.branch === job.branch && j.commit !== job.commit).map((j) => j.id);
  return { duplicateOf: null, supersede };
}

export interface PrebuildQueue {
  enqueue(job: QueueJob): EnqueuePlan;
  /** 'queued' when it was removed before starting, 'running' when its signal was aborted, null when unknown. */
  cancel(id: string, reason: string): 'queued' | 'running' | null;
  state(id: string): 'queued' | 'running' | null;
  readonly queued: readonly QueueJob[];
  readonly running: readonly QueueJob[];
  /** Resolves once nothing is queued or running. */
  idle(): Promise<void>;
  /** Cancels everything and waits for running jobs to end. */
  close(): Promise<void>;
}

export function createPrebuildQueue(options: {
  concurrency: number;
  /** Does the work; must settle soon after `signal` aborts (signal.reason holds the why). */
  run(job: QueueJob, signal: AbortSignal): Promise<void>;
  /** A queued job that never started: superseded by a newer commit of its branch, or canceled. */
  onDropped(job: QueueJob, reason: string, kind: 'superseded' | 'canceled'): void;
  timeoutMs?: number;
}): PrebuildQueue {
  const queued: QueueJob[] = [];
  const running = new Map<string, { job: QueueJob; controller: AbortController; done: Promise<void> }>();
  let closed = false;
  let waiters: (() => void)[] = [];

  function settleIdle() {
    if (queued.length > 0 || running.size > 0) return;
    const current = waiters;
    waiters = [];
    for (const resolve of current) resolve();
  }

  function pump() {
    while (!closed && running.size < options.concurrency && queued.length > 0) {
      const job = queued.shift()!;
      const controller = new AbortController();
      const timer = options.timeoutMs
        ? setTimeout(() => controller.abort(new Error(`timed out after ${Math.round(options.timeoutMs! / 60_000)} min`)), options.timeoutMs)
        : null;
      timer?.unref();
      const done = Promise.resolve()
        .then(() => options.run(job, controller.signal))
        .catch(() => {
          // The runner records its own failures; a throw here must not stop the queue.
        })
        .finally(() => {
          if (timer) clearTimeout(timer);
          running.delete(job.id);
          pump();
          settleIdle();
        });
      running.set(job.id, { job, controller, done });
    }
  }

  function drop(id: string, reason: string, kind: 'superseded' | 'canceled'): boolean {
    const index = queued.findIndex((j) => j.id === id);
    if (index < 0) return false;
    const [job] = queued.splice(index, 1);
    options.onDropped(job!, reason, kind);
    return true;
  }

  return {
    enqueue(job) {
      const plan = planEnqueue(
        queued,
        [...running.values()].map((r) => r.job),
        job,
      );
      if (plan.duplicateOf) return plan;
      for (const id of plan.supersede) drop(id, `superseded by a newer commit ${job.commit.slice(0, 12)} on ${job.branch}`, 'superseded');
      queued.push(job);
      queueMicrotask(pump);
      return plan;
    },
    cancel(id, reason) {
      if (drop(id, reason, 'canceled')) {
        settleIdle();
        return 'queued';
      }
      const entry = running.get(id);
      if (!entry) return null;
      entry.controller.abort(new Error(reason));
      return 'running';
    },
    state(id) {
      if (running.has(id)) return 'running';
      return queued.some((j) => j.id === id) ? 'queued' : null;
    },
    get queued() {
      return [...queued];
    },
    get running() {
      return [...running.values()].map((r) => r.job);
    },
    idle() {
      if (queued.length === 0 && running.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    async close() {
      closed = true;
      // Queued jobs stay queued in the store: the next start queues them again.
      queued.length = 0;
      for (const entry of running.values()) entry.controller.abort(new Error('the server is shutting down'));
      await Promise.allSettled([...running.values()].map((r) => r.done));
    },
  };
}
