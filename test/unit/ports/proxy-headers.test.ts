import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { forwardHeaders, rewriteLocation } from '../../../server/ports/proxy.js';

const req = (headers: Record<string, string>) => ({ headers, socket: { remoteAddress: '10.0.0.9' } }) as unknown as IncomingMessage;
const target = { prefix: '/ports/w1/3000', proto: 'https' as const, stripCookies: ['slipway_session'], stripAuthorization: true };

describe('forwardHeaders', () => {
  it('drops hop-by-hop headers and the ones Connection names, keeps the rest', () => {
    const h = forwardHeaders(req({ host: 'h', connection: 'keep-alive, x-secret-hop', 'keep-alive': '5', 'x-secret-hop': '1', te: 'trailers', 'transfer-encoding': 'chunked', accept: '*/*' }), target, false);
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
    expect(h).toMatchObject({ 'x-forwarded-host': 'slipway.example:8080', 'x-forwarded-proto': 'https', 'x-forwarded-prefix': '/ports/w1/3000', 'x-forwarded-for': '10.0.0.9' });
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
