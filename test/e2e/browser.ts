/**
 * Browser helpers for the e2e tests: the web UI built once (when web/dist is
 * missing or older than its sources), Debian's Chromium driven by
 * playwright-core, and screenshots under test-output/e2e/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const webDist = path.join(repoRoot, 'web/dist');
export const outputDir = path.join(repoRoot, 'test-output/e2e');

function newestMtime(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(target).map((name) => newestMtime(path.join(target, name))));
}

/** Builds web/dist unless it is newer than every source it is made from. */
export function ensureWebBuilt(): string {
  const index = path.join(webDist, 'index.html');
  const sources = ['web/src', 'web/index.html', 'web/vite.config.ts', 'package.json'].map((p) => path.join(repoRoot, p));
  if (!existsSync(index) || statSync(index).mtimeMs < Math.max(...sources.map(newestMtime))) {
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
  }
  return webDist;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.SLIPWAY_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

export async function newPage(browser: Browser): Promise<Page> {
  // Clipboard access so tests can paste into a terminal like a user would.
  const context = await browser.newContext({
    viewport: { width: 1360, height: 860 },
    deviceScaleFactor: 1,
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  // Browser-side errors surface in the test output instead of vanishing.
  page.on('pageerror', (error) => console.error('[browser]', error.message));
  // What the UI's Content-Security-Policy blocked (Chromium reports each on the console), for cspViolations().
  const violations: string[] = [];
  blocked.set(page, violations);
  page.on('console', (message) => {
    if (/Content[ -]Security[ -]Policy/i.test(message.text())) violations.push(message.text());
  });
  return page;
}

const blocked = new WeakMap<Page, string[]>();

/** Everything the Content-Security-Policy blocked on this page (and its frames) so far. */
export function cspViolations(page: Page): string[] {
  return [...(blocked.get(page) ?? [])];
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(outputDir, { recursive: true });
  const file = path.join(outputDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Every test's final page, named after the test: `afterEach(({ task }) => finalScreenshot(page, task.name))`. */
export async function finalScreenshot(page: Page | undefined, testName: string): Promise<void> {
  if (!page || page.isClosed()) return;
  const slug = testName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
  await screenshot(page, `final-${slug}`).catch(() => {});
}

export async function login(page: Page, baseUrl: string, username: string, password: string, next = '/') {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/** The visible text of a terminal's screen, one line per row (xterm's DOM renderer). */
export async function terminalText(page: Page, terminalId?: string): Promise<string> {
  const selector = terminalId ? `[data-terminal="${terminalId}"] .xterm-rows` : '.term-wrap:not([style*="none"]) .xterm-rows';
  const text = await page.locator(selector).first().innerText();
  return text.replace(/\u00a0/g, ' ');
}

/** Polls `read` until `predicate` holds; the failure message carries the last value seen. */
export async function waitFor<T>(read: () => Promise<T>, predicate: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (predicate(last)) return last;
    } catch {
      // element not there yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(-2000)}`);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * What axe-core's color-contrast rule (WCAG AA) finds on the page, one line
 * per offending element; `exclude` lists selectors to skip (a terminal's
 * colours are the program's, not the UI's).
 */
export async function contrastProblems(page: Page, exclude: string[] = []): Promise<string[]> {
  // Through the DevTools protocol, so the page's CSP (no inline scripts) does not block it.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource);
  const context = JSON.stringify({ exclude: exclude.map((selector) => [selector]) });
  const result = (await page.evaluate(`axe.run(${context}, { runOnly: ['color-contrast'], resultTypes: ['violations'], iframes: false })`)) as {
    violations: { nodes: { target: string[]; failureSummary?: string }[] }[];
  };
  return result.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`));
}
