/**
 * The path form without SLIPWAY_DOMAIN, where port pages are served from
 * Slipway's own host (issue 12, item 1): every response is sandboxed (an
 * opaque origin), the owner's too, so a hostile page cannot use the
 * viewer's session, read cookies or register a service worker (real
 * Chromium); a private port's page still loads its own files through a
 * port-session key in its URL, which opens that one port and nothing else.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchBrowser, newPage } from '../../e2e/browser.js';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

const SANDBOX =
  'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads allow-popups-to-escape-sandbox allow-pointer-lock allow-presentation';
const KEYED = (workspace: string, port: number, rest: string) =>
  new RegExp(`^/ports/${workspace}/${port}~([A-Za-z0-9_-]{43})${rest.replace(/[.?]/g, '\\$&')}$`);
const navigate = { accept: 'text/html,*/*;q=0.8', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };

let git: GitServer;
let s: TestServer;
let browser: Browser;
let page: Page;
let port: number;
let id: string;
const owner = { token: '', cookie: '' };

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  text: string;
}

function request(path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const headerValues = (r: Reply, name: string) => r.rawHeaders.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === name ? [r.rawHeaders[i + 1]!] : []));

async function login(username: string): Promise<string> {
  const response = await fetch(`${s.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'password-of-' + username }),
  });
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

async function tokenCount(): Promise<number> {
  return (await s.api('GET', '/api/tokens', undefined, owner.token)).body.length;
}

beforeAll(async () => {
  git = await startGitServer();
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  s = await startSlipway({ SLIPWAY_PUBLIC_URL: `http://localhost:${port}` }, { port });
  const { url } = await git.createRepo('ports-sandbox', {
    '.gitpod.yml': 'ports:\n  - port: 8000\n  - port: 8001\ntasks:\n  - command: cd "${GITPOD_REPO_ROOT:-.}" && python3 serve.py\n',
    'serve.py': await readFile(new URL('./serve.py', import.meta.url), 'utf8'),
  });
  owner.token = (await s.newUser('sandboxowner')).token;
  owner.cookie = await login('sandboxowner');
  const created = await s.api('POST', '/api/workspaces', { contextUrl: url }, owner.token);
  id = created.body.id;
  expect((await s.waitForStatus(id, ['running', 'failed'], owner.token)).status).toBe('running');
  const deadline = Date.now() + 60_000;
  while ((await request(`/ports/${id}/8000/`, { headers: { authorization: `Bearer ${owner.token}` } })).status !== 200) {
    if (Date.now() > deadline) throw new Error('the task server did not come up');
    await new Promise((r) => setTimeout(r, 300));
  }
  browser = await launchBrowser();
  page = await newPage(browser);
  // Signed in on the main host as the owner, as after the login page.
  const signedIn = await page
    .context()
    .request.post(`http://localhost:${port}/api/auth/login`, { data: { username: 'sandboxowner', password: 'password-of-sandboxowner' } });
  expect(signedIn.status()).toBe(200);
});

afterAll(async () => {
  await browser?.close();
  await s?.close();
  await git?.close();
});

describe('path-form responses', () => {
  it("are sandboxed for everyone, the owner included; an app's own CSP stays a second policy; Service-Worker-Allowed and Slipway's cookie names are dropped", async () => {
    const r = await request(`/ports/${id}/8000/own-headers`, { headers: { cookie: owner.cookie } });
    expect(r.status).toBe(200);
    expect(headerValues(r, 'content-security-policy')).toEqual([SANDBOX, "img-src 'self'"]);
    expect(headerValues(r, 'service-worker-allowed')).toEqual([]);
    expect(headerValues(r, 'set-cookie')).toEqual(['app=1; Path=/']);
    for (const path of ['/redirect', '/anything.json']) {
      expect(
        headerValues(await request(`/ports/${id}/8000${path}`, { headers: { authorization: `Bearer ${owner.token}` } }), 'content-security-policy'),
      ).toEqual([SANDBOX]);
    }
  });

  it("refuse service-worker scripts, and code that Slipway's own pages would load from them (403)", async () => {
    const sw = await request(`/ports/${id}/8000/sw.js`, {
      headers: { cookie: owner.cookie, 'service-worker': 'script', 'sec-fetch-dest': 'serviceworker', 'sec-fetch-site': 'same-origin' },
    });
    expect(sw.status).toBe(403);
    expect(JSON.parse(sw.text).code).toBe('SLIPWAY_PORT_FORBIDDEN');
    const script = await request(`/ports/${id}/8000/x.js`, { headers: { cookie: owner.cookie, 'sec-fetch-dest': 'script', 'sec-fetch-site': 'same-origin' } });
    expect(script.status).toBe(403);
    // A sandboxed page's own loads are cross-site (opaque origin): those go through.
    expect(
      (
        await request(`/ports/${id}/8000/x.js`, {
          headers: { authorization: `Bearer ${owner.token}`, 'sec-fetch-dest': 'script', 'sec-fetch-site': 'cross-site' },
        })
      ).status,
    ).toBe(200);
  });
});

describe('in Chromium', () => {
  it("a hostile page on the path form cannot use the signed-in owner's session: no API token, no cookies, no service worker", async () => {
    const before = await tokenCount();
    const response = await page.goto(`http://localhost:${port}/ports/${id}/8000/attack`);
    expect(response?.headers()['content-security-policy']).toBe(SANDBOX);
    await page.waitForFunction("document.title === 'done'", undefined, { timeout: 15_000 });
    const seen = JSON.parse((await page.textContent('body')) ?? '{}') as Record<string, string>;
    for (const attempt of ['plain', 'include', 'json']) {
      expect(seen[attempt], `${attempt}: ${seen[attempt]}`).not.toMatch(/^201|slw_/);
    }
    expect(seen.serviceWorker).toMatch(/^refused/);
    expect(seen.cookie).toBe('refused: SecurityError');
    expect(seen.storage).toBe('refused: SecurityError');
    expect(await tokenCount()).toBe(before);
  });

  it("the owner's private page loads its own files through a port-session key that opens that port only", async () => {
    const response = await page.goto(`http://localhost:${port}/ports/${id}/8000/page.html`);
    expect(response?.status()).toBe(200);
    const where = new URL(page.url());
    const key = KEYED(id, 8000, '/page.html').exec(where.pathname)?.[1];
    expect(key, where.pathname).toBeTruthy();
    // sub.js is a relative URL of the sandboxed page: its request carries no cookie, only the key.
    await page.waitForFunction("document.title === 'sub ran'", undefined, { timeout: 15_000 });
    expect((await request(`/ports/${id}/8000~${key}/sub.js`)).status).toBe(200);
    expect((await request(`/ports/${id}/8001~${key}/`)).status).toBe(401);
    expect((await request('/api/me', { headers: { cookie: `slipway_session=${key}` } })).status).toBe(401);
    expect((await request('/api/me', { headers: { cookie: `slipway_port=${key}` } })).status).toBe(401);
    const echoed = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ports/${id}/8001~${key}/`);
      ws.once('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
      ws.once('open', () => resolve('opened'));
      ws.once('error', reject);
    });
    expect(echoed).toBe('refused 401');
  });
});

describe('port-session keys', () => {
  it('are minted only for a signed-in navigation; an unknown or expired key sends the browser back to the plain URL', async () => {
    const anonymous = await request(`/ports/${id}/8000/page.html?x=1`, { headers: navigate });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toBe(`${s.config.publicUrl}/login?next=${encodeURIComponent(`/ports/${id}/8000/page.html?x=1`)}`);
    const stale = await request(`/ports/${id}/8000~${'A'.repeat(43)}/page.html?x=1`, { headers: navigate });
    expect(stale.status).toBe(302);
    expect(stale.headers.location).toBe(`/ports/${id}/8000/page.html?x=1`);
    expect((await request(`/ports/${id}/8000~${'A'.repeat(43)}/page.html`)).status).toBe(401);
    // A bearer client needs no key: it is proxied at once.
    expect((await request(`/ports/${id}/8000/page.html`, { headers: { ...navigate, authorization: `Bearer ${owner.token}` } })).status).toBe(200);
  });

  it('end with the login session they came from', async () => {
    const session = await login('sandboxowner');
    const minted = await request(`/ports/${id}/8000/page.html`, { headers: { ...navigate, cookie: session } });
    expect(minted.status).toBe(302);
    const keyed = minted.headers.location!;
    expect(keyed).toMatch(KEYED(id, 8000, '/page.html'));
    expect((await request(keyed)).status).toBe(200);
    expect((await request('/api/auth/logout', { method: 'POST', headers: { cookie: session, origin: `http://localhost:${port}` } })).status).toBe(200);
    expect((await request(keyed)).status).toBe(401);
  });
});

describe('the session cookie', () => {
  it('is host-only: login sets no Domain attribute, also with a real port domain', async () => {
    const other = await startSlipway({ SLIPWAY_DOMAIN: 'ports.example.test' });
    try {
      const response = await fetch(`${other.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'admin-password-1' }),
      });
      expect(response.status).toBe(200);
      const cookies = response.headers.getSetCookie();
      expect(cookies).toHaveLength(1);
      expect(cookies[0]).toMatch(/^slipway_session=/);
      expect(cookies[0]).not.toMatch(/domain=/i);
    } finally {
      await other.close();
    }
  });
});
