/**
 * The port proxy against a real workspace: a task starts an HTTP server, a
 * WebSocket echo server and a loopback-only server (serve.py); the tests
 * reach them through both URL forms, check visibility and detection, and
 * stream 200 MB through the proxy while watching the server's memory.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';
import { connectTerminal } from '../../helpers/terminal-client.js';
import { rawRequest, type RawReply } from '../../helpers/raw-http.js';

let git: GitServer;
let s: TestServer;
let port: number;
let id: string;
/** A second workspace of the same owner: a port cookie of the first must not open it. */
let id2: string;
const owner = { token: '', cookie: '' };
const other = { token: '', cookie: '' };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const p = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return p;
}

async function login(username: string): Promise<string> {
  const response = await fetch(`${s.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'password-of-' + username }),
  });
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

/** node:http (test/helpers/raw-http.ts), so the Host header can name a port subdomain while we connect to 127.0.0.1. */
function request(path: string, options: { host?: string; method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawReply> {
  const headers = { ...(options.host ? { host: options.host } : {}), ...options.headers };
  return rawRequest(`http://127.0.0.1:${port}`, path, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
}

const sub = (p: number, workspace = id) => `${p}-${workspace}.localhost:${port}`;
const bearer = (who: { token: string }) => ({ authorization: `Bearer ${who.token}` });
/** What a browser sends when it opens a URL in a tab. */
const navigate = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
const SANDBOX =
  'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads allow-popups-to-escape-sandbox allow-pointer-lock allow-presentation';

/** The login handoff as a browser runs it, for a user signed in on the main host: the port host's own cookie. */
async function portCookie(host: string, who: { cookie: string }): Promise<string> {
  const nav = await request('/', { host, headers: navigate });
  expect(nav.status).toBe(302);
  const handoff = new URL(nav.headers.location!);
  const minted = await request(handoff.pathname + handoff.search, { headers: { cookie: who.cookie } });
  expect(minted.status).toBe(302);
  const landing = new URL(minted.headers.location!);
  const landed = await request(landing.pathname + landing.search, { host });
  expect(landed.status).toBe(302);
  return landed.headers['set-cookie']![0]!.split(';')[0]!;
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

function wsEcho(url: string, headers: Record<string, string>, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => socket.send(message));
    socket.once('message', (data: Buffer) => {
      resolve(data.toString('utf8'));
      socket.close();
    });
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
  });
}

/** Downloads a URL, discarding the bytes; samples this process's RSS meanwhile (the server runs in it). */
async function download(url: string, headers: Record<string, string>): Promise<{ bytes: number; seconds: number; rssGrowthMb: number }> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = Date.now();
  let bytes = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      http
        .get(url, { headers }, (res) => {
          res.on('data', (c: Buffer) => (bytes += c.length));
          res.on('end', resolve);
          res.on('error', reject);
        })
        .on('error', reject);
    });
  } finally {
    clearInterval(sampler);
  }
  return { bytes, seconds: (Date.now() - started) / 1000, rssGrowthMb: (peak - baseline) / 1024 / 1024 };
}

beforeAll(async () => {
  git = await startGitServer();
  port = await freePort();
  s = await startSlipway({ SLIPWAY_DOMAIN: `localhost:${port}` }, { port });
  const { url } = await git.createRepo('ports-app', {
    '.gitpod.yml': [
      'ports:',
      '  - port: 8000',
      '    name: web',
      '  - port: 8001',
      '    name: echo',
      'tasks:',
      '  - name: servers',
      '    command: cd "${GITPOD_REPO_ROOT:-.}" && python3 serve.py',
      '',
    ].join('\n'),
    'serve.py': await readFile(new URL('./serve.py', import.meta.url), 'utf8'),
  });
  owner.token = (await s.newUser('portowner')).token;
  other.token = (await s.newUser('portother')).token;
  owner.cookie = await login('portowner');
  other.cookie = await login('portother');
  const created = await s.api('POST', '/api/workspaces', { contextUrl: url }, owner.token);
  expect(created.status).toBe(202);
  id = created.body.id;
  const second = await s.api('POST', '/api/workspaces', { contextUrl: url }, owner.token);
  expect(second.status).toBe(202);
  id2 = second.body.id;
  const w = await s.waitForStatus(id, ['running', 'failed'], owner.token);
  expect(w.status, JSON.stringify(w)).toBe('running');
  expect((await s.waitForStatus(id2, ['running', 'failed'], owner.token)).status).toBe('running');
  await until(
    'the task servers',
    async () =>
      (await request(`/ports/${id}/8000/`, { headers: bearer(owner) })).status === 200 &&
      (await request(`/ports/${id}/8002/`, { headers: bearer(owner) })).status === 200,
  );
});

afterAll(async () => {
  await s?.close();
  await git?.close();
});

describe('HTTP through both URL forms', () => {
  it('path form strips its prefix, sets X-Forwarded-*, keeps Slipway secrets from the app, rewrites redirects', async () => {
    const r = await request(`/ports/${id}/8000/hello/world?x=1`, { headers: { cookie: `${owner.cookie}; app=1` } });
    expect(r.status).toBe(200);
    expect(r.json.path).toBe('/hello/world?x=1');
    expect(r.json.headers['x-forwarded-prefix']).toBe(`/ports/${id}/8000`);
    expect(r.json.headers['x-forwarded-host']).toBe(`127.0.0.1:${port}`);
    expect(r.json.headers['x-forwarded-proto']).toBe('http');
    expect(r.json.headers.cookie).toBe('app=1');
    const withToken = await request(`/ports/${id}/8000/`, { headers: bearer(owner) });
    expect(withToken.json.headers.authorization).toBeUndefined();
    const redirect = await request(`/ports/${id}/8000/redirect`, { headers: bearer(owner) });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe(`/ports/${id}/8000/landed`);
    const post = await request(`/ports/${id}/8000/echo`, {
      method: 'POST',
      headers: { ...bearer(owner), 'content-type': 'application/json' },
      body: '{"raw":"body"}',
    });
    expect(post.text).toBe('{"raw":"body"}');
  });

  it('subdomain form passes the whole path, /api/ included, to the app', async () => {
    const r = await request('/api/anything?y=2', { host: sub(8000), headers: { cookie: await portCookie(sub(8000), owner) } });
    expect(r.status).toBe(200);
    expect(r.json.path).toBe('/api/anything?y=2');
    expect(r.json.headers['x-forwarded-prefix']).toBeUndefined();
    expect(r.json.headers['x-forwarded-host']).toBe(sub(8000));
    expect(r.json.headers.host).toBe(sub(8000));
  });

  it('WebSocket echo through both forms', async () => {
    expect(await wsEcho(`ws://127.0.0.1:${port}/ports/${id}/8001/`, bearer(owner), 'hello path')).toBe('hello path');
    expect(
      await wsEcho(
        `ws://127.0.0.1:${port}/socket`,
        { host: sub(8001), cookie: await portCookie(sub(8001), owner), origin: `http://${sub(8001)}` },
        'hello subdomain',
      ),
    ).toBe('hello subdomain');
    const big = 'z'.repeat(200_000);
    expect(await wsEcho(`ws://127.0.0.1:${port}/ports/${id}/8001/`, bearer(owner), big)).toBe(big);
  });

  it('a streamed response reaches the client as it is produced, not when it ends', async () => {
    const started = Date.now();
    const firstAt = await new Promise<{ first: number; text: string }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: `/ports/${id}/8000/stream`, headers: bearer(owner) }, (res) => {
          let text = '';
          let first = 0;
          res.on('data', (c: Buffer) => {
            if (!first) first = Date.now() - started;
            text += c.toString('utf8');
          });
          res.on('end', () => resolve({ first, text }));
        })
        .on('error', reject);
    });
    expect(firstAt.first).toBeLessThan(1500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(firstAt.text).toBe('data: first\n\ndata: second\n\n');
  });

  it('a port with nothing listening answers 502 with a page that retries', async () => {
    const r = await request(`/ports/${id}/8009/`, { headers: bearer(owner) });
    expect(r.status).toBe(502);
    expect(r.json.code).toBe('SLIPWAY_PORT_UNREACHABLE');
    // Browsers get pages on the port host (a path-form navigation goes there when SLIPWAY_DOMAIN is set).
    const page = await request('/', { host: sub(8009), headers: { cookie: await portCookie(sub(8009), owner), accept: 'text/html' } });
    expect(page.status).toBe(502);
    expect(page.text).toContain('http-equiv="refresh"');
  });
});

describe('visibility', () => {
  it('private: no session → 401 or a login redirect; owner → 200; another user → 404', async () => {
    const admin = { id: 'test', username: 'admin', isAdmin: true };
    const activityBefore = s.app.services.workspaces.record(admin, id).lastActivityAt;
    expect((await request(`/ports/${id}/8000/`)).status).toBe(401);
    expect((await request('/', { host: sub(8000) })).status).toBe(401);
    expect((await request(`/ports/${id}/8000/`, { headers: { cookie: other.cookie } })).status).toBe(404);
    expect((await request(`/ports/${id}/8000/`, { headers: bearer(other) })).status).toBe(404);
    expect((await request('/', { host: sub(8000), headers: bearer(other) })).status).toBe(404);
    // The main session is no credential on a port host (its cookie never reaches one; sent anyway, it does not count).
    expect((await request('/', { host: sub(8000), headers: { cookie: other.cookie } })).status).toBe(401);
    expect((await request('/', { host: sub(8000), headers: { cookie: owner.cookie } })).status).toBe(401);
    await expect(wsEcho(`ws://127.0.0.1:${port}/ports/${id}/8001/`, {}, 'x')).rejects.toThrow(/401/);
    await expect(wsEcho(`ws://127.0.0.1:${port}/ports/${id}/8001/`, bearer(other), 'x')).rejects.toThrow(/404/);
    // Refused attempts are not activity: they must not keep someone's workspace from idling out.
    expect(s.app.services.workspaces.record(admin, id).lastActivityAt).toBe(activityBefore);
    expect((await request(`/ports/${id}/8000/`, { headers: { cookie: owner.cookie } })).status).toBe(200);
    expect((await request('/', { host: sub(8000), headers: { cookie: await portCookie(sub(8000), owner) } })).status).toBe(200);
  });

  it('a port subdomain the session cookie does not reach gets the session through a one-time handoff', async () => {
    const nav = await request('/deep/page?a=b', { host: sub(8000), headers: { accept: 'text/html' } });
    expect(nav.status).toBe(302);
    const handoff = new URL(nav.headers.location!);
    expect(handoff.pathname).toBe('/ports-auth');
    const anonymous = await request(handoff.pathname + handoff.search);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toContain('/login?next=');
    expect((await request(handoff.pathname + handoff.search, { headers: { cookie: other.cookie } })).status).toBe(404);
    const minted = await request(handoff.pathname + handoff.search, { headers: { cookie: owner.cookie } });
    expect(minted.status).toBe(302);
    const landing = new URL(minted.headers.location!);
    expect(landing.host).toBe(sub(8000));
    expect(landing.pathname).toBe('/__slipway/auth');
    const landed = await request(landing.pathname + landing.search, { host: sub(8000) });
    expect(landed.status).toBe(302);
    expect(landed.headers.location).toBe('/deep/page?a=b');
    const cookie = landed.headers['set-cookie']![0]!.split(';')[0]!;
    expect(landed.headers['set-cookie']![0]).not.toMatch(/Domain=/i);
    expect(landed.headers['set-cookie']![0]).toMatch(/HttpOnly/);
    // The port host's own credential, not a copy of the main session.
    expect(cookie).toMatch(/^slipway_port=/);
    expect(cookie.split('=')[1]).not.toBe(owner.cookie.split('=')[1]);
    const page = await request('/deep/page?a=b', { host: sub(8000), headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.json.headers.cookie).toBeUndefined();
    // One time only.
    expect((await request(landing.pathname + landing.search, { host: sub(8000) })).status).toBe(400);
  });

  it('the owner flips a port to public at run time (audited); then anyone with the URL gets in', async () => {
    expect((await s.api('PATCH', `/api/workspaces/${id}/ports/8000`, { visibility: 'public' }, other.token)).status).toBe(404);
    expect((await s.api('PATCH', `/api/workspaces/${id}/ports/8000`, { visibility: 'open' }, owner.token)).status).toBe(400);
    const flipped = await s.api('PATCH', `/api/workspaces/${id}/ports/8000`, { visibility: 'public' }, owner.token);
    expect(flipped.status).toBe(200);
    expect(flipped.body).toEqual({ port: 8000, visibility: 'public' });
    expect((await request(`/ports/${id}/8000/`)).status).toBe(200);
    expect((await request('/', { host: sub(8000) })).status).toBe(200);
    const visitor = await request(`/ports/${id}/8000/`, { headers: { cookie: other.cookie } });
    expect(visitor.status).toBe(200);
    // On Slipway's own origin, nobody's session may be usable by the app's scripts: the owner's neither.
    expect(visitor.headers['content-security-policy']).toBe(SANDBOX);
    expect((await request(`/ports/${id}/8000/`, { headers: { cookie: owner.cookie } })).headers['content-security-policy']).toBe(SANDBOX);
    expect((await request(`/ports/${id}/8000/`)).headers['content-security-policy']).toBe(SANDBOX);
    expect((await request('/', { host: sub(8000), headers: { cookie: other.cookie } })).headers['content-security-policy']).toBeUndefined();
    expect(await wsEcho(`ws://127.0.0.1:${port}/ports/${id}/8001/`, {}, 'x').catch((e: Error) => e.message)).toMatch(/401/);
    const w = await s.api('GET', `/api/workspaces/${id}`, undefined, owner.token);
    expect(w.body.ports.find((p: { port: number }) => p.port === 8000).visibility).toBe('public');
    await s.api('PATCH', `/api/workspaces/${id}/ports/8000`, { visibility: 'private' }, owner.token);
    expect((await request(`/ports/${id}/8000/`)).status).toBe(401);
    // The audit log is not on the API: read the store (read-only) as an operator would.
    const db = new Database(path.join(s.dataDir, 'slipway.db'), { readonly: true });
    const rows = db.prepare("SELECT detail FROM audit WHERE action = 'port.visibility' AND target = ? ORDER BY id").all(id) as { detail: string }[];
    db.close();
    expect(rows.map((r) => JSON.parse(r.detail))).toEqual([
      { port: 8000, from: null, to: 'public' },
      { port: 8000, from: 'public', to: 'private' },
    ]);
  });
});

describe("port pages never run as Slipway's origin (SLIPWAY_DOMAIN set)", () => {
  it('a navigation to the path form goes to the subdomain form, path and query kept; fetches stay, sandboxed', async () => {
    const nav = await request(`/ports/${id}/8000/deep/x?q=1&r=2`, { headers: { ...navigate, cookie: owner.cookie } });
    expect(nav.status).toBe(302);
    expect(nav.headers.location).toBe(`http://${sub(8000)}/deep/x?q=1&r=2`);
    // Without Fetch Metadata (older browsers) Accept decides; without a session too: the port host asks for one.
    expect((await request(`/ports/${id}/8000/p`, { headers: { accept: 'text/html' } })).headers.location).toBe(`http://${sub(8000)}/p`);
    const fetched = await request(`/ports/${id}/8000/data`, { headers: { cookie: owner.cookie, accept: '*/*', 'sec-fetch-mode': 'cors' } });
    expect(fetched.status).toBe(200);
    expect(fetched.json.path).toBe('/data');
    expect(fetched.headers['content-security-policy']).toBe(SANDBOX);
  });

  it("a port host's cookie is a credential for that host only: not a session on the main host, another port or another workspace", async () => {
    const cookie = await portCookie(sub(8000), owner);
    const value = cookie.slice(cookie.indexOf('=') + 1);
    expect((await request('/', { host: sub(8000), headers: { cookie } })).status).toBe(200);
    expect((await request('/api/me', { headers: { cookie } })).status).toBe(401);
    expect((await request('/api/me', { headers: { cookie: `slipway_session=${value}` } })).status).toBe(401);
    expect(
      (
        await request('/api/tokens', {
          method: 'POST',
          headers: { cookie: `slipway_session=${value}`, origin: s.baseUrl, 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(401);
    expect((await request('/', { host: sub(8002), headers: { cookie } })).status).toBe(401);
    expect((await request('/', { host: sub(8000, id2), headers: { cookie } })).status).toBe(401);
    expect((await request(`/ports/${id}/8000/`, { headers: { cookie } })).status).toBe(401);
  });

  it('a port session ends with the login session it came from', async () => {
    const session = await login('portowner');
    const cookie = await portCookie(sub(8000), { cookie: session });
    expect((await request('/', { host: sub(8000), headers: { cookie } })).status).toBe(200);
    const out = await request('/api/auth/logout', { method: 'POST', headers: { cookie: session, origin: s.baseUrl } });
    expect(out.status).toBe(200);
    expect((await request('/', { host: sub(8000), headers: { cookie } })).status).toBe(401);
  });
});

describe('declared and detected ports', () => {
  it('lists declared ports with both URLs, and a loopback-only server as detected, private and reachable', async () => {
    const w = await until('port 8002 detected', async () => {
      const r = await s.api('GET', `/api/workspaces/${id}`, undefined, owner.token);
      return r.body.ports.some((p: { port: number }) => p.port === 8002) ? r.body : null;
    });
    const web = w.ports.find((p: { port: number }) => p.port === 8000);
    expect(web).toMatchObject({ declared: true, name: 'web', url: `${s.baseUrl}/ports/${id}/8000/`, subdomainUrl: `http://8000-${id}.localhost:${port}/` });
    expect(w.ports.find((p: { port: number }) => p.port === 8002)).toMatchObject({
      declared: false,
      visibility: 'private',
      url: `${s.baseUrl}/ports/${id}/8002/`,
    });
    const r = await request(`/ports/${id}/8002/through-loopback`, { headers: bearer(owner) });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ port: 8002, path: '/through-loopback' });
    expect((await request('/x', { host: sub(8002), headers: { cookie: await portCookie(sub(8002), owner) } })).json.path).toBe('/x');
  });

  it('a server started from a terminal on an undeclared port appears in the list and is reachable', async () => {
    const opened = await s.api('POST', `/api/workspaces/${id}/terminals`, {}, owner.token);
    expect(opened.status).toBe(201);
    const terminal = await connectTerminal(s.baseUrl, id, opened.body.id, { token: owner.token });
    terminal.send('python3 -m http.server 8003 --bind 0.0.0.0\n');
    const started = Date.now();
    await until('port 8003 listed', async () =>
      (await s.api('GET', `/api/workspaces/${id}`, undefined, owner.token)).body.ports.some((p: { port: number }) => p.port === 8003),
    );
    console.log(`port 8003 detected ${((Date.now() - started) / 1000).toFixed(1)} s after the command was typed`);
    const r = await request(`/ports/${id}/8003/`, { headers: bearer(owner) });
    expect(r.status).toBe(200);
    expect(r.text).toContain('Directory listing');
    await terminal.close();
  });
});

describe('streaming', () => {
  it('streams 200 MB through the proxy without the server holding it in memory', async () => {
    const [container] = await s.app.services.runtime.listContainers({ 'slipway.workspace': id });
    const ip = (await s.app.services.runtime.inspectContainer(container!.id))!.ip!;
    const direct = await download(`http://${ip}:8000/big`, {});
    const proxied = await download(`http://127.0.0.1:${port}/ports/${id}/8000/big`, bearer(owner));
    const mb = 200;
    console.log(
      JSON.stringify({
        directMBps: +(mb / direct.seconds).toFixed(1),
        proxiedMBps: +(mb / proxied.seconds).toFixed(1),
        proxiedSeconds: proxied.seconds,
        rssGrowthMb: +proxied.rssGrowthMb.toFixed(1),
      }),
    );
    expect(direct.bytes).toBe(200 * 1024 * 1024);
    expect(proxied.bytes).toBe(200 * 1024 * 1024);
    expect(proxied.rssGrowthMb).toBeLessThan(30);
  });

  it('streams 200 MB from a loopback-only server through the in-container forwarder, with backpressure', async () => {
    const loop = await download(`http://127.0.0.1:${port}/ports/${id}/8002/big`, bearer(owner));
    console.log(JSON.stringify({ loopbackForwarderMBps: +(200 / loop.seconds).toFixed(1), rssGrowthMb: +loop.rssGrowthMb.toFixed(1) }));
    expect(loop.bytes).toBe(200 * 1024 * 1024);
    expect(loop.rssGrowthMb).toBeLessThan(30);
  });
});

describe('a stopped workspace', () => {
  it('answers with a page that offers to start it, and the button starts it', async () => {
    const portCookieOf8000 = await portCookie(sub(8000), owner);
    expect((await s.api('POST', `/api/workspaces/${id}/stop`, {}, owner.token)).status).toBe(200);
    await s.waitForStatus(id, ['stopped'], owner.token);
    const page = await request('/', { host: sub(8000), headers: { cookie: portCookieOf8000, accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(page.text).toContain('slipway-action');
    expect((await request(`/ports/${id}/8000/`, { headers: bearer(owner) })).json.code).toBe('SLIPWAY_PORT_WORKSPACE_NOT_RUNNING');
    const strangers = await request('/', { host: sub(8000), headers: { ...bearer(other), accept: 'text/html' } });
    expect(strangers.status).toBe(404);
    const form = { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' };
    // Another port host is same-site: its pages must not be able to start the owner's workspace.
    const forged = await request('/', {
      host: sub(8000),
      method: 'POST',
      headers: { ...form, cookie: portCookieOf8000, origin: `http://9999-${id}.localhost:${port}` },
      body: 'slipway-action=start',
    });
    expect(forged.status).toBe(503);
    expect((await s.api('GET', `/api/workspaces/${id}`, undefined, owner.token)).body.status).toBe('stopped');
    const start = await request(`/ports/${id}/8000/`, {
      method: 'POST',
      headers: { ...form, origin: `http://127.0.0.1:${port}` },
      body: 'slipway-action=start',
    });
    expect(start.status).toBe(303);
    await s.waitForStatus(id, ['running'], owner.token);
    await until('the server again after start', async () => (await request(`/ports/${id}/8000/`, { headers: bearer(owner) })).status === 200);
  });
});
