/**
 * Projects in headless Chromium: create one from the page (webhook URL and
 * secret shown with per-forge lines), run a prebuild by hand, follow its log
 * live, and see its status on the dashboard. Real server, Docker and git.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startGitServer, type GitServer } from '../helpers/git-server.js';
import { startSlipway, type TestServer } from '../helpers/slipway.js';
import { ensureWebBuilt, finalScreenshot, launchBrowser, login, newPage, screenshot, waitFor } from './browser.js';

describe('web UI: projects and prebuilds', () => {
  let server: TestServer;
  let git: GitServer;
  let browser: Browser;
  let page: Page;
  let repoUrl: string;

  beforeAll(async () => {
    const webDir = ensureWebBuilt();
    git = await startGitServer();
    repoUrl = (
      await git.createRepo('prebuilt-web', {
        '.gitpod.yml': 'tasks:\n  - name: deps\n    init: echo "warming the cache for the prebuild"\n    command: echo up\n',
      })
    ).url;
    server = await startSlipway({ SLIPWAY_WEB_DIR: webDir });
    browser = await launchBrowser();
    page = await newPage(browser);
  });
  afterEach(async ({ task }) => finalScreenshot(page, task.name));
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await git?.close();
  });

  it('creates a project and shows its webhook URL, secret and per-forge instructions', async () => {
    await login(page, server.baseUrl, 'admin', 'admin-password-1', '/projects');
    await page.waitForSelector('text=New project');
    await page.fill('input[placeholder^="https://git.example.com"]', repoUrl);
    await page.fill('input[placeholder^="main,"]', 'main');
    await page.click('button:has-text("Create project")');
    const card = page.locator('.created [data-testid=webhook]');
    await card.waitFor();
    const text = await card.innerText();
    expect(text).toContain(`${server.baseUrl}/api/webhooks/`);
    for (const forge of ['GitHub', 'GitLab', 'Gitea / Forgejo', 'Bitbucket', 'Anything else']) expect(text).toContain(forge);
    const projects = (await server.api('GET', '/api/projects')).body as { id: string; webhookSecret?: string }[];
    expect(projects).toHaveLength(1);
    // The secret on the page is the project's real one.
    expect(await card.locator('.kv code').nth(1).innerText()).toBe(projects[0]!.webhookSecret);
    expect(await card.locator('button.copy').count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'project-created');
  });

  it('runs a prebuild by hand and streams its log until it is ready', async () => {
    await page.click('.created h3 a');
    await page.waitForURL(/\/projects\/[^/]+$/);
    await page.click('button:has-text("Run prebuild")');
    const link = page.locator('table a[href^="/prebuilds/"]').first();
    await link.waitFor({ timeout: 30_000 });
    await link.click();
    await page.waitForURL(/\/prebuilds\/[^/]+$/);
    await waitFor(
      () => page.locator('[data-testid=log]').innerText(),
      (t) => t.includes('warming the cache for the prebuild'),
      'the prebuild log',
      180_000,
    );
    await waitFor(
      () => page.locator('.card-head [data-status]').getAttribute('data-status'),
      (s) => s === 'ready' || s === 'failed',
      'the prebuild to finish',
      240_000,
    );
    expect(await page.locator('.card-head [data-status]').getAttribute('data-status')).toBe('ready');
    await screenshot(page, 'prebuild');
  });

  it('lists the prebuild on the project page and the dashboard', async () => {
    await page.click('main a[href^="/projects/"]');
    await page.waitForSelector('table [data-status=ready]');
    expect(await page.locator('table tbody tr').first().innerText()).toContain('main');
    await page.click('nav >> text=Workspaces');
    await page.waitForSelector('.projects .branch:has-text("main") [data-status=ready]');
    await screenshot(page, 'dashboard-projects');
  });

  it('a workspace for the prebuilt branch says it started from the prebuild', async () => {
    await page.goto('about:blank');
    await page.goto(`${server.baseUrl}/#${repoUrl}`);
    await page.waitForURL(/\/w\/[a-z0-9]+$/);
    await page.waitForSelector('.ws-actions [data-status=running]', { timeout: 180_000 });
    expect(await page.locator('.ws-title').innerText()).toContain('started from a prebuild');
    await screenshot(page, 'workspace-from-prebuild');
  });
});
