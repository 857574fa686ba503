/**
 * Issue 12, item 12: a context URL or a project's repoUrl must not make the
 * server an open-port oracle for its own network. With no
 * SLIPWAY_GIT_HOSTS_ALLOW, internal addresses (here: 127.0.0.1 and
 * localhost) are refused, an open and a closed port answer alike, and the
 * Git server is never contacted; listing the host admits it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNREACHABLE_MESSAGE } from '../../../server/git/index.js';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

let git: GitServer;
let strict: TestServer;
let repoUrl: string;
let closedPort: number;

beforeAll(async () => {
  git = await startGitServer();
  ({ url: repoUrl } = await git.createRepo('inside', { 'README.md': 'internal\n' }));
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  // No allow list: what a default installation does.
  strict = await startSlipway({ SLIPWAY_GIT_HOSTS_ALLOW: '' });
});
afterAll(async () => {
  await strict?.close();
  await git?.close();
});

async function openAndSettle(server: TestServer, contextUrl: string) {
  const created = await server.api('POST', '/api/workspaces', { contextUrl });
  const settled = created.status === 202 ? await server.waitForStatus(created.body.id, ['running', 'failed']) : null;
  return { status: created.status, body: created.body, workspace: settled };
}

describe('internal Git hosts without SLIPWAY_GIT_HOSTS_ALLOW', () => {
  it('an open and a closed port on 127.0.0.1 get the same status and the same message, and nothing is contacted', async () => {
    const before = git.requests.length;
    const open = await openAndSettle(strict, repoUrl);
    const closed = await openAndSettle(strict, `http://127.0.0.1:${closedPort}/inside.git`);
    expect(open.status).toBe(closed.status);
    expect(open.workspace?.status).toBe('failed');
    expect(closed.workspace?.status).toBe('failed');
    expect(open.workspace.statusReason).toBe(closed.workspace.statusReason);
    expect(open.workspace.statusReason).toBe(UNREACHABLE_MESSAGE);
    expect(open.workspace.statusReason).toContain('SLIPWAY_GIT_HOSTS_ALLOW');
    expect(git.requests.length).toBe(before);
  });

  it('a host name resolving to 127.0.0.1 (localhost) is refused the same way', async () => {
    const before = git.requests.length;
    const { workspace } = await openAndSettle(strict, `http://localhost:${new URL(git.baseUrl).port}/inside.git`);
    expect(workspace.status).toBe('failed');
    expect(workspace.statusReason).toBe(UNREACHABLE_MESSAGE);
    expect(git.requests.length).toBe(before);
  });

  it("the server's own port is refused", async () => {
    const own = new URL(strict.baseUrl).port;
    const { workspace } = await openAndSettle(strict, `http://127.0.0.1:${own}/api/health.git`);
    expect(workspace.statusReason).toBe(UNREACHABLE_MESSAGE);
  });

  it('a project on an internal host: its prebuild and its polling are refused with the same message', async () => {
    const before = git.requests.length;
    const project = await strict.api('POST', '/api/projects', { repoUrl, pollIntervalSeconds: 60 });
    expect(project.status, project.text).toBe(201);
    const manual = await strict.api('POST', `/api/projects/${project.body.id}/prebuilds`, {});
    expect(manual.status).toBe(502);
    expect(manual.body).toMatchObject({ code: 'SLIPWAY_GIT_HOST_UNREACHABLE', message: UNREACHABLE_MESSAGE });
    const polled = (await strict.api('GET', `/api/projects/${project.body.id}`)).body;
    expect(polled.pollError).toBe(UNREACHABLE_MESSAGE);
    expect(git.requests.length).toBe(before);
  });
});

describe('with SLIPWAY_GIT_HOSTS_ALLOW', () => {
  let allowed: TestServer;
  beforeAll(async () => {
    allowed = await startSlipway({ SLIPWAY_GIT_HOSTS_ALLOW: 'localhost, 127.0.0.1' });
  });
  afterAll(async () => {
    await allowed?.close();
  });

  it('the listed host works, by address and by name', async () => {
    const byAddress = await openAndSettle(allowed, repoUrl);
    expect(byAddress.workspace.status, byAddress.workspace.statusReason).toBe('running');
    const byName = await openAndSettle(allowed, `http://localhost:${new URL(git.baseUrl).port}/inside.git`);
    expect(byName.workspace.status, byName.workspace.statusReason).toBe('running');
  });

  it('a redirect from an allowed host to an internal one is refused', async () => {
    const redirector = http.createServer((req, res) => {
      res.writeHead(301, { location: `${git.baseUrl}${(req.url ?? '/').replace('/moved.git', '/inside.git')}` });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const from = (redirector.address() as AddressInfo).port;
    // Only the redirector's port is admitted: the Git server's port is not.
    const narrow = await startSlipway({ SLIPWAY_GIT_HOSTS_ALLOW: `127.0.0.1:${from}` });
    try {
      const before = git.requests.length;
      const { workspace } = await openAndSettle(narrow, `http://127.0.0.1:${from}/moved.git`);
      expect(workspace.status).toBe('failed');
      expect(workspace.statusReason).toMatch(/redirects are not followed/);
      expect(git.requests.length).toBe(before);
    } finally {
      await narrow.close();
      redirector.closeAllConnections();
      await new Promise<void>((resolve) => redirector.close(() => resolve()));
    }
  });
});
