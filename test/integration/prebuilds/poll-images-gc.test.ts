/**
 * A Git server with no webhook: polling picks up each push. Along the way:
 * a start waits for the running prebuild of its commit and streams its log;
 * an unrelated file change keeps the built image, a Dockerfile change makes
 * a new one; GC (keep 1 per branch) removes an old snapshot but never one a
 * workspace still uses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';
import { openWorkspace, removeSnapshots, waitForPrebuild } from './helpers.js';

const DEFINITION = `image:
  file: .gitpod/Dockerfile
  context: .gitpod
tasks:
  - name: build
    init: |
      echo "prebuild init for $(git rev-parse --short HEAD)"
      sleep 4
      cat /etc/slipway-test-version > built-with.txt
`;

let git: GitServer;
let server: TestServer;
let projectId = '';

beforeAll(async () => {
  git = await startGitServer();
  server = await startSlipway({ SLIPWAY_PREBUILDS_KEEP: '1' });
});
afterAll(async () => {
  await server?.close();
  if (server) await removeSnapshots(server, [projectId]);
  for (const image of await server.app.services.runtime.listImages({ 'slipway.repo': `${git.baseUrl}/imgs.git` }).catch(() => [])) {
    await server.app.services.runtime.removeImage(image.id).catch(() => {});
  }
  await git?.close();
});

async function nextPrebuild(projectId: string, count: number): Promise<any> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const list = (await server.api('GET', `/api/prebuilds?projectId=${projectId}`)).body as any[];
    if (list.length >= count) return list[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the poller queued no prebuild');
}

describe('polling, image cache keys and snapshot GC', () => {
  it('works through three pushes', async () => {
    const { url } = await git.createRepo('imgs', {
      '.gitpod.yml': DEFINITION,
      '.gitpod/Dockerfile': 'FROM slipway/workspace-base\nUSER root\nRUN echo v1 > /etc/slipway-test-version\nUSER slipway\n',
      'README.md': 'one\n',
    });
    const created = await server.api('POST', '/api/projects', { repoUrl: url, prebuildBranches: ['main'], pollIntervalSeconds: 1 });
    expect(created.status, created.text).toBe(201);
    projectId = created.body.id;
    // Registering takes the baseline: nothing is prebuilt until a push.
    expect(created.body.lastPolledAt).not.toBeNull();
    await new Promise((r) => setTimeout(r, 2500));
    expect((await server.api('GET', `/api/prebuilds?projectId=${projectId}`)).body).toEqual([]);

    // Push 1: picked up by polling.
    const c1 = await git.commit('imgs', { 'src.txt': 'code 1\n' }, 'c1');
    const p1 = await waitForPrebuild(server, (await nextPrebuild(projectId, 1)).id, ['ready', 'failed']);
    if (p1.status !== 'ready') console.log((await server.api('GET', `/api/prebuilds/${p1.id}/logs`)).text);
    expect(p1).toMatchObject({ status: 'ready', commit: c1, branch: 'main', trigger: 'poll' });
    const w1 = (await openWorkspace(server, url)).workspace;
    expect(w1).toMatchObject({ status: 'running', startedFrom: 'prebuild', image: p1.imageRef });

    // Push 2, a file outside the build context (.gitpod/): same built image. A start while it builds waits for it.
    const c2 = await git.commit('imgs', { 'README.md': 'two\n' }, 'c2');
    const pending = await nextPrebuild(projectId, 2);
    expect(pending.commit).toBe(c2);
    const w2 = (await openWorkspace(server, url)).workspace;
    const p2 = (await server.api('GET', `/api/prebuilds/${pending.id}`)).body;
    expect(p2.status).toBe('ready');
    expect(w2).toMatchObject({ status: 'running', startedFrom: 'prebuild', commit: c2, prebuild: { id: p2.id, reason: 'exact commit' } });
    const w2log = (await server.api('GET', `/api/workspaces/${w2.id}/logs`)).text;
    expect(w2log).toMatch(/waiting for it/);
    expect(w2log).toContain(`prebuild init for ${c2.slice(0, 7)}`);
    expect(p2.baseImageRef).toBe(p1.baseImageRef);
    expect(p1.baseImageRef).toMatch(/^slipway\/build-imgs:/);
    // Keep 1 per branch, but p1's snapshot is w1's image.
    expect(await server.app.services.runtime.imageExists(p1.imageRef)).toBe(true);
    expect((await server.api('DELETE', `/api/workspaces/${w2.id}`)).status).toBe(204);

    // Push 3, a Dockerfile change: a new image.
    const c3 = await git.commit(
      'imgs',
      { '.gitpod/Dockerfile': 'FROM slipway/workspace-base\nUSER root\nRUN echo v2 > /etc/slipway-test-version\nUSER slipway\n' },
      'c3',
    );
    const p3 = await waitForPrebuild(server, (await nextPrebuild(projectId, 3)).id, ['ready', 'failed']);
    expect(p3).toMatchObject({ status: 'ready', commit: c3 });
    expect(p3.baseImageRef).not.toBe(p1.baseImageRef);

    // GC ran after p3: p2 (no workspace) is collected, p1 (w1 uses it) is kept.
    // (GC runs right after p3 is saved as ready: give it a moment.)
    let after = (await server.api('GET', `/api/prebuilds/${p2.id}`)).body;
    for (let i = 0; i < 100 && !after.collected; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = (await server.api('GET', `/api/prebuilds/${p2.id}`)).body;
    }
    expect(after).toMatchObject({ status: 'ready', collected: true, imageRef: null });
    expect(await server.app.services.runtime.imageExists(p2.imageRef)).toBe(false);
    expect(await server.app.services.runtime.imageExists(p1.imageRef)).toBe(true);
    expect((await server.api('GET', `/api/prebuilds/${p1.id}`)).body.collected).toBe(false);

    // A start on c3 gets the new image's snapshot.
    const w3 = (await openWorkspace(server, url)).workspace;
    expect(w3).toMatchObject({ startedFrom: 'prebuild', image: p3.imageRef });
  });
});
