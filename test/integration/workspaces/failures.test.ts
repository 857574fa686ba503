/**
 * Everything that can go wrong on open ends in a clear error and leaves no
 * container behind; images are built once per cache key.
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

async function containersOf(workspaceId: string) {
  return slipway.app.services.runtime.listContainers({ 'slipway.workspace': workspaceId });
}

async function openAndSettle(contextUrl: string) {
  const created = await slipway.api('POST', '/api/workspaces', { contextUrl });
  expect(created.status).toBe(202);
  return slipway.waitForStatus(created.body.id, ['running', 'failed']);
}

describe('clear errors, nothing half-made', () => {
  it.each([
    ['not a URL at all', 'just some words'],
    ['transport injection', 'ext::sh -c touch% /tmp/pwned'],
    ['option injection', '--upload-pack=touch /tmp/pwned'],
    ['file URL while disabled', 'file:///etc'],
    ['credentials in the URL', 'https://user:secret@example.com/o/r.git'],
  ])('a bad URL (%s) is a 400 with a message, and no workspace', async (_what, contextUrl) => {
    const before = (await slipway.api('GET', '/api/workspaces')).body.length;
    const response = await slipway.api('POST', '/api/workspaces', { contextUrl });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('SLIPWAY_GIT_BAD_URL');
    expect(response.body.message.length).toBeGreaterThan(20);
    expect((await slipway.api('GET', '/api/workspaces')).body.length).toBe(before);
  });

  it('a missing body field is a 400', async () => {
    const response = await slipway.api('POST', '/api/workspaces', {});
    expect(response.status).toBe(400);
    expect(response.body.code).toMatch(/^SLIPWAY_/);
  });

  it('a broken definition fails with file:line:column and leaves no container', async () => {
    const { url } = await git.createRepo('broken-def', { '.gitpod.yml': 'tasks:\n  - init: echo ok\n    command: [unclosed\n' });
    const workspace = await openAndSettle(url);
    expect(workspace.status).toBe('failed');
    expect(workspace.statusReason).toMatch(/\.gitpod\.yml:\d+:\d+: /);
    expect(await containersOf(workspace.id)).toEqual([]);
  });

  it('an unknown branch fails naming the branch', async () => {
    const { url } = await git.createRepo('branches', { 'README.md': 'x' });
    const workspace = await openAndSettle(`${url}/tree/no-such-branch`);
    expect(workspace.status).toBe('failed');
    expect(workspace.statusReason).toContain('no-such-branch');
    expect(await containersOf(workspace.id)).toEqual([]);
  });

  it('a missing image fails naming the image and leaves no container', async () => {
    const { url } = await git.createRepo('missing-image', { '.gitpod.yml': 'image: slipway-test/does-not-exist:1.0\n' });
    const workspace = await openAndSettle(url);
    expect(workspace.status).toBe('failed');
    expect(workspace.statusReason).toContain('slipway-test/does-not-exist:1.0');
    expect(await containersOf(workspace.id)).toEqual([]);
  });

  it('a repository that does not exist fails with the clone error', async () => {
    const workspace = await openAndSettle(`${git.baseUrl}/nope.git`);
    expect(workspace.status).toBe('failed');
    expect(workspace.statusReason).toMatch(/nope|not found|does not exist/i);
  });

  it('a failing Dockerfile build fails with the build output in the log and no container', async () => {
    const { url } = await git.createRepo('bad-build', {
      '.gitpod.yml': 'image:\n  file: .gitpod.Dockerfile\n',
      '.gitpod.Dockerfile': 'FROM slipway/workspace-base\nRUN echo building-now && exit 3\n',
    });
    const workspace = await openAndSettle(url);
    expect(workspace.status).toBe('failed');
    expect(workspace.statusReason).toMatch(/Building the image/);
    const log = await slipway.api('GET', `/api/workspaces/${workspace.id}/logs`);
    expect(log.text).toContain('building-now');
    expect(await containersOf(workspace.id)).toEqual([]);
  });

  it('a Docker Compose devcontainer says it is not supported yet', async () => {
    const { url } = await git.createRepo('compose', { '.devcontainer/devcontainer.json': '{ "dockerComposeFile": "compose.yml", "service": "app" }' });
    const workspace = await openAndSettle(url);
    expect(workspace.status).toBe('failed');
    expect(workspace.statusReason).toMatch(/Compose/);
  });
});

describe('Dockerfile images', () => {
  it('builds once; a second open of the same content reuses the image; a change to a copied file rebuilds', async () => {
    const { url } = await git.createRepo('dockerfile', {
      '.gitpod.yml': 'image:\n  file: .gitpod.Dockerfile\ntasks:\n  - command: cat /etc/built-marker\n',
      '.gitpod.Dockerfile': 'FROM slipway/workspace-base\nUSER root\nCOPY app.txt /etc/app.txt\nRUN echo built > /etc/built-marker\nUSER slipway\n',
      'app.txt': 'one',
    });
    const first = await openAndSettle(url);
    expect(first.status).toBe('running');
    const firstLog = (await slipway.api('GET', `/api/workspaces/${first.id}/logs`)).text;
    expect(firstLog).toMatch(/Building \.gitpod\.Dockerfile/);
    expect(first.image).toMatch(/^slipway\/build-dockerfile:[0-9a-f]{20}$/);

    const second = await openAndSettle(url);
    expect(second.status).toBe('running');
    expect(second.image).toBe(first.image);
    const secondLog = (await slipway.api('GET', `/api/workspaces/${second.id}/logs`)).text;
    expect(secondLog).toContain('up to date');
    expect(secondLog).not.toMatch(/Building \.gitpod\.Dockerfile/);

    // The Dockerfile copies app.txt: a change to it is a new image (one elsewhere is not: prebuilds/image-cache-key.test.ts).
    await git.commit('dockerfile', { 'app.txt': 'two' }, 'change a file the Dockerfile copies');
    const third = await openAndSettle(url);
    expect(third.status).toBe('running');
    expect(third.image).not.toBe(first.image);
    for (const w of [first, second, third]) await slipway.api('DELETE', `/api/workspaces/${w.id}`);
    await slipway.app.services.runtime.removeImage(third.image);
    await slipway.app.services.runtime.removeImage(first.image);
  });
});
