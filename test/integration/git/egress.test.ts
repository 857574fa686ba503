/**
 * Where git may connect (issue 12, item 12), against real git and real
 * sockets: internal addresses are refused unless allowed, refused and
 * unreachable read the same, git connects to the checked address only (a
 * name the system resolver does not know still works when pinned), and a
 * redirect is never followed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayError } from '../../../server/core/errors.js';
import { createGitMirrors, UNREACHABLE_MESSAGE, type GitMirrorsOptions } from '../../../server/git/index.js';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';

const AS = 'anonymous' as const;
let server: GitServer;
let scratch: string;
let repoUrl: string;
let port: number;
let closedPort: number;
let n = 0;

function mirrors(egress: GitMirrorsOptions['egress'] = {}) {
  return createGitMirrors({ dataDir: join(scratch, `d${n++}`), egress });
}

async function failure(promise: Promise<unknown>): Promise<SlipwayError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SlipwayError);
    return error as SlipwayError;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  server = await startGitServer();
  scratch = await mkdtemp(join(tmpdir(), 'slipway-egress-test-'));
  ({ url: repoUrl } = await server.createRepo('app', { 'README.md': 'app\n' }));
  port = Number(new URL(server.baseUrl).port);
  // A port that was just free: nothing listens there.
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});
afterAll(async () => {
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('internal addresses', () => {
  it('refuses loopback with no allow list: an open and a closed port give the same error, and no connection is made', async () => {
    const git = mirrors();
    const before = server.requests.length;
    const open = await failure(git.resolve(repoUrl, { kind: 'default' }, { as: AS }));
    const closed = await failure(git.resolve(`http://127.0.0.1:${closedPort}/app.git`, { kind: 'default' }, { as: AS }));
    expect(server.requests.length).toBe(before);
    for (const error of [open, closed]) {
      expect(error.code).toBe('SLIPWAY_GIT_HOST_UNREACHABLE');
      expect(error.status).toBe(502);
      expect(error.message).toBe(UNREACHABLE_MESSAGE);
      expect(error.detail).toBeUndefined();
    }
    expect(open.message).toContain('SLIPWAY_GIT_HOSTS_ALLOW');
    // ls-remote (polling) and the access check go through the same door.
    expect((await failure(git.lsRemote(repoUrl, AS))).message).toBe(UNREACHABLE_MESSAGE);
    expect((await failure(git.proveAccess(repoUrl, AS))).message).toBe(UNREACHABLE_MESSAGE);
  });

  it('refuses a host name that resolves to loopback (localhost), on the resolved address', async () => {
    const error = await failure(mirrors().resolve(`http://localhost:${port}/app.git`, { kind: 'default' }, { as: AS }));
    expect(error.message).toBe(UNREACHABLE_MESSAGE);
    const mapped = await failure(mirrors().resolve(`http://[::ffff:127.0.0.1]:${port}/app.git`, { kind: 'default' }, { as: AS }));
    expect(mapped.message).toBe(UNREACHABLE_MESSAGE);
  });

  it('refuses a name with one internal answer among public ones', async () => {
    const git = mirrors({ resolve: async () => ['140.82.112.3', '127.0.0.1'] });
    expect((await failure(git.resolve(`http://rebind.example:${port}/app.git`, { kind: 'default' }, { as: AS }))).message).toBe(UNREACHABLE_MESSAGE);
  });

  it('connects once the allow list admits the address; an unreachable allowed port reads like a refusal', async () => {
    const git = mirrors({ allow: '127.0.0.1' });
    expect((await git.resolve(repoUrl, { kind: 'default' }, { as: AS })).branch).toBe('main');
    expect((await failure(git.resolve(`http://127.0.0.1:${closedPort}/app.git`, { kind: 'default' }, { as: AS }))).message).toBe(UNREACHABLE_MESSAGE);
    expect((await mirrors({ allow: `127.0.0.1:${port}` }).resolve(repoUrl, { kind: 'default' }, { as: AS })).branch).toBe('main');
    expect((await mirrors({ allow: '127.0.0.0/8' }).resolve(repoUrl, { kind: 'default' }, { as: AS })).branch).toBe('main');
    expect((await mirrors({ allow: '*' }).resolve(repoUrl, { kind: 'default' }, { as: AS })).branch).toBe('main');
    // `*` checks nothing, not even that the name resolves here (behind a proxy only the proxy may resolve it).
    const noDns = async (): Promise<string[]> => {
      throw new Error('no DNS here');
    };
    const byName = `http://localhost:${port}/app.git`;
    expect((await mirrors({ allow: '*', resolve: noDns }).resolve(byName, { kind: 'default' }, { as: AS })).branch).toBe('main');
    expect((await failure(mirrors({ allow: 'localhost', resolve: noDns }).resolve(byName, { kind: 'default' }, { as: AS }))).message).toBe(UNREACHABLE_MESSAGE);
  });

  it("refuses the server's own port even on an allowed address, unless that port is listed", async () => {
    const before = server.requests.length;
    const refused = await failure(mirrors({ allow: '127.0.0.1', ownPorts: () => [port] }).resolve(repoUrl, { kind: 'default' }, { as: AS }));
    expect(refused.message).toBe(UNREACHABLE_MESSAGE);
    expect(server.requests.length).toBe(before);
    const listed = mirrors({ allow: `127.0.0.1:${port}`, ownPorts: () => [port] });
    expect((await listed.resolve(repoUrl, { kind: 'default' }, { as: AS })).branch).toBe('main');
  });

  it('a bad allow list stops the start, naming the variable', () => {
    expect(() => mirrors({ allow: '10.0.0.0/99' })).toThrow(/SLIPWAY_GIT_HOSTS_ALLOW.*10\.0\.0\.0\/99/);
  });
});

describe('pinning and redirects', () => {
  it('git connects to the checked address: a name only the check can resolve still works', async () => {
    // The system resolver has never heard of this name; only the pinned address can make the clone work.
    const git = mirrors({ allow: '127.0.0.1', resolve: async (host) => (host === 'git.pinned.test' ? ['127.0.0.1'] : []) });
    const pinned = `http://git.pinned.test:${port}/app.git`;
    expect((await git.resolve(pinned, { kind: 'default' }, { as: AS })).branch).toBe('main');
    expect((await git.lsRemote(pinned, AS)).get('main')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('never follows a redirect from an allowed host to another one', async () => {
    const redirector = http.createServer((req, res) => {
      res.writeHead(302, { location: `${server.baseUrl}${(req.url ?? '/').replace('/moved.git', '/app.git')}` });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    try {
      const from = (redirector.address() as AddressInfo).port;
      const git = mirrors({ allow: `127.0.0.1:${from}` });
      const before = server.requests.length;
      const error = await failure(git.resolve(`http://127.0.0.1:${from}/moved.git`, { kind: 'default' }, { as: AS }));
      expect(error.code).toBe('SLIPWAY_GIT_REDIRECTED');
      expect(error.message).toMatch(/redirects are not followed/);
      expect(server.requests.length).toBe(before);
    } finally {
      redirector.closeAllConnections();
      await new Promise<void>((resolve) => redirector.close(() => resolve()));
    }
  });
});
