import { describe, expect, it } from 'vitest';
import {
  decidePortAccess,
  effectiveVisibility,
  isBrowserNavigation,
  isDocumentNavigation,
  parsePortHost,
  parsePortPath,
  refusesPathFormFetch,
  safePortUrl,
  type PortWorkspace,
} from '../../../server/ports/access.js';

const port = (p: number, visibility: 'public' | 'private', endPort: number | null = null) => ({
  port: p,
  endPort,
  visibility,
  onOpen: 'notify',
  name: null,
  description: null,
  protocol: 'http',
});
const workspace: PortWorkspace = {
  ownerId: 'u-owner',
  portVisibility: { '8001': 'private', '9000': 'public' },
  spec: { ports: [port(3000, 'private'), port(8001, 'public'), port(4000, 'public', 4010)] },
};
const owner = { id: 'u-owner', isAdmin: false };
const other = { id: 'u-other', isAdmin: false };
const admin = { id: 'u-admin', isAdmin: true };

describe('effectiveVisibility', () => {
  it('prefers the run-time override, then the definition (ranges too), then private', () => {
    expect(effectiveVisibility(workspace, 8001)).toBe('private');
    expect(effectiveVisibility(workspace, 9000)).toBe('public');
    expect(effectiveVisibility(workspace, 4005)).toBe('public');
    expect(effectiveVisibility(workspace, 3000)).toBe('private');
    expect(effectiveVisibility(workspace, 5555)).toBe('private');
    expect(effectiveVisibility({ portVisibility: {}, spec: null }, 80)).toBe('private');
  });
});

describe('decidePortAccess', () => {
  it('private: owner and admin allowed, others not found, nobody asked to log in', () => {
    expect(decidePortAccess(workspace, 3000, owner)).toBe('allow');
    expect(decidePortAccess(workspace, 3000, admin)).toBe('allow');
    expect(decidePortAccess(workspace, 3000, other)).toBe('not-found');
    expect(decidePortAccess(workspace, 3000, null)).toBe('login');
  });
  it('public: everyone allowed', () => {
    for (const caller of [owner, other, admin, null]) expect(decidePortAccess(workspace, 9000, caller)).toBe('allow');
  });
  it('a missing workspace looks the same as a private one to strangers', () => {
    expect(decidePortAccess(null, 3000, null)).toBe('login');
    expect(decidePortAccess(null, 3000, other)).toBe('not-found');
  });
});

describe('parsePortPath', () => {
  it('strips the prefix and keeps the query', () => {
    expect(parsePortPath('/ports/wabc123/3000/app/x.js?v=1')).toEqual({
      workspaceId: 'wabc123',
      port: 3000,
      path: '/app/x.js?v=1',
      prefix: '/ports/wabc123/3000',
      key: null,
    });
    expect(parsePortPath('/ports/wabc/3000')).toMatchObject({ path: '/' });
    expect(parsePortPath('/ports/wabc/3000?a=b')).toMatchObject({ path: '/?a=b' });
  });
  it('rejects other paths and bad ports', () => {
    for (const url of ['/api/ports/w/3000', '/ports/w', '/ports/W-X/3000/', '/ports/w/0/', '/ports/w/65536/', '/ports/w/03000/', '/portsx/w/1/'])
      expect(parsePortPath(url)).toBeNull();
  });
  it('takes a port-session key after the port into the prefix (the app builds its URLs on it), never into the path', () => {
    const key = 'A'.repeat(20) + '_-' + 'z'.repeat(21);
    expect(parsePortPath(`/ports/wabc/3000~${key}/app.js?v=1`)).toEqual({
      workspaceId: 'wabc',
      port: 3000,
      path: '/app.js?v=1',
      prefix: `/ports/wabc/3000~${key}`,
      key,
    });
    expect(parsePortPath(`/ports/wabc/3000~${key}`)).toMatchObject({ path: '/', key });
    // Anything else after the port is not the path form: it falls through to a 404.
    for (const bad of ['/ports/wabc/3000~short/', `/ports/wabc/3000~${key}x/`, `/ports/wabc/3000~${key.slice(1)}!/`, '/ports/wabc/3000~/'])
      expect(parsePortPath(bad)).toBeNull();
  });
});

describe('parsePortHost', () => {
  it('matches <port>-<id>.<domain>, with the domain port', () => {
    expect(parsePortHost('3000-wabc.localhost:8080', 'localhost:8080')).toEqual({ workspaceId: 'wabc', port: 3000 });
    expect(parsePortHost('3000-WABC.Dev.Example.com', 'dev.example.com')).toEqual({ workspaceId: 'wabc', port: 3000 });
    expect(parsePortHost('3000-wabc.dev.example.com:8443', 'dev.example.com')).toEqual({ workspaceId: 'wabc', port: 3000 });
  });
  it('rejects the main host, other ports, deeper names and lookalikes', () => {
    expect(parsePortHost('localhost:8080', 'localhost:8080')).toBeNull();
    expect(parsePortHost('3000-wabc.localhost:9090', 'localhost:8080')).toBeNull();
    expect(parsePortHost('a.3000-wabc.localhost:8080', 'localhost:8080')).toBeNull();
    expect(parsePortHost('3000-wabc.evillocalhost:8080', 'localhost:8080')).toBeNull();
    expect(parsePortHost('99999-wabc.localhost:8080', 'localhost:8080')).toBeNull();
    expect(parsePortHost('3000-wabc.localhost:8080', null)).toBeNull();
    expect(parsePortHost(undefined, 'localhost:8080')).toBeNull();
  });
});

describe('safePortUrl', () => {
  it('accepts only our port subdomains', () => {
    expect(safePortUrl('http://3000-wabc.localhost:8080/x?y', 'localhost:8080')?.pathname).toBe('/x');
    expect(safePortUrl('http://evil.example/', 'localhost:8080')).toBeNull();
    expect(safePortUrl('javascript:alert(1)', 'localhost:8080')).toBeNull();
    expect(safePortUrl('/relative', 'localhost:8080')).toBeNull();
  });
});

describe('isBrowserNavigation', () => {
  it('is a GET that accepts HTML', () => {
    expect(isBrowserNavigation('GET', 'text/html,application/xhtml+xml,*/*;q=0.8')).toBe(true);
    expect(isBrowserNavigation('GET', 'application/json')).toBe(false);
    expect(isBrowserNavigation('POST', 'text/html')).toBe(false);
    expect(isBrowserNavigation('GET', undefined)).toBe(false);
  });
});

describe('isDocumentNavigation', () => {
  it('trusts Sec-Fetch-Mode when the browser sends it, else guesses from Accept', () => {
    expect(isDocumentNavigation({ method: 'GET', mode: 'navigate', accept: '*/*' })).toBe(true);
    expect(isDocumentNavigation({ method: 'GET', mode: 'cors', accept: 'text/html' })).toBe(false);
    expect(isDocumentNavigation({ method: 'GET', mode: 'no-cors', accept: 'text/html' })).toBe(false);
    expect(isDocumentNavigation({ method: 'POST', mode: 'navigate', accept: 'text/html' })).toBe(false);
    expect(isDocumentNavigation({ method: 'GET', accept: 'text/html,*/*' })).toBe(true);
    expect(isDocumentNavigation({ method: 'HEAD', accept: 'text/html' })).toBe(true);
    expect(isDocumentNavigation({ method: 'GET', accept: '*/*' })).toBe(false);
  });
});

describe('refusesPathFormFetch', () => {
  it("refuses service-worker scripts, and code or style for Slipway's own pages", () => {
    expect(refusesPathFormFetch({ serviceWorker: 'script' })).toMatch(/service worker/);
    expect(refusesPathFormFetch({ site: 'same-origin', dest: 'serviceworker' })).toMatch(/serviceworker/);
    for (const dest of ['script', 'style', 'worker', 'sharedworker']) expect(refusesPathFormFetch({ site: 'same-origin', dest })).not.toBeNull();
  });
  it("lets documents, frames, fetches and a sandboxed page's own loads through", () => {
    expect(refusesPathFormFetch({})).toBeNull();
    expect(refusesPathFormFetch({ site: 'same-origin', dest: 'document' })).toBeNull();
    expect(refusesPathFormFetch({ site: 'same-origin', dest: 'iframe' })).toBeNull();
    expect(refusesPathFormFetch({ site: 'same-origin', dest: 'empty' })).toBeNull();
    // A sandboxed page is an opaque origin: its requests are cross-site, even to its own prefix.
    expect(refusesPathFormFetch({ site: 'cross-site', dest: 'script' })).toBeNull();
  });
});
