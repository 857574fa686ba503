/**
 * Issue 12, item 4: a stored access token goes only to the exact origin it
 * was saved for, and only for its owner or its own project. A user who
 * registers a project for someone else's private repository with a wrong
 * token gets errors (prebuild and open), never the other user's token; the
 * git server's log of Authorization headers proves which token went where.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitRequest, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';
import { githubPush, openWorkspace, removeSnapshots, waitForPrebuild } from '../prebuilds/helpers.js';

const ALICE_TOKEN = 'alice-real-token-7f3a';
const BOB_TOKEN = 'bob-garbage-token-0000';

let git: GitServer;
let slipway: TestServer;
let other: { url: string; requests: { path: string; authorization: string | null }[]; close(): Promise<void> };
const projectIds: string[] = [];

/** The token inside a request's `Authorization: Basic` header, or null. */
function tokenOf(request: { authorization: string | null }): string | null {
  const header = request.authorization ?? '';
  if (!header.startsWith('Basic ')) return null;
  const pair = Buffer.from(header.slice(6), 'base64').toString();
  return pair.slice(pair.indexOf(':') + 1);
}

/** The same repositories on another port: a forwarding server that logs what it receives. */
async function startForwarder(target: string) {
  const requests: { path: string; authorization: string | null }[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? '', authorization: req.headers.authorization ?? null });
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  git = await startGitServer();
  other = await startForwarder(git.baseUrl);
  slipway = await startSlipway();
});
afterAll(async () => {
  await slipway?.close();
  if (slipway) await removeSnapshots(slipway, projectIds);
  await other?.close();
  await git?.close();
});

describe('credentials stay with their owner and their origin', () => {
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let repoUrl: string;
  let bobProject: { id: string; webhookSecret: string };

  it("a project with a wrong token for another user's private repository fails its prebuild with an auth error", async () => {
    alice = await slipway.newUser('alice-cred');
    bob = await slipway.newUser('bob-cred');
    ({ url: repoUrl } = await git.createRepo('private-app', { 'README.md': 'secret\n' }, { private: { token: ALICE_TOKEN } }));
    const head = await git.commit('private-app', { 'src.txt': 'v1\n' }, 'v1');

    const a = await slipway.api('POST', '/api/projects', { repoUrl, accessToken: ALICE_TOKEN, pollIntervalSeconds: 0 }, alice.token);
    expect(a.status, a.text).toBe(201);
    projectIds.push(a.body.id);
    const b = await slipway.api('POST', '/api/projects', { repoUrl, accessToken: BOB_TOKEN, prebuildBranches: ['main'], pollIntervalSeconds: 0 }, bob.token);
    expect(b.status, b.text).toBe(201);
    bobProject = b.body;
    projectIds.push(bobProject.id);

    const seen = git.requests.length;
    // By hand: the answer is the auth error, naming Bob's project as the one to fix.
    const manual = await slipway.api('POST', `/api/projects/${bobProject.id}/prebuilds`, {}, bob.token);
    expect(manual.status, manual.text).toBe(403);
    expect(manual.body.code).toBe('SLIPWAY_GIT_AUTH_FAILED');
    expect(manual.body.message).toContain(bobProject.id);
    expect(manual.body.message).toMatch(/Fix that project's access token/);

    // From a signed push: the prebuild is queued, then fails at its fetch with the same error.
    const pushed = await githubPush(slipway, bobProject.webhookSecret, { repoUrl, branch: 'main', after: head });
    expect(pushed.status, pushed.text).toBe(202);
    const prebuild = await waitForPrebuild(slipway, pushed.body.prebuilds[0].id, ['ready', 'failed']);
    expect(prebuild.status).toBe('failed');
    expect(prebuild.error).toMatch(/refused the access token of project/);

    // Every request made for Bob carried Bob's token or none, never Alice's.
    const forBob = git.requests.slice(seen) as GitRequest[];
    expect(forBob.length).toBeGreaterThan(0);
    expect(forBob.map(tokenOf)).not.toContain(ALICE_TOKEN);
    expect(forBob.map(tokenOf)).toContain(BOB_TOKEN);
  });

  it("the owner's prebuild and open work with her own token", async () => {
    const seen = git.requests.length;
    const manual = await slipway.api('POST', `/api/projects/${projectIds[0]}/prebuilds`, {}, alice.token);
    expect(manual.status, manual.text).toBe(201);
    const { workspace } = await openWorkspace(slipway, repoUrl, alice.token);
    expect(workspace.status, workspace.statusReason).toBe('running');
    const tokens = git.requests.slice(seen).map(tokenOf);
    expect(tokens).toContain(ALICE_TOKEN);
    expect(tokens).not.toContain(BOB_TOKEN);
    await slipway.api('POST', `/api/prebuilds/${manual.body.id}/cancel`, undefined, alice.token);
  });

  it('the user with the wrong token cannot open the repository, though the mirror already holds it', async () => {
    const refused = await slipway.api('POST', '/api/workspaces', { contextUrl: repoUrl }, bob.token);
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body.code).toBe('SLIPWAY_GIT_AUTH_FAILED');
    expect(refused.body.message).toContain(bobProject.id);
    expect((await slipway.api('GET', '/api/workspaces', undefined, bob.token)).body).toEqual([]);
    // A user with no project for it is refused as before.
    const carol = await slipway.newUser('carol-cred');
    const denied = await slipway.api('POST', '/api/workspaces', { contextUrl: repoUrl }, carol.token);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('SLIPWAY_GIT_ACCESS_DENIED');
  });

  it('a token saved for one port is never sent to the same repository path on another port', async () => {
    const elsewhere = `${other.url}/private-app.git`;
    const refused = await slipway.api('POST', '/api/workspaces', { contextUrl: elsewhere }, alice.token);
    // The forwarded server wants the token; Alice holds none for this origin, so none is sent and the open is refused.
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body.code).toBe('SLIPWAY_GIT_ACCESS_DENIED');
    expect(other.requests.length).toBeGreaterThan(0);
    expect(other.requests.map(tokenOf).filter((t) => t !== null)).toEqual([]);
  });
});
