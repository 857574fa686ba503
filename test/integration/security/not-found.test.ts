/**
 * Lookups never answer 500 (issue 12, item 22): every route that takes an
 * id, hit with unknown, malformed and odd ids (and another user's real
 * ones), answers 404 (or 400 for a request it cannot read), never 500, and
 * the same for every kind of bad id, so that the answer tells nothing about
 * what exists. One real workspace and one real project give the sub-routes
 * (ports, terminals) a real parent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { rawRequest } from '../../helpers/raw-http.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

let git: GitServer;
let s: TestServer;
let mallory: { id: string; token: string };
let workspaceId: string;
let terminalId: string;
let projectId: string;

/** Ids that name nothing: well-formed, malformed, huge, and names that objects and Maps may already hold. */
const BAD_IDS = [
  'wnothere0000',
  'x',
  'a'.repeat(5000),
  encodeURIComponent('a\'b"c;--'),
  encodeURIComponent('\u202egnp.exe'),
  encodeURIComponent('日本'),
  '%20',
  '-1',
  '.hidden',
  '99999999999999999999999',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  encodeURIComponent('{}'),
  encodeURIComponent('*'),
];

beforeAll(async () => {
  git = await startGitServer();
  s = await startSlipway({ SLIPWAY_ALLOW_FILE_URLS: '1' });
  mallory = await s.newUser('mallory');
  const repo = await git.createRepo('lookups', { '.gitpod.yml': 'tasks:\n  - command: sleep infinity\n', 'README.md': '# x\n' });
  const created = await s.api('POST', '/api/workspaces', { contextUrl: repo.url });
  expect(created.status, created.text).toBe(202);
  workspaceId = created.body.id;
  const running = await s.waitForStatus(workspaceId, ['running', 'failed']);
  expect(running.status, JSON.stringify(running)).toBe('running');
  terminalId = running.tasks[0].terminalId;
  const project = await s.api('POST', '/api/projects', { repoUrl: repo.url, prebuildBranches: ['never-prebuilt'] });
  expect(project.status, project.text).toBe(201);
  projectId = project.body.id;
});
afterAll(async () => {
  await s?.close();
  await git?.close();
});

interface Case {
  method: string;
  path: (id: string) => string;
  body?: unknown;
}

/** Every route with an id in its path. */
const ROUTES: Case[] = [
  { method: 'GET', path: (id) => `/api/workspaces/${id}` },
  { method: 'DELETE', path: (id) => `/api/workspaces/${id}` },
  { method: 'GET', path: (id) => `/api/workspaces/${id}/logs` },
  { method: 'GET', path: (id) => `/api/workspaces/${id}/logs?follow=1` },
  { method: 'POST', path: (id) => `/api/workspaces/${id}/stop` },
  { method: 'POST', path: (id) => `/api/workspaces/${id}/start` },
  { method: 'GET', path: (id) => `/api/workspaces/${id}/terminals` },
  { method: 'POST', path: (id) => `/api/workspaces/${id}/terminals` },
  { method: 'PATCH', path: (id) => `/api/workspaces/${id}/ports/8080`, body: { visibility: 'public' } },
  { method: 'GET', path: (id) => `/api/projects/${id}` },
  { method: 'PATCH', path: (id) => `/api/projects/${id}`, body: { name: 'x' } },
  { method: 'DELETE', path: (id) => `/api/projects/${id}` },
  { method: 'POST', path: (id) => `/api/projects/${id}/prebuilds`, body: {} },
  { method: 'GET', path: (id) => `/api/prebuilds/${id}` },
  { method: 'GET', path: (id) => `/api/prebuilds/${id}/logs` },
  { method: 'POST', path: (id) => `/api/prebuilds/${id}/cancel` },
  { method: 'DELETE', path: (id) => `/api/tokens/${id}` },
  { method: 'GET', path: (id) => `/ports/${id}/8000/` },
];

function call(c: Case, id: string, token: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  return rawRequest(s.baseUrl, c.path(id), { method: c.method, headers, ...(c.body !== undefined ? { body: JSON.stringify(c.body) } : {}) });
}

describe('unknown, malformed and odd ids answer 404, never 500', () => {
  for (const c of ROUTES) {
    it(`${c.method} ${c.path(':id')}`, async () => {
      for (const id of BAD_IDS) {
        const r = await call(c, id, s.adminToken);
        expect(r.status, `${c.method} ${c.path(id).slice(0, 120)}: ${r.text.slice(0, 300)}`).toBe(404);
        expect(r.json?.code, r.text.slice(0, 200)).toMatch(/^SLIPWAY_[A-Z_]+_NOT_FOUND$/);
      }
    });
  }

  it("another user's real workspace and project look exactly like unknown ones", async () => {
    const owned: [Case, string][] = [
      ...ROUTES.filter((c) => c.path('ID').includes('/workspaces/ID') || c.path('ID').startsWith('/ports/ID')).map((c) => [c, workspaceId] as [Case, string]),
      ...ROUTES.filter((c) => c.path('ID').includes('/projects/ID')).map((c) => [c, projectId] as [Case, string]),
    ];
    for (const [c, id] of owned) {
      const r = await call(c, id, mallory.token);
      const unknown = await call(c, 'wnothere0000', mallory.token);
      expect(r.status, `${c.method} ${c.path(id)}: ${r.text}`).toBe(404);
      expect(unknown.status).toBe(404);
      expect(r.json.code).toBe(unknown.json.code);
    }
  });

  it('bad sub-ids of a real workspace: ports out of range and unknown terminals', async () => {
    for (const port of ['99999999', '0', '65536', 'abc', '-1', '1e3', encodeURIComponent(' 80')]) {
      const r = await call({ method: 'PATCH', path: () => `/api/workspaces/${workspaceId}/ports/${port}`, body: { visibility: 'public' } }, '', s.adminToken);
      expect([400, 404], `port ${port}: ${r.text}`).toContain(r.status);
    }
    for (const port of ['99999999', '0', '65536']) {
      const r = await rawRequest(s.baseUrl, `/ports/${workspaceId}/${port}/`, { headers: { authorization: `Bearer ${s.adminToken}` } });
      expect([400, 404], `/ports/${port}: ${r.text}`).toContain(r.status);
    }
    for (const id of ['tnothere', 'x', '__proto__', 'a'.repeat(300)]) {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${s.baseUrl.replace('http', 'ws')}/api/workspaces/${workspaceId}/terminals/${id}`, {
          headers: { authorization: `Bearer ${s.adminToken}` },
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => (ws.close(), resolve(101)));
        ws.on('error', () => resolve(-1));
      });
      expect(status, `terminal ${id}`).toBe(404);
    }
    expect((await s.api('GET', `/api/workspaces/${workspaceId}/terminals`)).body.map((t: { id: string }) => t.id)).toContain(terminalId);
  });

  it('other lookups: unknown webhook provider, prebuilds of an unknown or repeated project', async () => {
    const hook = await rawRequest(s.baseUrl, '/api/webhooks/nosuchforge', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(hook.status, hook.text).toBe(404);
    const admin = { authorization: `Bearer ${s.adminToken}` };
    for (const id of BAD_IDS) {
      const list = await rawRequest(s.baseUrl, `/api/prebuilds?projectId=${id}`, { headers: admin });
      expect(list.status, `projectId=${id}: ${list.text.slice(0, 200)}`).toBe(404);
      expect(list.json.code).toBe('SLIPWAY_PROJECT_NOT_FOUND');
    }
    // Another user's project looks like an unknown one.
    const others = await rawRequest(s.baseUrl, `/api/prebuilds?projectId=${projectId}`, { headers: { authorization: `Bearer ${mallory.token}` } });
    expect(others.status).toBe(404);
    // A repeated parameter arrives as an array: 400, not a 500 from the lookup.
    for (const query of [`projectId=${projectId}&projectId=${projectId}`, 'projectId=a&projectId=b']) {
      const r = await rawRequest(s.baseUrl, `/api/prebuilds?${query}`, { headers: admin });
      expect(r.status, `${query}: ${r.text}`).toBe(400);
    }
  });
});
