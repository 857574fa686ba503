import { describe, expect, it } from 'vitest';
import { checkRequestPath, pathOf } from '../../../server/http/request-path.js';
import { isOpenRoute } from '../../../server/http/request-guards.js';

describe('checkRequestPath', () => {
  it.each([
    ['/api/workspaces', '/api/workspaces'],
    ['/%61pi/workspaces', '/api/workspaces'],
    ['/%6detrics', '/metrics'],
    ['/api/workspaces/w1?x=%2F..', '/api/workspaces/w1'],
    ['/', '/'],
    ['/w/abc/', '/w/abc/'],
    ['/api/x/%E6%97%A5', '/api/x/日'],
  ])('%s is routed as %s', (url, path) => {
    expect(checkRequestPath(url)).toEqual({ ok: true, path });
  });

  it.each([
    ['/api/workspaces/x%2Fstop', /encodes a "\/"/],
    ['/api/x%2fy', /encodes a "\/"/],
    ['/api/x%5Cy', /encodes a "\/"/],
    ['/api\\x', /holds a "\\"/],
    ['/api/health/../workspaces', /"\." or "\.\." segment/],
    ['/api/%2e%2e/x', /"\." or "\.\." segment/],
    ['/api/%2E/x', /"\." or "\.\." segment/],
    ['/api/./x', /"\." or "\.\." segment/],
    ['/api/..', /"\." or "\.\." segment/],
    ['/api/x%00', /control character/],
    ['/api/x%0a', /control character/],
    ['/api/x%252F', /%-encoded twice/],
    ['//api/workspaces', /empty segment/],
    ['/api//workspaces', /empty segment/],
    ['/api/x%zz', /malformed %-escape/],
    ['/api/x%4', /malformed %-escape/],
    ['/api/x%C0%AF', /not valid UTF-8/],
    ['api/x', /does not start with/],
    ['http://evil/api/x', /does not start with/],
  ])('%s is refused', (url, message) => {
    const result = checkRequestPath(url);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('splits the path where the router does (? and #)', () => {
    expect(pathOf('/a/b?c=/../d#e')).toBe('/a/b');
    expect(pathOf('/a/b#/../x?y')).toBe('/a/b');
  });
});

describe('isOpenRoute (decided on the matched route pattern)', () => {
  it.each([
    ['/api/health', true],
    ['/api/auth/login', true],
    ['/api/auth/logout', true],
    ['/api/webhooks/:provider', true],
    ['/metrics', true],
    ['/', true],
    ['/w/*', true],
    ['/ports-auth', true],
    ['/api/workspaces', false],
    ['/api/workspaces/:id/stop', false],
    ['/api/me', false],
    ['/api/tokens', false],
    ['/api/users', false],
    ['/api/healthz', false],
  ])('%s → open %s', (route, open) => {
    expect(isOpenRoute(route)).toBe(open);
  });
});
