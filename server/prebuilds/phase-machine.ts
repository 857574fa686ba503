/**
 * The prebuild phase machine, a pure function as the workspace one
 * (workspaces/phase-machine.ts): (record, event) → (record, effects). It
 * decides what may happen to a prebuild and what must be done about it; the
 * prebuild service performs the effects, and `records.ts` is the one place
 * that saves its result. No I/O and no clock here (events carry their time),
 * so every transition is unit-tested.
 *
 * The phases keep the names the API has always used (DESIGN §7), so clients
 * see no change: `building` is the "running" phase, `canceled` the
 * "cancelled" one, and a prebuild superseded by a newer commit of its branch
 * before it started is `canceled` with the reason `superseded by ...`.
 */
import type { PrebuildRecord, PrebuildStatus, PrebuildTaskResult } from '../store/prebuilds.js';

/**
 * - queued: waiting for a slot in the queue.
 * - building: the runner works on it (fetch, image, container, tasks, snapshot).
 * - ready: the snapshot exists (until collected: `imageRef` null, `collectedAt` set).
 * - failed: a task, the definition, the image, a timeout or a server restart ended it.
 * - canceled: by a user, by the project's deletion, or superseded while queued.
 */
export type PrebuildPhase = PrebuildStatus;

export type PrebuildEvent =
  /** The queue gave it a slot and the runner begins. */
  | { type: 'start'; at: string }
  /** Facts the runner learned on the way, saved as it goes (the UI shows them live). */
  | { type: 'progress'; definitionHash?: string; baseImageRef?: string; tasks?: PrebuildTaskResult[] }
  /** The snapshot was committed and the build container removed. */
  | { type: 'succeed'; imageRef: string; at: string }
  | { type: 'fail'; reason: string; exitCode?: number | null; at: string }
  /** A request: a queued prebuild ends at once, a running one is told to stop (and ends as `aborted`). */
  | { type: 'cancel'; reason: string; at: string }
  /** The run ended because it was cancelled. */
  | { type: 'aborted'; reason: string; at: string }
  /** A newer commit on the branch took its place in the queue before it started. */
  | { type: 'supersede'; reason: string; at: string }
  /** Snapshot garbage collection removed its image; the row and log stay. */
  | { type: 'collect'; at: string };

export type PrebuildEffect =
  /** Take the job out of the queue: it never starts. */
  | 'dequeue'
  /** Abort the running job's signal; the runner ends it as `aborted`. */
  | 'abort-run'
  /** Collect the project's older snapshots (a new one is ready). */
  | 'collect-snapshots'
  /** Wake whoever waits for this prebuild to end (a workspace start). */
  | 'finished';

export type PrebuildTransition = { ok: true; record: PrebuildRecord; effects: PrebuildEffect[] } | { ok: false; error: string };

export const isFinished = (phase: PrebuildPhase): boolean => phase === 'ready' || phase === 'failed' || phase === 'canceled';

function to(record: PrebuildRecord, changes: Partial<PrebuildRecord>, effects: PrebuildEffect[] = []): PrebuildTransition {
  return { ok: true, record: { ...record, ...changes }, effects };
}

function refuse(record: PrebuildRecord, event: PrebuildEvent): PrebuildTransition {
  return { ok: false, error: `cannot ${event.type} a prebuild that is ${record.status}` };
}

export function transitionPrebuild(record: PrebuildRecord, event: PrebuildEvent): PrebuildTransition {
  const phase = record.status;
  switch (event.type) {
    case 'start':
      return phase === 'queued' ? to(record, { status: 'building', startedAt: event.at }) : refuse(record, event);
    case 'progress': {
      if (phase !== 'building') return refuse(record, event);
      const facts: Partial<PrebuildRecord> = {};
      if (event.definitionHash !== undefined) facts.definitionHash = event.definitionHash;
      if (event.baseImageRef !== undefined) facts.baseImageRef = event.baseImageRef;
      if (event.tasks !== undefined) facts.tasks = [...event.tasks];
      return to(record, facts);
    }
    case 'succeed':
      return phase === 'building'
        ? to(record, { status: 'ready', imageRef: event.imageRef, exitCode: 0, error: null, finishedAt: event.at }, ['collect-snapshots', 'finished'])
        : refuse(record, event);
    case 'fail':
      return phase === 'building'
        ? to(record, { status: 'failed', error: event.reason, exitCode: event.exitCode ?? record.exitCode, finishedAt: event.at }, ['finished'])
        : refuse(record, event);
    case 'cancel':
      if (phase === 'queued') return to(record, { status: 'canceled', error: event.reason, finishedAt: event.at }, ['dequeue', 'finished']);
      // It may be almost done: it ends when the runner notices, as `aborted`.
      if (phase === 'building') return to(record, {}, ['abort-run']);
      return refuse(record, event);
    case 'aborted':
      return phase === 'building' ? to(record, { status: 'canceled', error: event.reason, finishedAt: event.at }, ['finished']) : refuse(record, event);
    case 'supersede':
      if (phase === 'queued') return to(record, { status: 'canceled', error: event.reason, finishedAt: event.at }, ['finished']);
      // The queue drops only jobs that have not started; one that ended meanwhile stays as it ended.
      return isFinished(phase) ? to(record, {}) : refuse(record, event);
    case 'collect':
      if (phase !== 'ready') return refuse(record, event);
      return record.imageRef === null ? to(record, {}) : to(record, { imageRef: null, collectedAt: event.at });
  }
}
