/**
 * The prebuild flow end to end, with real Docker, a real git server over
 * HTTP and real signed webhooks: push → webhook → prebuild → ready → open
 * from the snapshot (init not run again, its output replayed in the task
 * terminal); a later commit starts incrementally from the ancestor; quick
 * pushes supersede a queued prebuild; cancel; a failing init → failed and a
 * cold start. Timings are printed for the report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';
import { connectTerminal } from '../../helpers/terminal-client.js';
import { githubPush, inWorkspace, openWorkspace, removeSnapshots, waitForPrebuild } from './helpers.js';

const GITPOD_YML = `tasks:
  - name: setup
    init: |
      echo "init: installing dependencies"
      sleep 3
      mkdir -p node_modules && echo built > node_modules/marker
      date +%s > init-done.txt
      echo run >> .init-runs
      echo "init wrote init-done.txt"
    command: echo "command ran after $(wc -l < .init-runs) init run(s)"
`;

let git: GitServer;
let server: TestServer;
const numbers: Record<string, number | string> = {};
const projectIds: string[] = [];

beforeAll(async () => {
  git = await startGitServer();
  server = await startSlipway();
});
afterAll(async () => {
  console.log('PREBUILD NUMBERS', JSON.stringify(numbers, null, 2));
  await server?.close();
  if (server) await removeSnapshots(server, projectIds);
  await git?.close();
});

async function project(repoUrl: string, body: Record<string, unknown> = {}) {
  const created = await server.api('POST', '/api/projects', { repoUrl, prebuildBranches: ['**'], ...body });
  expect(created.status, created.text).toBe(201);
  projectIds.push(created.body.id);
  return created.body as { id: string; webhookSecret: string };
}

describe('prebuilds', () => {
  let repoUrl: string;
  let firstCommit: string;
  let secret: string;

  it('push → signed webhook → prebuild ready → open from it: init done, not run again, its log replayed', async () => {
    ({ url: repoUrl } = await git.createRepo('app', { 'README.md': 'app\n', 'old.txt': 'to be deleted\n' }));
    const p = await project(repoUrl);
    secret = p.webhookSecret;
    firstCommit = await git.commit('app', { '.gitpod.yml': GITPOD_YML }, 'add definition');

    const hook = await githubPush(server, secret, { repoUrl, branch: 'main', after: firstCommit, deliveryId: 'flow-1' });
    expect(hook.status, hook.text).toBe(202);
    expect(hook.body.prebuilds).toHaveLength(1);
    const id = hook.body.prebuilds[0].id as string;
    expect(hook.body.prebuilds[0]).toMatchObject({ branch: 'main', commit: firstCommit, created: true });
    // A redelivery of the same push queues nothing.
    expect((await githubPush(server, secret, { repoUrl, branch: 'main', after: firstCommit, deliveryId: 'flow-1' })).body.ignored).toBe('duplicate delivery');

    // The log streams live while it runs and ends when it ends.
    const follow = await fetch(`${server.baseUrl}/api/prebuilds/${id}/logs?follow=1`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    const streamed = await follow.text();
    expect(streamed).toContain('init wrote init-done.txt');
    expect(streamed).toMatch(/Prebuild ready/);

    const ready = await waitForPrebuild(server, id, ['ready', 'failed']);
    expect(ready.status, ready.error).toBe('ready');
    expect(ready).toMatchObject({ projectId: p.id, commit: firstCommit, branch: 'main', trigger: 'webhook:github', imageRef: `slipway/prebuild-app:${id}` });
    expect(ready.tasks).toEqual([{ name: 'setup', exitCode: 0, durationMs: expect.any(Number) }]);
    expect(ready.definitionHash).toMatch(/^[0-9a-f]{64}$/);
    const labels = await server.app.services.runtime.imageLabels(ready.imageRef);
    expect(labels).toMatchObject({
      'slipway.kind': 'prebuild',
      'slipway.project': p.id,
      'slipway.commit': firstCommit,
      'slipway.definition-hash': ready.definitionHash,
    });
    numbers.prebuildDurationMs = ready.durationMs;
    numbers.prebuildInitTaskMs = ready.tasks[0].durationMs;
    expect((await server.api('GET', `/api/prebuilds?projectId=${p.id}`)).body.map((x: { id: string }) => x.id)).toEqual([id]);

    const openedAt = Date.now();
    const { workspace, wallMs } = await openWorkspace(server, repoUrl);
    expect(workspace.status, workspace.statusReason).toBe('running');
    expect(workspace.startedFrom).toBe('prebuild');
    expect(workspace.prebuild).toEqual({ id, commit: firstCommit, reason: 'exact commit' });
    expect(workspace.image).toBe(ready.imageRef);
    numbers.openFromPrebuildWallMs = wallMs;
    numbers.openFromPrebuildTimings = JSON.stringify(workspace.timings);

    const terminal = await connectTerminal(server.baseUrl, workspace.id, workspace.tasks[0].terminalId, { token: server.adminToken });
    const screen = await terminal.waitFor('command ran after 1 init run(s)');
    numbers.readyToCodeFromPrebuildMs = Date.now() - openedAt;
    // The task terminal first shows what init printed in the prebuild.
    expect(screen).toContain('init: installing dependencies');
    expect(screen).toContain('init wrote init-done.txt');
    expect(screen.indexOf('init wrote init-done.txt')).toBeLessThan(screen.indexOf('command ran after'));
    await terminal.close();
    expect(
      await inWorkspace(server, workspace.id, 'cd /workspace/app && cat .init-runs && cat node_modules/marker && test -s init-done.txt && echo has-file'),
    ).toBe('run\nbuilt\nhas-file\n');
  });

  it('a later commit starts from the ancestor incrementally: checkout brought forward, untracked outputs kept, init again', async () => {
    const second = await git.commit('app', { 'README.md': 'app v2\n', 'new.txt': 'new\n', 'old.txt': null }, 'second');
    const started = Date.now();
    const { workspace } = await openWorkspace(server, repoUrl);
    expect(workspace.status, workspace.statusReason).toBe('running');
    expect(workspace.commit).toBe(second);
    expect(workspace.startedFrom).toBe('incremental');
    expect(workspace.prebuild).toMatchObject({ commit: firstCommit, reason: 'ancestor 1 commit back' });
    const terminal = await connectTerminal(server.baseUrl, workspace.id, workspace.tasks[0].terminalId, { token: server.adminToken });
    await terminal.waitFor('command ran after 2 init run(s)', 60_000);
    numbers.readyToCodeIncrementalMs = Date.now() - started;
    await terminal.close();
    const files = await inWorkspace(
      server,
      workspace.id,
      'cd /workspace/app && ls -A | sort | tr "\\n" " "; echo; cat README.md; git status --porcelain --untracked-files=no; git rev-parse HEAD',
    );
    expect(files).toContain('new.txt');
    expect(files).not.toContain('old.txt');
    expect(files).toContain('node_modules');
    expect(files).toContain('app v2');
    expect(files.trim().endsWith(second)).toBe(true);
  });

  it('two quick pushes: the older queued prebuild is canceled; a running one can be canceled', async () => {
    const { url } = await git.createRepo('slow', { '.gitpod.yml': 'tasks:\n  - init: echo start; sleep 60\n' });
    const p = await project(url);
    const a = await git.commit('slow', { 'a.txt': 'a' }, 'a');
    const runA = (await githubPush(server, p.webhookSecret, { repoUrl: url, branch: 'main', after: a })).body.prebuilds[0].id;
    await waitForPrebuild(server, runA, ['building']);
    const b = await git.commit('slow', { 'b.txt': 'b' }, 'b');
    const queuedB = (await githubPush(server, p.webhookSecret, { repoUrl: url, branch: 'main', after: b })).body.prebuilds[0].id;
    const c = await git.commit('slow', { 'c.txt': 'c' }, 'c');
    const queuedC = (await githubPush(server, p.webhookSecret, { repoUrl: url, branch: 'main', after: c })).body.prebuilds[0].id;
    const canceledB = (await server.api('GET', `/api/prebuilds/${queuedB}`)).body;
    expect(canceledB.status).toBe('canceled');
    expect(canceledB.error).toMatch(/superseded by a newer commit/);
    expect((await server.api('GET', `/api/prebuilds/${queuedC}`)).body.status).toBe('queued');
    expect((await server.api('GET', `/api/prebuilds/${runA}`)).body.status).toBe('building');

    const cancel = await server.api('POST', `/api/prebuilds/${runA}/cancel`);
    expect(cancel.status, cancel.text).toBe(200);
    const canceledA = await waitForPrebuild(server, runA, ['canceled', 'failed'], 30_000);
    expect(canceledA.status).toBe('canceled');
    expect(await server.app.services.runtime.listContainers({ 'slipway.prebuild': runA })).toEqual([]);
    await waitForPrebuild(server, queuedC, ['building']);
    await server.api('POST', `/api/prebuilds/${queuedC}/cancel`);
    await waitForPrebuild(server, queuedC, ['canceled'], 30_000);
    expect((await server.api('POST', `/api/prebuilds/${queuedC}/cancel`)).status).toBe(409);
  });

  it('a failing init → failed with its exit code and log; the workspace starts cold and says why', async () => {
    const { url } = await git.createRepo('failing', {
      '.gitpod.yml': 'tasks:\n  - name: broken\n    init: echo "about to fail"; exit 7\n    command: echo cold-command\n',
    });
    const p = await project(url);
    const manual = await server.api('POST', `/api/projects/${p.id}/prebuilds`, {});
    expect(manual.status, manual.text).toBe(201);
    const failed = await waitForPrebuild(server, manual.body.id, ['ready', 'failed']);
    expect(failed.status).toBe('failed');
    expect(failed.exitCode).toBe(7);
    expect(failed.error).toBe('task "broken" failed with exit code 7');
    expect(failed.imageRef).toBeNull();
    expect((await server.api('GET', `/api/prebuilds/${failed.id}/logs`)).text).toContain('about to fail');

    const { workspace } = await openWorkspace(server, url);
    expect(workspace.startedFrom).toBe('cold');
    expect(workspace.prebuild).toEqual({ id: null, commit: null, reason: 'none: newest prebuild failed (task "broken" failed with exit code 7)' });
  });

  it("a private repository is fetched with the project's access token (prebuild and workspace)", async () => {
    const { url } = await git.createRepo(
      'private',
      { '.gitpod.yml': 'tasks:\n  - init: echo private-init > p.txt\n' },
      { private: { token: 'tok-private-42' } },
    );
    const refused = await openWorkspace(server, url);
    expect(refused.workspace.status).toBe('failed');
    expect(refused.workspace.statusReason).toMatch(/credentials|auth/i);
    const p = await project(url, { accessToken: 'tok-private-42' });
    const manual = await server.api('POST', `/api/projects/${p.id}/prebuilds`, { ref: 'main' });
    expect(manual.status, manual.text).toBe(201);
    const ready = await waitForPrebuild(server, manual.body.id, ['ready', 'failed']);
    expect(ready.status, ready.error).toBe('ready');
    const { workspace } = await openWorkspace(server, url);
    expect(workspace).toMatchObject({ status: 'running', startedFrom: 'prebuild' });
    expect(await inWorkspace(server, workspace.id, 'cat /workspace/private/p.txt')).toBe('private-init\n');
    // The token never shows in a log.
    expect((await server.api('GET', `/api/prebuilds/${ready.id}/logs`)).text).not.toContain('tok-private-42');
  });

  it('a devcontainer.json prebuild runs onCreate and updateContent; postCreate runs once at the first start', async () => {
    const devcontainer = JSON.stringify({
      image: 'slipway/workspace-base',
      onCreateCommand: 'echo created >> lifecycle.txt',
      updateContentCommand: 'echo updated >> lifecycle.txt',
      postCreateCommand: 'echo post-created >> lifecycle.txt',
    });
    const { url } = await git.createRepo('devc', { '.devcontainer/devcontainer.json': devcontainer });
    const p = await project(url);
    const ready = await waitForPrebuild(server, (await server.api('POST', `/api/projects/${p.id}/prebuilds`, {})).body.id, ['ready', 'failed']);
    expect(ready.status, ready.error).toBe('ready');
    expect(ready.tasks).toEqual([{ name: 'devcontainer', exitCode: 0, durationMs: expect.any(Number) }]);
    const { workspace } = await openWorkspace(server, url);
    expect(workspace.startedFrom).toBe('prebuild');
    expect(await inWorkspace(server, workspace.id, 'cat /workspaces/devc/lifecycle.txt')).toBe('created\nupdated\npost-created\n');
  });

  it('for comparison: a cold start of the same definition (no project) runs init live', async () => {
    const { url } = await git.createRepo('cold', { 'README.md': 'cold\n', '.gitpod.yml': GITPOD_YML });
    const started = Date.now();
    const { workspace } = await openWorkspace(server, url);
    expect(workspace.startedFrom).toBe('cold');
    expect(workspace.prebuild.reason).toBe('none: no project for this repository');
    numbers.coldOpenTimings = JSON.stringify(workspace.timings);
    const terminal = await connectTerminal(server.baseUrl, workspace.id, workspace.tasks[0].terminalId, { token: server.adminToken });
    await terminal.waitFor('command ran after 1 init run(s)', 60_000);
    numbers.readyToCodeColdMs = Date.now() - started;
    await terminal.close();
  });
});
