import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { forwardHeaders, responseHeaders, rewriteLocation, SANDBOX } from '../../../server/ports/proxy.js';

const req = (headers: Record<string, string>) => ({ headers, socket: { remoteAddress: '10.0.0.9' } }) as unknown as IncomingMessage;
const target = { prefix: '/ports/w1/3000', proto: 'https' as const, stripCookies: ['slipway_session'], stripAuthorization: true };

describe('forwardHeaders', () => {
  it('drops hop-by-hop headers and the ones Connection names, keeps the rest', () => {
    const h = forwardHeaders(
      req({
        host: 'h',
        connection: 'keep-alive, x-secret-hop',
        'keep-alive': '5',
        'x-secret-hop': '1',
        te: 'trailers',
        'transfer-encoding': 'chunked',
        accept: '*/*',
      }),
      target,
      false,
    );
    expect(h).toMatchObject({ host: 'h', accept: '*/*', connection: 'close' });
    for (const name of ['keep-alive', 'x-secret-hop', 'te', 'transfer-encoding']) expect(h[name]).toBeUndefined();
  });
  it('keeps Connection/Upgrade for upgrades', () => {
    const h = forwardHeaders(req({ host: 'h', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' }), target, true);
    expect(h).toMatchObject({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' });
  });
  it("removes Slipway's session cookie and token, keeps the app's cookies", () => {
    const h = forwardHeaders(req({ cookie: 'a=1; slipway_session=secret; b=2', authorization: 'Bearer slw_x' }), target, false);
    expect(h.cookie).toBe('a=1; b=2');
    expect(h.authorization).toBeUndefined();
    expect(forwardHeaders(req({ cookie: 'slipway_session=secret' }), target, false).cookie).toBeUndefined();
    expect(forwardHeaders(req({ authorization: 'Basic abc' }), { ...target, stripAuthorization: false }, false).authorization).toBe('Basic abc');
  });
  it('sets X-Forwarded-* from what Slipway knows, replacing what the client sent', () => {
    const h = forwardHeaders(req({ host: 'slipway.example:8080', 'x-forwarded-host': 'evil', 'x-forwarded-prefix': '/evil' }), target, false);
    expect(h).toMatchObject({
      'x-forwarded-host': 'slipway.example:8080',
      'x-forwarded-proto': 'https',
      'x-forwarded-prefix': '/ports/w1/3000',
      'x-forwarded-for': '10.0.0.9',
    });
    expect(forwardHeaders(req({ host: 'x' }), { ...target, prefix: '' }, false)['x-forwarded-prefix']).toBeUndefined();
  });
});

describe('rewriteLocation', () => {
  it('keeps absolute-path redirects under the path-form prefix', () => {
    expect(rewriteLocation('/login', '/ports/w1/3000')).toBe('/ports/w1/3000/login');
    expect(rewriteLocation('/ports/w1/3000/x', '/ports/w1/3000')).toBe('/ports/w1/3000/x');
    expect(rewriteLocation('https://elsewhere/x', '/ports/w1/3000')).toBe('https://elsewhere/x');
    expect(rewriteLocation('//cdn/x', '/ports/w1/3000')).toBe('//cdn/x');
    expect(rewriteLocation('relative', '/ports/w1/3000')).toBe('relative');
    expect(rewriteLocation('/x', '')).toBe('/x');
  });
});

describe('responseHeaders', () => {
  const pathForm = { prefix: '/ports/w1/3000', sandbox: true, stripCookies: ['slipway_session', 'slipway_port'] };
  /** Every value of one header in a raw [name, value, ...] list. */
  const values = (out: string[], name: string) => out.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === name ? [out[i + 1]!] : []));

  it('sandboxes the path form without allow-same-origin, and an own CSP of the app stays a second policy', () => {
    const out = responseHeaders(['Content-Type', 'text/html', 'Content-Security-Policy', "default-src 'self'"], pathForm);
    expect(values(out, 'content-security-policy')).toEqual([SANDBOX, "default-src 'self'"]);
    expect(SANDBOX).toMatch(
      /^sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads allow-popups-to-escape-sandbox allow-pointer-lock allow-presentation$/,
    );
    expect(SANDBOX).not.toContain('allow-same-origin');
    expect(SANDBOX).not.toContain('allow-top-navigation');
  });
  it('drops Service-Worker-Allowed on the path form, keeps it on a port host (its own origin)', () => {
    const raw = ['Service-Worker-Allowed', '/', 'X-App', '1'];
    expect(values(responseHeaders(raw, pathForm), 'service-worker-allowed')).toEqual([]);
    expect(values(responseHeaders(raw, pathForm), 'x-app')).toEqual(['1']);
    expect(values(responseHeaders(raw, { ...pathForm, prefix: '', sandbox: false }), 'service-worker-allowed')).toEqual(['/']);
    expect(values(responseHeaders(raw, { ...pathForm, prefix: '', sandbox: false }), 'content-security-policy')).toEqual([]);
  });
  it("never lets the app set Slipway's cookies; its own pass", () => {
    const raw = ['Set-Cookie', 'slipway_session=evil; Path=/', 'Set-Cookie', 'slipway_port=evil', 'Set-Cookie', 'app=1; Path=/'];
    expect(values(responseHeaders(raw, pathForm), 'set-cookie')).toEqual(['app=1; Path=/']);
    expect(values(responseHeaders(raw, { ...pathForm, prefix: '', sandbox: false }), 'set-cookie')).toEqual(['app=1; Path=/']);
  });
  it('keeps redirects under the prefix, drops hop-by-hop headers', () => {
    const out = responseHeaders(['Location', '/next', 'Connection', 'keep-alive', 'Transfer-Encoding', 'chunked'], pathForm);
    expect(values(out, 'location')).toEqual(['/ports/w1/3000/next']);
    expect(values(out, 'connection')).toEqual([]);
    expect(values(out, 'transfer-encoding')).toEqual([]);
  });
});
