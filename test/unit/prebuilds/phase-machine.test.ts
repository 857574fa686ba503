import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSlipwayError } from '../../../server/core/errors.js';
import { transitionPrebuild, type PrebuildEffect, type PrebuildEvent, type PrebuildPhase } from '../../../server/prebuilds/phase-machine.js';
import { applyPrebuildEvent } from '../../../server/prebuilds/records.js';
import { openDatabase } from '../../../server/store/db.js';
import { createPrebuildStore, type PrebuildRecord } from '../../../server/store/prebuilds.js';
import { createProjectStore } from '../../../server/store/projects.js';
import { createUserStore } from '../../../server/store/users.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:01:00.000Z';

function prebuild(status: PrebuildPhase, more: Partial<PrebuildRecord> = {}): PrebuildRecord {
  return {
    id: 'pb1',
    projectId: 'p1',
    repoUrl: 'https://example.com/r',
    branch: 'main',
    commit: 'a'.repeat(40),
    status,
    trigger: 'poll',
    imageRef: status === 'ready' ? 'slipway/prebuild-r:pb1' : null,
    baseImageRef: null,
    definitionHash: null,
    error: null,
    exitCode: null,
    tasks: [],
    createdAt: T0,
    startedAt: status === 'queued' ? null : T0,
    finishedAt: null,
    collectedAt: null,
    ...more,
  };
}

const PHASES: PrebuildPhase[] = ['queued', 'building', 'ready', 'failed', 'canceled'];
const EVENTS: Record<PrebuildEvent['type'], PrebuildEvent> = {
  start: { type: 'start', at: T1 },
  progress: { type: 'progress', definitionHash: 'h1', baseImageRef: 'base:1', tasks: [{ name: 'a', exitCode: 0, durationMs: 5 }] },
  succeed: { type: 'succeed', imageRef: 'slipway/prebuild-r:pb1', at: T1 },
  fail: { type: 'fail', reason: 'task "a" failed with exit code 2', exitCode: 2, at: T1 },
  cancel: { type: 'cancel', reason: 'canceled by user u1', at: T1 },
  aborted: { type: 'aborted', reason: 'canceled by user u1', at: T1 },
  supersede: { type: 'supersede', reason: 'superseded by a newer commit bbbbbbbbbbbb on main', at: T1 },
  collect: { type: 'collect', at: T1 },
};

/** Every (phase, event): the phase after it and the effects, or `refused`. */
type Outcome = [PrebuildPhase, PrebuildEffect[]] | 'refused';
const TABLE: Record<PrebuildPhase, Record<PrebuildEvent['type'], Outcome>> = {
  queued: {
    start: ['building', []],
    progress: 'refused',
    succeed: 'refused',
    fail: 'refused',
    cancel: ['canceled', ['dequeue', 'finished']],
    aborted: 'refused',
    supersede: ['canceled', ['finished']],
    collect: 'refused',
  },
  building: {
    start: 'refused',
    progress: ['building', []],
    succeed: ['ready', ['collect-snapshots', 'finished']],
    fail: ['failed', ['finished']],
    // A running prebuild is told to stop; it ends as `aborted` when the runner notices.
    cancel: ['building', ['abort-run']],
    aborted: ['canceled', ['finished']],
    supersede: 'refused',
    collect: 'refused',
  },
  ready: {
    start: 'refused',
    progress: 'refused',
    succeed: 'refused',
    fail: 'refused',
    cancel: 'refused',
    aborted: 'refused',
    supersede: ['ready', []],
    collect: ['ready', []],
  },
  failed: {
    start: 'refused',
    progress: 'refused',
    succeed: 'refused',
    fail: 'refused',
    cancel: 'refused',
    aborted: 'refused',
    supersede: ['failed', []],
    collect: 'refused',
  },
  canceled: {
    start: 'refused',
    progress: 'refused',
    succeed: 'refused',
    fail: 'refused',
    cancel: 'refused',
    aborted: 'refused',
    supersede: ['canceled', []],
    collect: 'refused',
  },
};

describe('prebuild phase machine', () => {
  const cases = PHASES.flatMap((phase) => Object.values(EVENTS).map((event) => [phase, event.type, TABLE[phase][event.type]] as const));
  it('the table covers every phase and event', () => {
    expect(cases).toHaveLength(PHASES.length * Object.keys(EVENTS).length);
  });

  it.each(cases)('%s + %s → %j', (phase, type, outcome) => {
    const before = prebuild(phase);
    const result = transitionPrebuild(before, EVENTS[type]);
    if (outcome === 'refused') {
      expect(result).toEqual({ ok: false, error: `cannot ${type} a prebuild that is ${phase}` });
      return;
    }
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.record.status).toBe(outcome[0]);
    expect(result.effects).toEqual(outcome[1]);
    expect(before.status).toBe(phase); // pure: the input is left as it was
  });

  it('records what each transition says happened', () => {
    const run = (record: PrebuildRecord, event: PrebuildEvent) => {
      const result = transitionPrebuild(record, event);
      if (!result.ok) throw new Error(result.error);
      return result.record;
    };
    expect(run(prebuild('queued'), EVENTS.start)).toMatchObject({ status: 'building', startedAt: T1, finishedAt: null });
    expect(run(prebuild('building'), EVENTS.progress)).toMatchObject({
      definitionHash: 'h1',
      baseImageRef: 'base:1',
      tasks: [{ name: 'a', exitCode: 0, durationMs: 5 }],
    });
    // Facts not in the event stay as they were.
    expect(run(prebuild('building', { definitionHash: 'h0' }), { type: 'progress', baseImageRef: 'b' })).toMatchObject({
      definitionHash: 'h0',
      baseImageRef: 'b',
    });
    expect(run(prebuild('building'), EVENTS.succeed)).toMatchObject({
      status: 'ready',
      imageRef: 'slipway/prebuild-r:pb1',
      exitCode: 0,
      error: null,
      finishedAt: T1,
    });
    expect(run(prebuild('building'), EVENTS.fail)).toMatchObject({ status: 'failed', error: 'task "a" failed with exit code 2', exitCode: 2, finishedAt: T1 });
    // A failure that is no task's (a timeout, a restart) keeps the exit code it had.
    expect(run(prebuild('building'), { type: 'fail', reason: 'timed out after 60 min', at: T1 })).toMatchObject({ status: 'failed', exitCode: null });
    expect(run(prebuild('queued'), EVENTS.cancel)).toMatchObject({ status: 'canceled', error: 'canceled by user u1', finishedAt: T1, startedAt: null });
    expect(run(prebuild('building'), EVENTS.cancel)).toEqual(prebuild('building'));
    expect(run(prebuild('building'), EVENTS.aborted)).toMatchObject({ status: 'canceled', error: 'canceled by user u1', finishedAt: T1 });
    expect(run(prebuild('queued'), EVENTS.supersede)).toMatchObject({ status: 'canceled', error: expect.stringMatching(/^superseded by a newer commit/) });
    expect(run(prebuild('ready'), EVENTS.collect)).toMatchObject({ status: 'ready', imageRef: null, collectedAt: T1 });
    // Collected already: nothing changes (the first collection's time stays).
    const collected = prebuild('ready', { imageRef: null, collectedAt: T0 });
    expect(run(collected, EVENTS.collect)).toEqual(collected);
    // A supersede of a job that ended meanwhile leaves it as it ended.
    const failed = prebuild('failed', { error: 'x', finishedAt: T0 });
    expect(run(failed, EVENTS.supersede)).toEqual(failed);
  });
});

describe('applyPrebuildEvent (the one writer of prebuild rows), on a real SQLite file', () => {
  function setup() {
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-prebuild-machine-'));
    const db = openDatabase(dir);
    createUserStore(db).create({ id: 'u1', username: 'ann', passwordHash: null, isAdmin: false });
    createProjectStore(db).insert({
      id: 'p1',
      ownerId: 'u1',
      name: 'r',
      repoUrl: 'https://example.com/r',
      repoKey: 'example.com/r',
      prebuildBranches: null,
      pollIntervalSeconds: 0,
      webhookSecretEnc: 'sealed',
      accessTokenEnc: null,
      pollHeads: null,
      lastPolledAt: null,
      pollError: null,
      createdAt: T0,
      updatedAt: T0,
    });
    const store = createPrebuildStore(db);
    store.insert(prebuild('queued'));
    return { store, close: () => (db.close(), rmSync(dir, { recursive: true, force: true })) };
  }

  it('applies to the stored row, not to an older copy, and saves the result', () => {
    const { store, close } = setup();
    try {
      const stale = store.get('pb1')!; // e.g. what the GC or a waiting request read earlier
      applyPrebuildEvent(store, 'pb1', EVENTS.start);
      applyPrebuildEvent(store, 'pb1', { type: 'progress', definitionHash: 'h1' });
      applyPrebuildEvent(store, 'pb1', { type: 'progress', tasks: [{ name: 'a', exitCode: 0, durationMs: 1 }] });
      expect(stale.status).toBe('queued');
      const { record, effects } = applyPrebuildEvent(store, 'pb1', EVENTS.succeed);
      expect(effects).toEqual(['collect-snapshots', 'finished']);
      expect(store.get('pb1')).toEqual(record);
      expect(record).toMatchObject({ status: 'ready', definitionHash: 'h1', tasks: [{ name: 'a' }], startedAt: T1, finishedAt: T1 });
    } finally {
      close();
    }
  });

  it('refuses what the machine refuses, with a SlipwayError, and writes nothing', () => {
    const { store, close } = setup();
    try {
      const before = store.get('pb1');
      let error: unknown;
      try {
        applyPrebuildEvent(store, 'pb1', EVENTS.succeed); // queued → ready skips the run
      } catch (e) {
        error = e;
      }
      expect(isSlipwayError(error) && error.code).toBe('SLIPWAY_PREBUILD_INVALID_STATE');
      expect(store.get('pb1')).toEqual(before);
      expect(() => applyPrebuildEvent(store, 'nope', EVENTS.start)).toThrow(/No prebuild/);
    } finally {
      close();
    }
  });
});
