/**
 * Security headers on what Slipway itself serves (issue 12, item 16), over
 * real HTTP: the UI's HTML, its files, the API's JSON, errors (401, 404)
 * and the port proxy's own answers. The web UI here is a stand-in folder
 * (index.html + one asset); the real UI under this CSP is driven in
 * Chromium by test/e2e.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

let s: TestServer;
let webDir: string;

beforeAll(async () => {
  webDir = await mkdtemp(path.join(tmpdir(), 'slipway-web-'));
  await mkdir(path.join(webDir, 'assets'));
  await writeFile(path.join(webDir, 'index.html'), '<!doctype html><title>Slipway</title><script type="module" src="/assets/app.js"></script>');
  await writeFile(path.join(webDir, 'assets/app.js'), 'console.log(1);');
  s = await startSlipway({ SLIPWAY_WEB_DIR: webDir, SLIPWAY_DOMAIN: 'ports.example.test' });
});

afterAll(async () => {
  await s?.close();
  await rm(webDir, { recursive: true, force: true });
});

function expectBaseHeaders(headers: Headers, what: string) {
  expect(headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(headers.get('referrer-policy'), what).toBe('same-origin');
  expect(headers.get('x-frame-options'), what).toBe('DENY');
  expect(headers.get('content-security-policy'), what).toContain("frame-ancestors 'none'");
}

/** A CSP as a map of directive → sources. */
function directives(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('security headers', () => {
  it('are on the UI, its files, the API, and errors', async () => {
    const admin = { authorization: `Bearer ${s.adminToken}` };
    const cases: [string, RequestInit, number][] = [
      ['/', {}, 200],
      ['/w/abc123', {}, 200],
      ['/assets/app.js', {}, 200],
      ['/api/health', {}, 200],
      ['/api/workspaces', { headers: admin }, 200],
      ['/api/workspaces/nosuchworkspace', { headers: admin }, 404],
      ['/api/workspaces', {}, 401],
      ['/no/such/route', {}, 404],
      ['/api/nothing-here', { headers: admin }, 404],
    ];
    for (const [url, init, status] of cases) {
      const response = await fetch(s.baseUrl + url, init);
      expect(response.status, url).toBe(status);
      expectBaseHeaders(response.headers, url);
      if (!response.headers.get('content-type')?.startsWith('text/html')) {
        expect(response.headers.get('content-security-policy'), url).toMatch(/^default-src 'none'/);
      }
    }
  });

  it("give the UI's HTML a CSP that runs only the UI's own files and frames only port URLs", async () => {
    const response = await fetch(s.baseUrl + '/');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = directives(response.headers.get('content-security-policy')!);
    const origin = new URL(s.baseUrl);
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp['img-src']).toEqual(["'self'", 'data:']);
    expect(csp['connect-src']).toEqual(["'self'", `ws://${origin.host}`]);
    // Previews: the path form on this origin, and the subdomain form of SLIPWAY_DOMAIN.
    expect(csp['frame-src']).toEqual(["'self'", 'http://*.ports.example.test']);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
  });

  it("are on the port proxy's own answers too (not frame-denying: the UI previews port URLs)", async () => {
    const refused = await fetch(`${s.baseUrl}/ports/nosuchworkspace/3000/`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    expect(refused.headers.get('referrer-policy')).toBe('same-origin');
    const missing = await fetch(`${s.baseUrl}/ports/nosuchworkspace/3000/`, { headers: { authorization: `Bearer ${s.adminToken}` } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
