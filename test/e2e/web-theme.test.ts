/**
 * Themes and small screens in headless Chromium, without starting
 * workspaces: the dark theme from prefers-color-scheme, the remembered
 * light / dark / system switch, WCAG AA contrast (axe-core's color-contrast
 * rule) in both, no sideways scrolling at 390 px, the URL box focused.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startSlipway, type TestServer } from '../helpers/slipway.js';
import { contrastProblems, cspViolations, ensureWebBuilt, finalScreenshot, launchBrowser, login, newPage, screenshot, waitFor } from './browser.js';

const LIGHT_BG = 'rgb(245, 246, 244)';
const DARK_BG = 'rgb(17, 20, 23)';

// Expressions as strings: they run in the page, and the tests compile without the DOM's types.
const pageBackground = (page: Page) => page.evaluate<string>('getComputedStyle(document.documentElement).backgroundColor');
const scrollWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');
const focusedId = (page: Page) => page.evaluate<string | undefined>('document.activeElement?.id');

describe('web UI: themes, contrast and narrow screens', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const webDir = ensureWebBuilt();
    server = await startSlipway({ SLIPWAY_WEB_DIR: webDir });
    browser = await launchBrowser();
    page = await newPage(browser);
  });
  afterEach(async ({ task }) => finalScreenshot(page, task.name));
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the dashboard gives the URL box the keyboard on load', async () => {
    await login(page, server.baseUrl, 'admin', 'admin-password-1');
    await page.waitForSelector('text=No workspaces yet');
    expect(await focusedId(page)).toBe('context-url');
    await page.reload();
    await page.waitForSelector('#context-url');
    await waitFor(
      () => focusedId(page),
      (id) => id === 'context-url',
      'the focused URL box after a reload',
    );
    // Typing goes straight into it.
    await page.keyboard.type('https://example.invalid/typed');
    expect(await page.inputValue('#context-url')).toBe('https://example.invalid/typed');
  });

  it('follows prefers-color-scheme, with AA contrast in both themes', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const where of ['/', '/projects', '/admin']) {
        await page.goto(server.baseUrl + where);
        await page.waitForSelector('[data-testid=theme]');
        await page.waitForSelector('.loading', { state: 'detached' });
        expect(await page.evaluate('document.documentElement.dataset.theme')).toBe(scheme);
        expect(await pageBackground(page)).toBe(scheme === 'dark' ? DARK_BG : LIGHT_BG);
        expect(await contrastProblems(page), `${scheme} ${where}`).toEqual([]);
      }
    }
    // The dashboard, dark, for the docs.
    await page.goto(server.baseUrl + '/');
    await page.waitForSelector('text=No workspaces yet');
    await page.fill('#context-url', 'not a repository url');
    await page.click('.open-form button[type=submit]');
    await page.waitForSelector('[data-testid=open-error]');
    expect(await contrastProblems(page)).toEqual([]);
    const file = await screenshot(page, 'dashboard-dark');
    if (process.env.SLIPWAY_UPDATE_DOCS) {
      mkdirSync('docs', { recursive: true });
      copyFileSync(file, path.join('docs', 'dashboard-dark.png'));
    }
    // The login page too, signed out in a fresh context.
    const fresh = await newPage(browser);
    await fresh.emulateMedia({ colorScheme: 'dark' });
    await fresh.goto(server.baseUrl + '/login');
    await fresh.waitForSelector('input[name=username]');
    expect(await pageBackground(fresh)).toBe(DARK_BG);
    expect(await contrastProblems(fresh)).toEqual([]);
    await fresh.context().close();
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('the light / dark / system switch wins over the system and is remembered across reloads', async () => {
    await page.goto(server.baseUrl + '/');
    await page.waitForSelector('[data-testid=theme]');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await page.locator('[data-testid=theme]').inputValue()).toBe('system');
    await waitFor(
      () => pageBackground(page),
      (c) => c === DARK_BG,
      'dark from the system',
    );

    await page.selectOption('[data-testid=theme]', 'light');
    expect(await pageBackground(page)).toBe(LIGHT_BG);
    await page.reload();
    await page.waitForSelector('[data-testid=theme]');
    expect(await page.locator('[data-testid=theme]').inputValue()).toBe('light');
    expect(await pageBackground(page)).toBe(LIGHT_BG);

    await page.emulateMedia({ colorScheme: 'light' });
    await page.selectOption('[data-testid=theme]', 'dark');
    await page.reload();
    await page.waitForSelector('[data-testid=theme]');
    expect(await page.locator('[data-testid=theme]').inputValue()).toBe('dark');
    expect(await pageBackground(page)).toBe(DARK_BG);

    // Back to the system: it follows the system's changes live.
    await page.selectOption('[data-testid=theme]', 'system');
    expect(await pageBackground(page)).toBe(LIGHT_BG);
    await page.emulateMedia({ colorScheme: 'dark' });
    await waitFor(
      () => pageBackground(page),
      (c) => c === DARK_BG,
      'dark again from the system',
    );
    await page.emulateMedia({ colorScheme: 'light' });
    expect(cspViolations(page)).toEqual([]);
  });

  it('at 390 px nothing scrolls sideways and the controls stay in reach', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const where of ['/', '/projects', '/admin']) {
        await page.goto(server.baseUrl + where);
        await page.waitForSelector('[data-testid=theme]');
        await page.waitForSelector('.loading', { state: 'detached' });
        expect(await scrollWidth(page), where).toBeLessThanOrEqual(390);
        for (const control of ['[data-testid=theme]', 'text=Log out', 'nav >> text=Settings']) {
          const box = (await page.locator(control).first().boundingBox())!;
          expect(box.x + box.width, `${control} on ${where}`).toBeLessThanOrEqual(390);
        }
      }
      await page.goto(server.baseUrl + '/');
      const open = (await page.locator('.open-form button[type=submit]').boundingBox())!;
      expect(open.x + open.width).toBeLessThanOrEqual(390);
      await screenshot(page, 'dashboard-narrow-empty');
    } finally {
      await page.setViewportSize({ width: 1360, height: 860 });
    }
  });
});
