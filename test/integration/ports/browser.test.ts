/**
 * The subdomain form in a real browser (Debian's Chromium): `*.localhost`
 * resolves with no DNS, the login handoff gives the port host a port
 * session of its own (the main host's cookie is host-only and never goes
 * there), and a WebSocket from the page reaches the workspace. The main
 * host is `localhost:<port>`, as SLIPWAY_DOMAIN `localhost:8080`-style
 * setups use; the path form sends the browser to the subdomain form.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspViolations, ensureWebBuilt, launchBrowser, newPage } from '../../e2e/browser.js';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

let git: GitServer;
let s: TestServer;
let browser: Browser;
let page: Page;
let port: number;
let id: string;
let ownerToken: string;

beforeAll(async () => {
  git = await startGitServer();
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  s = await startSlipway({ SLIPWAY_DOMAIN: `localhost:${port}`, SLIPWAY_PUBLIC_URL: `http://localhost:${port}`, SLIPWAY_WEB_DIR: ensureWebBuilt() }, { port });
  const { url } = await git.createRepo('ports-browser', {
    '.gitpod.yml': 'ports:\n  - port: 8000\n  - port: 8001\ntasks:\n  - command: cd "${GITPOD_REPO_ROOT:-.}" && python3 serve.py\n',
    'serve.py': await readFile(new URL('./serve.py', import.meta.url), 'utf8'),
  });
  const owner = await s.newUser('browserowner');
  ownerToken = owner.token;
  const created = await s.api('POST', '/api/workspaces', { contextUrl: url }, owner.token);
  id = created.body.id;
  expect((await s.waitForStatus(id, ['running', 'failed'], owner.token)).status).toBe('running');
  const deadline = Date.now() + 60_000;
  while ((await fetch(`${s.baseUrl}/ports/${id}/8000/`, { headers: { authorization: `Bearer ${owner.token}` } })).status !== 200) {
    if (Date.now() > deadline) throw new Error('the task server did not come up');
    await new Promise((r) => setTimeout(r, 300));
  }
  browser = await launchBrowser();
  page = await newPage(browser);
  // Signed in on the main host only, as after the login page.
  const login = await page
    .context()
    .request.post(`http://localhost:${port}/api/auth/login`, { data: { username: 'browserowner', password: 'password-of-browserowner' } });
  expect(login.status()).toBe(200);
});

afterAll(async () => {
  await browser?.close();
  await s?.close();
  await git?.close();
});

describe('ports in a browser', () => {
  it('opens a private port on its own subdomain after the login handoff, and its WebSocket', async () => {
    const target = `http://8000-${id}.localhost:${port}/hello?x=1`;
    const response = await page.goto(target);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(target);
    const seen = JSON.parse((await page.textContent('body')) ?? '{}');
    expect(seen.path).toBe('/hello?x=1');
    expect(seen.headers.cookie).toBeUndefined();
    const portCookie = (await page.context().cookies(target)).find((c) => c.name === 'slipway_port');
    expect(portCookie?.domain).toBe(`8000-${id}.localhost`);
    expect(portCookie?.httpOnly).toBe(true);
    // Its own credential: the main session neither reaches the port host nor is copied onto it.
    const mainCookie = (await page.context().cookies(`http://localhost:${port}/`)).find((c) => c.name === 'slipway_session');
    expect(mainCookie?.domain).toBe('localhost');
    expect(portCookie?.value).not.toBe(mainCookie?.value);
    expect((await page.context().cookies(target)).some((c) => c.name === 'slipway_session')).toBe(false);

    const echoed = await page.evaluate(async (url) => {
      return await new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.onopen = () => ws.send('from the browser');
        ws.onmessage = (event) => resolve(String(event.data));
        ws.onerror = () => reject(new Error('websocket failed'));
      });
    }, `ws://8000-${id}.localhost:${port}/hmr`);
    expect(echoed).toBe('from the browser');
  });

  it('a path-form link takes the browser to the subdomain form (its own origin), path and query kept', async () => {
    const response = await page.goto(`http://localhost:${port}/ports/${id}/8000/abc?d=e`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`http://8000-${id}.localhost:${port}/abc?d=e`);
    expect(JSON.parse((await page.textContent('body')) ?? '{}').path).toBe('/abc?d=e');
  });

  it("the UI's CSP lets its port preview frame the subdomain form", async () => {
    // A public port: a private one would need the login handoff inside the frame, where *.localhost is
    // cross-site to localhost and the port host's cookie cannot be set (README of server/ports, known limits).
    expect((await s.api('PATCH', `/api/workspaces/${id}/ports/8000`, { visibility: 'public' }, ownerToken)).status).toBe(200);
    const preview = await newPage(browser);
    try {
      await preview.goto(`http://localhost:${port}/`);
      // The same element the ports panel renders for a preview.
      await preview.evaluate(
        `(() => { const f = document.createElement('iframe'); f.src = 'http://8000-${id}.localhost:${port}/framed'; document.body.append(f); })()`,
      );
      const text = await preview.frameLocator('iframe').locator('body').innerText({ timeout: 15_000 });
      expect(JSON.parse(text).path).toBe('/framed');
      expect(cspViolations(preview)).toEqual([]);
    } finally {
      await preview.context().close();
      await s.api('PATCH', `/api/workspaces/${id}/ports/8000`, { visibility: 'private' }, ownerToken);
    }
  });
});
