/**
 * Route schemas (server/http/schemas.ts, issue 19 item 4) over real HTTP:
 * a body that fails its schema gets the answer the route gave before it had
 * one (same status, code and message), types are never coerced, and an
 * admin-only route still says 403 to a non-admin before it looks at the body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

let s: TestServer;
let bob: { id: string; token: string };

beforeAll(async () => {
  s = await startSlipway();
  bob = await s.newUser('bob');
});
afterAll(async () => {
  await s?.close();
});

describe('route schemas', () => {
  it('sign-in: a missing, non-object or mistyped body is 400 SLIPWAY_AUTH_BAD_REQUEST, a number never read as a name', async () => {
    for (const body of [undefined, [], 'admin', { username: 'admin' }, { username: 42, password: 'admin-password-1' }, { username: 'admin', password: 1 }]) {
      const r = await s.api('POST', '/api/auth/login', body, null);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toEqual({ code: 'SLIPWAY_AUTH_BAD_REQUEST', message: 'Send {"username": "...", "password": "..."}' });
    }
    const ok = await s.api('POST', '/api/auth/login', { username: 'admin', password: 'admin-password-1' }, null);
    expect(ok.status, ok.text).toBe(200);
  });

  it("new user: a non-admin is refused before the body is read; an admin's bad body is 400", async () => {
    const refused = await s.api('POST', '/api/users', { username: 7 }, bob.token);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('SLIPWAY_AUTH_FORBIDDEN');
    const bad = await s.api('POST', '/api/users', { username: 'carol', password: ['x'] });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: 'SLIPWAY_AUTH_BAD_REQUEST', message: 'Send {"username": "...", "password": "...", "isAdmin"?: false}' });
    const made = await s.api('POST', '/api/users', { username: 'carol', password: 'carol-password-1' });
    expect(made.status, made.text).toBe(201);
  });

  it('new workspace: no contextUrl, a blank or a non-string one is 400 SLIPWAY_WORKSPACE_BAD_REQUEST', async () => {
    for (const body of [undefined, {}, { contextUrl: '  \n' }, { contextUrl: 42 }, { contextUrl: null }]) {
      const r = await s.api('POST', '/api/workspaces', body, bob.token);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toEqual({ code: 'SLIPWAY_WORKSPACE_BAD_REQUEST', message: 'Send {"contextUrl": "<repository URL>"}' });
    }
  });

  it('new project: no repoUrl, a blank or a non-string one is 400 SLIPWAY_PROJECT_BAD_REQUEST', async () => {
    for (const body of [undefined, [], {}, { repoUrl: ' ' }, { repoUrl: 5 }]) {
      const r = await s.api('POST', '/api/projects', body, bob.token);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toEqual({ code: 'SLIPWAY_PROJECT_BAD_REQUEST', message: 'Send {"repoUrl": "<clone URL of the repository>"}' });
    }
  });

  it('prebuild list: a repeated ?projectId= is 400 SLIPWAY_PREBUILD_BAD_REQUEST; one, or none, is read as before', async () => {
    const repeated = await s.api('GET', '/api/prebuilds?projectId=a&projectId=b');
    expect(repeated.status).toBe(400);
    expect(repeated.body).toEqual({ code: 'SLIPWAY_PREBUILD_BAD_REQUEST', message: 'Filter by one project: ?projectId=<id>' });
    expect((await s.api('GET', '/api/prebuilds')).status).toBe(200);
    expect((await s.api('GET', '/api/prebuilds?projectId=')).status).toBe(200);
    const unknown = await s.api('GET', '/api/prebuilds?projectId=p_nothing');
    expect(unknown.body.code).toBe('SLIPWAY_PROJECT_NOT_FOUND');
  });

  it('changes to existing things: token, project settings, manual prebuild, port visibility, log follow', async () => {
    const token = await s.api('POST', '/api/tokens', { name: 5 }, bob.token);
    expect(token.status).toBe(400);
    expect(token.body.code).toBe('SLIPWAY_AUTH_BAD_REQUEST');
    expect((await s.api('POST', '/api/tokens', undefined, bob.token)).status).toBe(201);
    expect((await s.api('POST', '/api/tokens', { name: 'ci' }, bob.token)).status).toBe(201);

    const project = await s.api('POST', '/api/projects', { repoUrl: 'https://git.example.org/team/app.git' }, bob.token);
    expect(project.status, project.text).toBe(201);
    for (const body of [[], 'x', { name: 3 }, { pollIntervalSeconds: '60' }, { rotateWebhookSecret: 'yes' }, { prebuildBranches: 'main' }]) {
      const r = await s.api('PATCH', `/api/projects/${project.body.id}`, body, bob.token);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('SLIPWAY_PROJECT_BAD_REQUEST');
    }
    const renamed = await s.api('PATCH', `/api/projects/${project.body.id}`, { name: 'renamed' }, bob.token);
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body.name).toBe('renamed');

    for (const body of [{ ref: 7 }, { ref: ' ' }, []]) {
      const r = await s.api('POST', `/api/projects/${project.body.id}/prebuilds`, body, bob.token);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toEqual({ code: 'SLIPWAY_PREBUILD_BAD_REQUEST', message: 'ref must be a branch name or a commit sha' });
    }

    for (const body of [undefined, {}, { visibility: 'everyone' }, { visibility: true }]) {
      const r = await s.api('PATCH', '/api/workspaces/wnothing/ports/3000', body, bob.token);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toEqual({ code: 'SLIPWAY_PORT_BAD_REQUEST', message: 'Send {"visibility": "public"} or {"visibility": "private"}' });
    }
    expect((await s.api('PATCH', '/api/workspaces/wnothing/ports/3000', { visibility: 'public' }, bob.token)).status).toBe(404);

    expect((await s.api('GET', '/api/workspaces/wnothing/logs?follow=1&follow=0', undefined, bob.token)).status).toBe(400);
    expect((await s.api('GET', '/api/workspaces/wnothing/logs?follow=1', undefined, bob.token)).status).toBe(404);
    expect((await s.api('DELETE', `/api/projects/${project.body.id}`, undefined, bob.token)).status).toBe(204);
  });
});
