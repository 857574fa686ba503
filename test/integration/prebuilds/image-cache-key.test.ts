/**
 * The cache key of a Dockerfile image covers what the Dockerfile can read
 * from its context, not the whole repository (issue 17 item 4). The common
 * case: `image: {file: .gitpod.Dockerfile}` with the repository root as the
 * context. A one-line commit to an unrelated file reuses the built image, so
 * the prebuild of the parent commit is used incrementally; a change to a file
 * the Dockerfile copies builds a new image.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';
import { inWorkspace, openWorkspace, removeSnapshots, waitForPrebuild } from './helpers.js';

let git: GitServer;
let server: TestServer;
let projectId = '';
let repoUrl = '';

beforeAll(async () => {
  git = await startGitServer();
  server = await startSlipway({ SLIPWAY_GIT_HOSTS_ALLOW: '127.0.0.1' });
});
afterAll(async () => {
  await server?.close();
  if (server) await removeSnapshots(server, [projectId]);
  for (const image of await server.app.services.runtime.listImages({ 'slipway.repo': repoUrl }).catch(() => [])) {
    await server.app.services.runtime.removeImage(image.id).catch(() => {});
  }
  await git?.close();
});

describe('the cache key of a Dockerfile image with the repository root as context', () => {
  it('reuses the image for an unrelated commit (incremental prebuild) and rebuilds when a copied file changes', async () => {
    ({ url: repoUrl } = await git.createRepo('keyed', {
      '.gitpod.yml': 'image:\n  file: .gitpod.Dockerfile\ntasks:\n  - init: echo "init at $(git rev-parse --short HEAD)" > init-ran.txt\n',
      '.gitpod.Dockerfile': 'FROM slipway/workspace-base\nCOPY tools/ /opt/tools/\n',
      'tools/version': 'v1\n',
      'README.md': 'one\n',
    }));
    const created = await server.api('POST', '/api/projects', { repoUrl, prebuildBranches: ['main'] });
    expect(created.status, created.text).toBe(201);
    projectId = created.body.id;
    const triggered = await server.api('POST', `/api/projects/${projectId}/prebuilds`, {});
    expect(triggered.status, triggered.text).toBeLessThan(300);
    const p1 = await waitForPrebuild(server, triggered.body.id, ['ready', 'failed']);
    expect(p1.status, (await server.api('GET', `/api/prebuilds/${p1.id}/logs`)).text).toBe('ready');
    expect(p1.baseImageRef).toMatch(/^slipway\/build-keyed:/);

    // One line changed in a file the Dockerfile does not copy: same image, the parent's prebuild is used.
    const c2 = await git.commit('keyed', { 'README.md': 'two\n' }, 'unrelated');
    const w2 = (await openWorkspace(server, repoUrl)).workspace;
    expect(w2).toMatchObject({ status: 'running', commit: c2, startedFrom: 'incremental', prebuild: { id: p1.id, reason: 'ancestor 1 commit back' } });
    expect((await server.api('GET', `/api/workspaces/${w2.id}/logs`)).text).toContain(`${p1.baseImageRef} is up to date`);
    expect(await inWorkspace(server, w2.id, 'cat /opt/tools/version')).toBe('v1\n');

    // A change to what COPY reads: a new image, so the old prebuild is not used and says why.
    const c3 = await git.commit('keyed', { 'tools/version': 'v2\n' }, 'tools');
    const w3 = (await openWorkspace(server, repoUrl)).workspace;
    expect(w3).toMatchObject({ status: 'running', commit: c3, startedFrom: 'cold', prebuild: { reason: 'none: image changed since the last prebuild' } });
    expect(w3.image).toMatch(/^slipway\/build-keyed:/);
    expect(w3.image).not.toBe(p1.baseImageRef);
    expect(await inWorkspace(server, w3.id, 'cat /opt/tools/version')).toBe('v2\n');
  }, 300_000);
});
