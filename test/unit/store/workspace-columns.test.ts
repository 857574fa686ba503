/**
 * One writer per column, on a real SQLite file: a whole `save` by the
 * workspace service never undoes a narrow change (port visibility,
 * activity) made after it read the record; a project's settings save never
 * undoes what the poller recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../server/store/db.js';
import { createProjectStore } from '../../../server/store/projects.js';
import { createUserStore } from '../../../server/store/users.js';
import { createWorkspaceStore, type WorkspaceRecord } from '../../../server/store/workspaces.js';

const opened: { db: Db; dir: string }[] = [];
afterEach(() => {
  for (const { db, dir } of opened.splice(0)) {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-columns-'));
  const db = openDatabase(dir);
  opened.push({ db, dir });
  createUserStore(db).create({ id: 'u1', username: 'ann', passwordHash: null, isAdmin: false });
  const store = createWorkspaceStore(db);
  const at = '2026-01-01T00:00:00.000Z';
  const record: WorkspaceRecord = {
    id: 'w1',
    ownerId: 'u1',
    contextUrl: 'https://example.com/r',
    repoUrl: 'https://example.com/r',
    repoName: 'r',
    branch: 'main',
    commit: null,
    status: 'running',
    statusReason: null,
    phases: [{ phase: 'running', at, reason: null }],
    timings: {},
    containerId: 'c1',
    imageRef: 'img',
    startedFrom: 'cold',
    prebuild: null,
    spec: null,
    definitionFile: null,
    portVisibility: { '8080': 'public' },
    createdOnce: true,
    lifecycle: null,
    createdAt: at,
    updatedAt: at,
    lastActivityAt: at,
  };
  store.insert(record);
  return { store };
}

describe('workspace store: one writer per column', () => {
  it('a whole save of an older copy keeps visibility and activity changed since', () => {
    const { store } = setup();
    const held = store.get('w1')!; // what a workspace operation holds while it works
    expect(store.setPortVisibility('w1', 3000, 'public')).toBe(true);
    expect(store.setPortVisibility('w1', 8080, 'private')).toBe(true);
    store.touch('w1');
    held.status = 'stopped';
    held.statusReason = 'stopped by its owner';
    store.save(held);
    const now = store.get('w1')!;
    expect(now.status).toBe('stopped');
    expect(now.statusReason).toBe('stopped by its owner');
    expect(now.portVisibility).toEqual({ '8080': 'private', '3000': 'public' });
    expect(now.lastActivityAt).not.toBe('2026-01-01T00:00:00.000Z');
  });

  it('a failed lifecycle command round-trips (migration 5)', () => {
    const { store } = setup();
    const record = store.get('w1')!;
    expect(record.lifecycle).toBeNull();
    record.lifecycle = { failed: { command: 'postCreateCommand', exitCode: 3, at: '2026-01-01T00:00:01.000Z' } };
    store.save(record);
    expect(store.get('w1')!.lifecycle).toEqual({ failed: { command: 'postCreateCommand', exitCode: 3, at: '2026-01-01T00:00:01.000Z' } });
  });

  it('changes of different ports from stale copies all stay (one UPDATE each, no read-modify-write)', () => {
    const { store } = setup();
    for (const [port, visibility] of [
      [3000, 'public'],
      [3001, 'public'],
      [3000, 'private'],
      [3002, 'public'],
    ] as const)
      store.setPortVisibility('w1', port, visibility);
    expect(store.get('w1')!.portVisibility).toEqual({ '8080': 'public', '3000': 'private', '3001': 'public', '3002': 'public' });
  });

  it('says when there is no such workspace, and refuses a port that is not a whole number', () => {
    const { store } = setup();
    expect(store.setPortVisibility('nope', 3000, 'public')).toBe(false);
    expect(() => store.setPortVisibility('w1', 1.5, 'public')).toThrow(/not a port/);
    expect(() => store.setPortVisibility('w1', Number.NaN, 'public')).toThrow(/not a port/);
  });
});

describe('project store: settings and poll state have one writer each', () => {
  it('a settings save of an older copy keeps the poll recorded since, and a failed poll keeps the heads', () => {
    setup();
    const db = opened.at(-1)!.db;
    const projects = createProjectStore(db);
    const at = '2026-01-01T00:00:00.000Z';
    projects.insert({
      id: 'p1',
      ownerId: 'u1',
      name: 'r',
      repoUrl: 'https://example.com/r',
      repoKey: 'example.com/r',
      prebuildBranches: null,
      pollIntervalSeconds: 60,
      webhookSecretEnc: 'sealed',
      accessTokenEnc: null,
      pollHeads: null,
      lastPolledAt: null,
      pollError: null,
      createdAt: at,
      updatedAt: at,
    });
    const held = projects.get('p1')!; // the project service's copy, read before the poll
    projects.recordPoll('p1', { at: '2026-01-01T00:01:00.000Z', heads: { main: 'a'.repeat(40) } });
    held.name = 'renamed';
    projects.save(held);
    expect(projects.get('p1')).toMatchObject({
      name: 'renamed',
      pollHeads: { main: 'a'.repeat(40) },
      lastPolledAt: '2026-01-01T00:01:00.000Z',
      pollError: null,
    });
    projects.recordPoll('p1', { at: '2026-01-01T00:02:00.000Z', error: 'unreachable' });
    expect(projects.get('p1')).toMatchObject({ pollHeads: { main: 'a'.repeat(40) }, lastPolledAt: '2026-01-01T00:02:00.000Z', pollError: 'unreachable' });
  });
});
