/**
 * The workspace flow in headless Chromium against a real server, real Docker
 * and a real git server: paste a URL, watch the startup log, use the task
 * terminal, reload, open a second terminal, stop and start from the dashboard.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startGitServer, type GitServer } from '../helpers/git-server.js';
import { startSlipway, type TestServer } from '../helpers/slipway.js';
import {
  contrastProblems,
  cspViolations,
  ensureWebBuilt,
  finalScreenshot,
  launchBrowser,
  login,
  newPage,
  screenshot,
  terminalText,
  waitFor,
} from './browser.js';

const GITPOD_YML = `tasks:
  - name: app
    init: echo "installing dependencies"
    command: echo "app task ready"
  - name: site
    command: mkdir -p /tmp/site && echo '<h1>hello from port 3000</h1>' > /tmp/site/index.html && python3 -m http.server 3000 --directory /tmp/site
ports:
  - port: 3000
    name: site
    onOpen: open-preview
`;

/** A line of the terminal that is exactly `text` (not the echoed command line). */
const hasLine = (screen: string, text: string) => screen.split('\n').some((line) => line.trim() === text);
const hasPrompt = (screen: string) => /[$#] *$/m.test(screen);

describe('web UI: a workspace in the browser', () => {
  let server: TestServer;
  let git: GitServer;
  let browser: Browser;
  let page: Page;
  let repoUrl: string;
  let workspaceId: string;

  beforeAll(async () => {
    const webDir = ensureWebBuilt();
    git = await startGitServer();
    repoUrl = (await git.createRepo('hello-web', { '.gitpod.yml': GITPOD_YML, 'README.md': '# hello\n' })).url;
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

  it('logs in and opens a pasted repository URL; the startup log streams', async () => {
    await login(page, server.baseUrl, 'admin', 'admin-password-1');
    await page.fill('#context-url', repoUrl);
    await page.click('.open-form button[type=submit]');
    await page.waitForURL(/\/w\/[a-z0-9]+$/);
    workspaceId = new URL(page.url()).pathname.split('/')[2]!;
    // The log shows up while the workspace starts, with its steps.
    await waitFor(
      () => page.locator('[data-testid=log]').innerText(),
      (t) => t.includes('Opening'),
      'the startup log',
      60_000,
    );
    await waitFor(
      () => page.locator('[data-testid=steps] li').count(),
      (n) => n >= 1,
      'the startup steps',
    );
    await screenshot(page, 'workspace-starting');
  });

  it('shows the task terminal with its prompt, and runs a command typed into it', async () => {
    await page.waitForSelector('.tab[data-tab=task]:has-text("app")', { timeout: 180_000 });
    await page.waitForSelector('.term-wrap[data-conn=connected]');
    await waitFor(
      () => terminalText(page),
      (t) => t.includes('app task ready') && hasPrompt(t),
      'the task output and prompt',
      60_000,
    );
    await page.click('.term-wrap[data-conn=connected] .term');
    await page.keyboard.type('echo $((6*7))');
    await page.keyboard.press('Enter');
    await waitFor(
      () => terminalText(page),
      (t) => hasLine(t, '42'),
      '42 in the terminal',
    );
    await screenshot(page, 'workspace-terminal');
  });

  it('the ports panel links the port and opens its preview once it answers', async () => {
    const port = page.locator('[data-testid=ports] li', { hasText: '3000' });
    expect(await port.locator('a').getAttribute('href')).toBe(`${server.baseUrl}/ports/${workspaceId}/3000/`);
    expect(await port.innerText()).toContain('private');
    await port.locator('text=answering').waitFor({ timeout: 60_000 });
    await page.frameLocator('.preview iframe').locator('h1:has-text("hello from port 3000")').waitFor();
  });

  it('after a reload the terminal shows what was there', async () => {
    await page.reload();
    await page.waitForSelector('.term-wrap[data-conn=connected]', { timeout: 60_000 });
    const screen = await waitFor(
      () => terminalText(page),
      (t) => hasLine(t, '42'),
      'the replayed 42 after reload',
    );
    expect(screen).toContain('echo $((6*7))');
    // Input works again after the replay.
    await page.click('.term-wrap[data-conn=connected] .term');
    await page.keyboard.type('echo again-$((2+3))');
    await page.keyboard.press('Enter');
    await waitFor(
      () => terminalText(page),
      (t) => hasLine(t, 'again-5'),
      'input after reload',
    );
  });

  it('a lost connection says so, takes no input, and reconnects with the replay', async () => {
    // Playwright sits between the page and the server's WebSocket, so the test can cut it.
    const lossy = await newPage(browser);
    let blocked = false;
    const live: { close(): Promise<void> }[] = [];
    await lossy.routeWebSocket(/\/api\/workspaces\/.+\/terminals\//, (ws) => {
      if (blocked) return void ws.close();
      ws.connectToServer();
      live.push(ws);
    });
    await login(lossy, server.baseUrl, 'admin', 'admin-password-1', `/w/${workspaceId}`);
    await lossy.waitForSelector('.term-wrap[data-conn=connected]', { timeout: 60_000 });
    await waitFor(
      () => terminalText(lossy),
      (t) => hasLine(t, '42'),
      '42 on the second page',
    );

    blocked = true;
    for (const ws of live.splice(0)) await ws.close();
    await lossy.waitForSelector('.term-wrap[data-conn=disconnected]');
    expect(await lossy.locator('.term-wrap:not([style*="none"]) .term-status').innerText()).toMatch(/reconnecting in .*Input is paused/);
    // Keys typed while disconnected go nowhere (the shell never sees them).
    await lossy.click('.term-wrap .term');
    await lossy.keyboard.type('echo typed-while-offline');
    await screenshot(lossy, 'terminal-disconnected');

    blocked = false;
    await lossy.waitForSelector('.term-wrap[data-conn=connected]', { timeout: 30_000 });
    const screen = await waitFor(
      () => terminalText(lossy),
      (t) => hasLine(t, '42'),
      'the replay after reconnecting',
    );
    expect(screen).not.toContain('typed-while-offline');
    await lossy.keyboard.type('echo back-$((3*3))');
    await lossy.keyboard.press('Enter');
    await waitFor(
      () => terminalText(lossy),
      (t) => hasLine(t, 'back-9'),
      'input after reconnecting',
    );
    await screenshot(lossy, 'terminal-reconnected');
    await lossy.context().close();
  });

  it('opens a second terminal in a new tab', async () => {
    await page.click('.tab-new');
    await page.waitForSelector('.tab.active[data-tab=shell]');
    const id = await page.locator('.term-wrap:not([style*="none"])').getAttribute('data-terminal');
    expect(id).toBeTruthy();
    await page.waitForSelector(`[data-terminal="${id}"][data-conn=connected]`);
    await waitFor(() => terminalText(page, id!), hasPrompt, 'the prompt of the new terminal');
    await page.click(`[data-terminal="${id}"] .term`);
    await page.keyboard.type('echo second-$((1+1))');
    await page.keyboard.press('Enter');
    await waitFor(
      () => terminalText(page, id!),
      (t) => hasLine(t, 'second-2'),
      'output in the second terminal',
    );
    // Ctrl-C interrupts the foreground process, as in a local terminal.
    await page.keyboard.type('sleep 30');
    await page.keyboard.press('Enter');
    await new Promise((r) => setTimeout(r, 500));
    await page.keyboard.press('Control+C');
    await page.keyboard.type('echo "rc=$?"');
    await page.keyboard.press('Enter');
    await waitFor(
      () => terminalText(page, id!),
      (t) => hasLine(t, 'rc=130'),
      'the interrupted sleep',
      10_000,
    );

    // Pasting types the clipboard into the shell.
    await page.evaluate(`navigator.clipboard.writeText('echo pasted-$((5+5))')`); // runs in the page
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.press('Enter');
    await waitFor(
      () => terminalText(page, id!),
      (t) => hasLine(t, 'pasted-10'),
      'the pasted command',
      10_000,
    );

    // The size follows the window, and the shell is told.
    let probe = 0;
    const sttySize = async () => {
      // A numbered marker, so an older answer still on the screen is never read.
      probe += 1;
      const answer = new RegExp(`^size${probe}=(\\d+) (\\d+)$`, 'm');
      await page.keyboard.type(`echo "size${probe}=$(stty size)"`);
      await page.keyboard.press('Enter');
      const screen = await waitFor(
        () => terminalText(page, id!),
        (t) => answer.test(t),
        'stty size',
        10_000,
      );
      const [rows, cols] = answer.exec(screen)!.slice(1).map(Number);
      return { rows: rows!, cols: cols! };
    };
    const before = await sttySize();
    await page.setViewportSize({ width: 1000, height: 640 });
    await new Promise((r) => setTimeout(r, 600));
    const after = await sttySize();
    expect(after.cols).toBeLessThan(before.cols);
    expect(after.rows).toBeLessThan(before.rows);
    await page.setViewportSize({ width: 1360, height: 860 });

    // A shell that ends says how, and offers a new one.
    await page.keyboard.type('exit 3');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`[data-terminal="${id}"][data-conn=exited]`);
    expect(await page.locator(`[data-terminal="${id}"] .term-status`).innerText()).toContain('exited with code 3');
    await page.click(`[data-terminal="${id}"] >> text=Open a new terminal`);
    await waitFor(
      () => page.locator('.term-wrap:not([style*="none"])').getAttribute('data-terminal'),
      (t) => !!t && t !== id,
      'a fresh terminal tab',
    );
    await page.waitForSelector('.term-wrap:not([style*="none"])[data-conn=connected]');
    // The task terminal is still there, one tab away.
    expect(await page.locator('.tab').allInnerTexts()).toEqual(expect.arrayContaining(['Startup log', 'app', '+ New terminal']));
    // Back to the task terminal for the picture of the page.
    await page.click('.tab[data-tab=task]');
    await waitFor(
      () => terminalText(page),
      (t) => hasLine(t, '42'),
      'the task terminal again',
    );
    const file = await screenshot(page, 'workspace-page');
    if (process.env.SLIPWAY_UPDATE_DOCS) {
      mkdirSync('docs', { recursive: true });
      copyFileSync(file, path.join('docs', 'workspace-page.png'));
    }
  });

  it('the chosen tab survives a reload', async () => {
    await page.click('.tab:has-text("Startup log")');
    await page.reload();
    await page.waitForSelector('.tab.active[data-tab=log]');
    await page.waitForSelector('[data-testid=log]');
    // Still the log after the next poll of the running workspace (which would otherwise pick the task).
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.locator('.tab.active').getAttribute('data-tab')).toBe('log');
    // The live shell (the first one exited in the test before).
    await page.locator('.tab[data-tab=shell]').last().click();
    const id = await page.locator('.term-wrap:not([style*="none"])').getAttribute('data-terminal');
    await page.reload();
    await page.waitForSelector('.tab.active[data-tab=shell]');
    expect(await page.locator('.term-wrap:not([style*="none"])').getAttribute('data-terminal')).toBe(id);
    await page.waitForSelector(`[data-terminal="${id}"][data-conn=connected]`);
    await page.click('.tab[data-tab=task]');
  });

  it('follows a dark system theme and the theme switch, the open terminal included', async () => {
    /** The background xterm paints the visible terminal with (set from its theme, inline). */
    // Expressions as strings: they run in the page, and the tests compile without the DOM's types.
    const termBackground = () =>
      page.evaluate<string | null>(`(() => {
        const painted = [...document.querySelectorAll('.term-wrap:not([style*="none"]) .xterm *')].find((e) => e.style.backgroundColor);
        return painted ? getComputedStyle(painted).backgroundColor : null;
      })()`);
    const pageBackground = () => page.evaluate<string>('getComputedStyle(document.documentElement).backgroundColor');
    await page.waitForSelector('.term-wrap:not([style*="none"])[data-conn=connected]');
    expect(await page.locator('[data-testid=theme]').inputValue()).toBe('system');
    expect(await termBackground()).toBe('rgb(255, 255, 255)');
    expect(await contrastProblems(page, ['.xterm'])).toEqual([]);

    await page.emulateMedia({ colorScheme: 'dark' });
    await waitFor(pageBackground, (c) => c === 'rgb(17, 20, 23)', 'the dark page background');
    await waitFor(termBackground, (c) => c === 'rgb(20, 24, 29)', 'the dark terminal');
    expect(await contrastProblems(page, ['.xterm'])).toEqual([]);
    await screenshot(page, 'workspace-dark');

    // Switched to light while the terminal is open: both follow at once, and it is remembered.
    await page.selectOption('[data-testid=theme]', 'light');
    await waitFor(termBackground, (c) => c === 'rgb(255, 255, 255)', 'the light terminal');
    expect(await pageBackground()).toBe('rgb(245, 246, 244)');
    await page.reload();
    await page.waitForSelector('.term-wrap:not([style*="none"])[data-conn=connected]');
    expect(await page.locator('[data-testid=theme]').inputValue()).toBe('light');
    expect(await pageBackground()).toBe('rgb(245, 246, 244)');
    expect(await termBackground()).toBe('rgb(255, 255, 255)');
    await page.selectOption('[data-testid=theme]', 'system');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('fits a 390 px wide phone: no sideways scrolling, the terminal spans the width, controls in reach', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.reload();
      await page.waitForSelector('.term-wrap:not([style*="none"])[data-conn=connected]');
      await new Promise((r) => setTimeout(r, 300));
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      const pane = (await page.locator('.ws-main').boundingBox())!;
      expect(pane.x).toBeLessThanOrEqual(1);
      expect(pane.width).toBeGreaterThanOrEqual(388);
      for (const control of ['.ws-actions button:has-text("Stop")', '.ws-actions button:has-text("Delete")', '[data-testid=theme]', 'nav >> text=Settings']) {
        const box = (await page.locator(control).first().boundingBox())!;
        expect(box.x, control).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, control).toBeLessThanOrEqual(390);
      }
      // The terminal still types and answers.
      await page.click('.term-wrap:not([style*="none"]) .term');
      await page.keyboard.type('echo narrow-$((4*4))');
      await page.keyboard.press('Enter');
      await waitFor(
        () => terminalText(page),
        (t) => hasLine(t, 'narrow-16'),
        'output on the narrow page',
      );
      const file = await screenshot(page, 'workspace-narrow');
      if (process.env.SLIPWAY_UPDATE_DOCS) copyFileSync(file, path.join('docs', 'workspace-narrow.png'));

      // The dashboard with this workspace in its list: one column, still no sideways scrolling.
      await page.click('nav >> text=Workspaces');
      await page.locator(`tr[data-workspace="${workspaceId}"]`).waitFor();
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      const open = (await page.locator(`tr[data-workspace="${workspaceId}"] a:has-text("Open")`).boundingBox())!;
      expect(open.x + open.width).toBeLessThanOrEqual(390);
      await screenshot(page, 'dashboard-narrow');
    } finally {
      await page.setViewportSize({ width: 1360, height: 860 });
    }
  });

  it('stops and starts the workspace from the dashboard', async () => {
    await page.click('nav >> text=Workspaces');
    const row = page.locator(`tr[data-workspace="${workspaceId}"]`);
    await row.waitFor();
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('running');
    await row.locator('button:has-text("Stop")').click();
    await waitFor(
      () => row.locator('[data-status]').getAttribute('data-status'),
      (s) => s === 'stopped',
      'stopped',
      120_000,
    );
    await row.locator('button:has-text("Start")').click();
    await waitFor(
      () => row.locator('[data-status]').getAttribute('data-status'),
      (s) => s === 'running',
      'running again',
      180_000,
    );
    await screenshot(page, 'dashboard-workspace');
    // The workspace page reconnects to the task terminal of the new start.
    await row.locator('a:has-text("Open")').click();
    await page.waitForSelector('.term-wrap[data-conn=connected]', { timeout: 60_000 });
  });

  it('a failed start shows the reason and the log with the build output', async () => {
    const broken = await git.createRepo('broken-web', {
      '.gitpod.yml': 'image:\n  file: .gitpod.Dockerfile\n',
      '.gitpod.Dockerfile': 'FROM slipway/workspace-base\nRUN echo "compiling the toolchain" && exit 3\n',
    });
    await page.goto('about:blank');
    await page.goto(`${server.baseUrl}/#${broken.url}`);
    await page.waitForURL(/\/w\/[a-z0-9]+$/);
    await page.waitForSelector('[data-testid=failure]', { timeout: 180_000 });
    const reason = await page.locator('[data-testid=failure]').innerText();
    expect(reason).toContain('failed to start');
    await waitFor(
      () => page.locator('[data-testid=log]').innerText(),
      (t) => t.includes('compiling the toolchain'),
      'the build output in the log',
    );
    expect(await page.locator('.step.failed').count()).toBeGreaterThan(0);
    await screenshot(page, 'workspace-failed');
  });

  it("blocked nothing of the UI's own with its Content-Security-Policy (terminals, live logs, the port preview)", async () => {
    const response = await page.goto(`${server.baseUrl}/w/${workspaceId}`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('.term-wrap[data-conn=connected]', { timeout: 60_000 });
    expect(cspViolations(page)).toEqual([]);
  });
});
