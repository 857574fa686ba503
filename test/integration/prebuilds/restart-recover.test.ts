/**
 * A prebuild cut off by a crash (its row still `building` when the server
 * starts) ends `failed` through the prebuild phase machine, and stays an
 * ended prebuild: a cancel of it is refused.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/store/db.js';
import { createPrebuildStore } from '../../../server/store/prebuilds.js';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

let git: GitServer;
let scratch: string;
const servers: TestServer[] = [];

beforeAll(async () => {
  git = await startGitServer();
  scratch = await mkdtemp(path.join(tmpdir(), 'slipway-prebuild-recover-'));
});
afterAll(async () => {
  for (const s of servers.reverse()) await s.close().catch(() => {});
  await git?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('prebuilds after a crash', () => {
  it('a prebuild left building fails with the reason, and a cancel of it is refused', async () => {
    const dataDir = path.join(scratch, 'data');
    const first = await startSlipway({}, { dataDir });
    servers.push(first);
    const { url } = await git.createRepo('recover', { 'README.md': 'x\n' });
    const project = await first.api('POST', '/api/projects', { repoUrl: url, prebuildBranches: ['**'] });
    expect(project.status, project.text).toBe(201);
    await first.stop();

    // What a crash mid-build leaves in the store.
    const db = openDatabase(dataDir);
    createPrebuildStore(db).insert({
      id: 'pbcrashed',
      projectId: project.body.id,
      repoUrl: url,
      branch: 'main',
      commit: 'a'.repeat(40),
      status: 'building',
      trigger: 'poll',
      imageRef: null,
      baseImageRef: null,
      definitionHash: null,
      error: null,
      exitCode: null,
      tasks: [],
      createdAt: new Date().toISOString(),
      startedAt: new Date().toISOString(),
      finishedAt: null,
      collectedAt: null,
    });
    db.close();

    const second = await startSlipway({}, { dataDir });
    servers.push(second);
    const after = (await second.api('GET', '/api/prebuilds/pbcrashed')).body;
    expect(after).toMatchObject({ status: 'failed', error: 'the server restarted while this prebuild was running' });
    expect(after.finishedAt).not.toBeNull();
    const cancel = await second.api('POST', '/api/prebuilds/pbcrashed/cancel');
    expect(cancel.status).toBe(409);
    expect(cancel.body.code).toBe('SLIPWAY_PREBUILD_NOT_CANCELABLE');
  });
});
