/**
 * Failures explain themselves (issue 15 item 1), in headless Chromium against
 * a real server, real Docker and a real git server: failed tasks name their
 * command and exit code, a workspace whose tasks all failed is not a green
 * "running", a broken .gitpod.yml shows file:line:col with the offending line,
 * and the dashboard row of a failed workspace says why and offers Retry, not Start.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startGitServer, type GitServer } from '../helpers/git-server.js';
import { startSlipway, type TestServer } from '../helpers/slipway.js';
import { cspViolations, ensureWebBuilt, finalScreenshot, launchBrowser, login, newPage, screenshot, waitFor } from './browser.js';

// Both tasks end their shell with a failing code: one like a missing tool (127), one with its own code.
const FAILING_TASKS = `tasks:
  - name: deps
    command: nosuch-tool install; exit $?
  - name: app
    command: exit 3
`;

// Port 70000 is out of range: an error at line 4.
const BROKEN = `tasks:
  - command: echo hi
ports:
  - port: 70000
`;

describe('web UI: failures explain themselves', () => {
  let server: TestServer;
  let git: GitServer;
  let browser: Browser;
  let page: Page;
  let tasksWs: string;
  let brokenWs: string;

  beforeAll(async () => {
    const webDir = ensureWebBuilt();
    git = await startGitServer();
    const tasksRepo = (await git.createRepo('failing-tasks', { '.gitpod.yml': FAILING_TASKS })).url;
    const brokenRepo = (await git.createRepo('broken-def', { '.gitpod.yml': BROKEN })).url;
    server = await startSlipway({ SLIPWAY_WEB_DIR: webDir });
    const a = await server.api('POST', '/api/workspaces', { contextUrl: tasksRepo });
    const b = await server.api('POST', '/api/workspaces', { contextUrl: brokenRepo });
    expect(a.status).toBeLessThan(300);
    expect(b.status).toBeLessThan(300);
    tasksWs = a.body.id;
    brokenWs = b.body.id;
    await server.waitForStatus(brokenWs, ['failed']);
    await server.waitForStatus(tasksWs, ['running'], undefined, 180_000);
    browser = await launchBrowser();
    page = await newPage(browser);
    await login(page, server.baseUrl, 'admin', 'admin-password-1');
    // The sign-in completes before the tests navigate away from it.
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  }, 240_000);
  afterEach(async ({ task }) => finalScreenshot(page, task.name));
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await git?.close();
  });

  it('a workspace whose tasks all failed says "running, 2 of 2 tasks failed", red, with each command and its exit code', async () => {
    await page.goto(`${server.baseUrl}/w/${tasksWs}`);
    const badge = page.locator('.ws-actions .status');
    const label = await waitFor(
      () => badge.innerText(),
      (t) => t.includes('2 of 2 tasks failed'),
      'the failed-tasks badge',
      60_000,
    );
    expect(label.trim()).toBe('running, 2 of 2 tasks failed');
    expect(await badge.getAttribute('class')).toContain('status-bad');
    const failures = await page.locator('[data-testid=task-failures]').innerText();
    expect(failures).toContain('deps: nosuch-tool install; exit $? exited with 127: command not found');
    expect(failures).toContain('app: exit 3 exited with 3');
    await screenshot(page, 'workspace-tasks-failed');
  });

  it('a broken .gitpod.yml shows file:line:col, the offending line and a caret, and offers Retry and Delete, not Start', async () => {
    await page.goto(`${server.baseUrl}/w/${brokenWs}`);
    const reason = await page.locator('[data-testid=failure] pre.reason').innerText({ timeout: 30_000 });
    const lines = reason.split('\n');
    expect(lines[0]).toMatch(/^The definition file is invalid: \.gitpod\.yml:4:\d+: /);
    expect(lines[1]).toBe('  4 |   - port: 70000');
    const column = Number(/:4:(\d+):/.exec(lines[0]!)![1]);
    expect(lines[2]!.indexOf('^') - lines[2]!.indexOf('|') - 2).toBe(column - 1);
    const actions = page.locator('.ws-actions');
    expect(await actions.locator('button', { hasText: /^Start$/ }).count()).toBe(0);
    expect(await actions.locator('button', { hasText: 'Retry' }).count()).toBe(1);
    expect(await actions.locator('button', { hasText: 'Delete' }).count()).toBe(1);
    await screenshot(page, 'workspace-failed-definition');
  });

  it('the dashboard row of a failed workspace says why in one line and has Retry, no Start; the failed-tasks row says which task', async () => {
    await page.goto(`${server.baseUrl}/`);
    const broken = page.locator(`tr[data-workspace=${brokenWs}]`);
    const reason = await broken.locator('[data-testid=reason]').innerText({ timeout: 30_000 });
    expect(reason).toMatch(/^The definition file is invalid: \.gitpod\.yml:4:\d+: /);
    expect(reason).not.toContain('\n');
    expect(await broken.locator('button', { hasText: /^Start$/ }).count()).toBe(0);
    expect(await broken.locator('button', { hasText: 'Retry' }).count()).toBe(1);
    const tasks = page.locator(`tr[data-workspace=${tasksWs}]`);
    expect((await tasks.locator('.status').innerText()).trim()).toBe('running, 2 of 2 tasks failed');
    expect(await tasks.locator('[data-testid=reason]').innerText()).toBe('deps: nosuch-tool install; exit $? exited with 127: command not found');
    await screenshot(page, 'dashboard-failures');
  });

  it('Retry opens the same context again as a new workspace', async () => {
    const broken = page.locator(`tr[data-workspace=${brokenWs}]`);
    await broken.locator('button', { hasText: 'Retry' }).click();
    await page.waitForURL(/\/w\/[a-z0-9]+$/);
    const id = new URL(page.url()).pathname.split('/')[2]!;
    expect(id).not.toBe(brokenWs);
    const created = await server.api('GET', `/api/workspaces/${id}`);
    const original = await server.api('GET', `/api/workspaces/${brokenWs}`);
    expect(created.body.contextUrl).toBe(original.body.contextUrl);
    expect(cspViolations(page)).toEqual([]);
  });
});
