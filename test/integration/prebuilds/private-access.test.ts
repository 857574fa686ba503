/**
 * A private repository fetched with one user's project token must not be
 * readable by another user through the shared mirror, token or snapshots.
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

describe('private repositories and other users', () => {
  it('refuses a user who owns no project holding a token, and lets the project owner open it', async () => {
    const owner = await slipway.newUser('alice');
    const stranger = await slipway.newUser('bob');
    const { url } = await git.createRepo('secret-repo', { 'README.md': 'secret\n' }, { private: { token: 'repo-token-1' } });
    const project = await slipway.api('POST', '/api/projects', { repoUrl: url, accessToken: 'repo-token-1', pollIntervalSeconds: 0 }, owner.token);
    expect(project.status).toBe(201);

    const refused = await slipway.api('POST', '/api/workspaces', { contextUrl: url }, stranger.token);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('SLIPWAY_GIT_ACCESS_DENIED');
    expect((await slipway.api('GET', '/api/workspaces', undefined, stranger.token)).body).toEqual([]);

    const allowed = await slipway.api('POST', '/api/workspaces', { contextUrl: url }, owner.token);
    expect(allowed.status).toBe(202);
    const workspace = await slipway.waitForStatus(allowed.body.id, ['running', 'failed'], owner.token);
    expect(workspace.status).toBe('running');
  });

  it('a public repository stays open to everyone even when a project holds a token for it', async () => {
    const owner = await slipway.newUser('carol');
    const other = await slipway.newUser('dave');
    const { url } = await git.createRepo('public-repo', { 'README.md': 'public\n' });
    await slipway.api('POST', '/api/projects', { repoUrl: url, accessToken: 'unneeded-token', pollIntervalSeconds: 0 }, owner.token);
    const opened = await slipway.api('POST', '/api/workspaces', { contextUrl: url }, other.token);
    expect(opened.status).toBe(202);
    await slipway.api('DELETE', `/api/workspaces/${opened.body.id}`, undefined, other.token);
  });
});
