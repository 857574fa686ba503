/**
 * The web UI in headless Chromium, without starting workspaces: sign-in,
 * a wrong password, a bad repository URL, settings and the project pages.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startSlipway, type TestServer } from '../helpers/slipway.js';
import { ensureWebBuilt, finalScreenshot, launchBrowser, login, newPage, screenshot, waitFor } from './browser.js';

describe('web UI: sign-in, errors and settings', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const webDir = ensureWebBuilt();
    server = await startSlipway({ SLIPWAY_WEB_DIR: webDir });
    browser = await launchBrowser();
  });
  afterEach(async ({ task }) => finalScreenshot(page, task.name));
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a wrong password shows a clear message and stays on the login page', async () => {
    page = await newPage(browser);
    await page.goto(server.baseUrl + '/');
    await page.waitForURL(/\/login\?next=/);
    await login(page, server.baseUrl, 'admin', 'not-the-password');
    const message = await page.locator('[role=alert]').innerText();
    expect(message).toContain('Wrong username or password');
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'wrong-password');
  });

  it('logs in, shows the dashboard, and logs out', async () => {
    await login(page, server.baseUrl, 'admin', 'admin-password-1');
    await page.waitForSelector('#context-url');
    expect(await page.locator('[data-testid=username]').innerText()).toBe('admin');
    await page.waitForSelector('text=No workspaces yet');
    await screenshot(page, 'dashboard-empty');
    await page.click('text=Log out');
    await page.waitForURL(/\/login/);
    const me = await page.evaluate(() => fetch('/api/me').then((r) => r.status));
    expect(me).toBe(401);
  });

  it('a bad repository URL shows the API error in the page, also through /#<url>', async () => {
    await login(page, server.baseUrl, 'admin', 'admin-password-1');
    await page.waitForSelector('#context-url');
    const bad = 'not a repository url';
    const expected = (await server.api('POST', '/api/workspaces', { contextUrl: bad })).body as { message: string };
    expect(expected.message).toBeTruthy();

    await page.fill('#context-url', bad);
    await page.click('.open-form button[type=submit]');
    expect(await page.locator('[data-testid=open-error]').innerText()).toBe(expected.message);

    // The Gitpod convention: the URL after the hash is opened straight away.
    const badHash = 'ftp://example.invalid/nothing';
    const expectedHash = (await server.api('POST', '/api/workspaces', { contextUrl: badHash })).body as { message: string };
    await page.goto('about:blank'); // a fresh load, not just a hash change
    await page.goto(`${server.baseUrl}/#${badHash}`);
    await waitFor(
      () => page.locator('[data-testid=open-error]').innerText(),
      (t) => t === expectedHash.message,
      'the /# error',
    );
    expect(await page.inputValue('#context-url')).toBe(badHash);
    await screenshot(page, 'bad-url');
  });

  it('/#<url> while signed out: sign in first, then the URL is opened', async () => {
    await page.click('text=Log out');
    await page.waitForURL(/\/login/);
    const url = 'ftp://example.invalid/after-login';
    const expected = (await server.api('POST', '/api/workspaces', { contextUrl: url })).body as { message: string };
    await page.goto('about:blank');
    await page.goto(`${server.baseUrl}/#${url}`);
    await page.waitForURL(/\/login\?next=/);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'admin-password-1');
    await page.click('button[type=submit]');
    await waitFor(
      () => page.locator('[data-testid=open-error]').innerText(),
      (t) => t === expected.message,
      'the error of the URL opened after login',
    );
  });

  it('settings: an admin creates a user, and an API token is shown once and works', async () => {
    await page.goto(server.baseUrl + '/admin');
    await page.fill('input[placeholder=username]', 'dora');
    await page.fill('input[type=password]', 'dora-password-1');
    await page.click('text=Create user');
    await page.waitForSelector('text=Created dora.');
    await page.waitForSelector('td:text-is("dora")');

    await page.fill('input[placeholder^="token name"]', 'ci');
    await page.click('text=New token');
    const token = await page.locator('[data-testid=new-token]').innerText();
    expect(token).toMatch(/^slw_/);
    const me = await server.api('GET', '/api/me', undefined, token);
    expect(me.body.user.username).toBe('admin');
    await screenshot(page, 'settings');
  });

  it('project pages either work or show the API error, never a blank page', async () => {
    await page.goto(server.baseUrl + '/projects');
    await page.waitForSelector('text=New project');
    await waitFor(
      () => page.locator('.card').nth(1).innerText(),
      (t) => /No projects yet|Projects are not available/.test(t),
      'the project list or its error',
    );
    await screenshot(page, 'projects');
  });
});
