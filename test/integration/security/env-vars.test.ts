/**
 * Environment variables and secrets over the API (issue 16, item 6): values
 * are write-only and sealed at rest, another user's project is 404, bad
 * names, values and patterns are 400 SLIPWAY_ENV_BAD_REQUEST, and a
 * cross-site cookie PUT is 403.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../../helpers/raw-http.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

const SECRET = 'sekrit-value-4b1d9e0c7a';
let s: TestServer;
let alice: { id: string; token: string };
let bob: { id: string; token: string };
let aliceProject: string;

beforeAll(async () => {
  s = await startSlipway();
  alice = await s.newUser('alice');
  bob = await s.newUser('bob');
  const created = await s.api('POST', '/api/projects', { repoUrl: 'https://git.example.com/acme/app.git' }, alice.token);
  expect(created.status, created.text).toBe(201);
  aliceProject = created.body.id;
});
afterAll(async () => {
  await s?.close();
});

describe('environment variables API', () => {
  it('a user sets, lists (never the value), replaces and deletes a variable per repository pattern', async () => {
    const put = await s.api('PUT', '/api/me/env/NPM_TOKEN', { value: SECRET, repositoryPattern: 'acme/*' }, alice.token);
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ name: 'NPM_TOKEN', repositoryPattern: 'acme/*' });
    expect(put.text).not.toContain(SECRET);
    expect((await s.api('PUT', '/api/me/env/NPM_TOKEN', { value: 'other-value', repositoryPattern: '*/*' }, alice.token)).status).toBe(200);
    expect((await s.api('PUT', '/api/me/env/NPM_TOKEN', { value: SECRET + '2', repositoryPattern: 'acme/*' }, alice.token)).status).toBe(200);

    const list = await s.api('GET', '/api/me/env', undefined, alice.token);
    expect(list.status).toBe(200);
    expect(list.body.map((v: any) => `${v.name}@${v.repositoryPattern}`)).toEqual(['NPM_TOKEN@*/*', 'NPM_TOKEN@acme/*']);
    expect(list.text).not.toContain(SECRET);
    expect(list.body.every((v: any) => !('value' in v))).toBe(true);
    // Each user sees only their own.
    expect((await s.api('GET', '/api/me/env', undefined, bob.token)).body).toEqual([]);
    expect((await s.api('DELETE', '/api/me/env/NPM_TOKEN?repositoryPattern=acme/*', undefined, bob.token)).status).toBe(404);

    const del = await s.api('DELETE', `/api/me/env/NPM_TOKEN?repositoryPattern=${encodeURIComponent('*/*')}`, undefined, alice.token);
    expect(del.status, del.text).toBe(204);
    const again = await s.api('DELETE', `/api/me/env/NPM_TOKEN?repositoryPattern=${encodeURIComponent('*/*')}`, undefined, alice.token);
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('SLIPWAY_ENV_NOT_FOUND');
    expect((await s.api('GET', '/api/me/env', undefined, alice.token)).body).toHaveLength(1);
  });

  it('bad names, values and patterns are 400 SLIPWAY_ENV_BAD_REQUEST with a message', async () => {
    const cases: [string, unknown][] = [
      ['1BAD', { value: 'x', repositoryPattern: '*/*' }],
      ['SLIPWAY_TOKEN', { value: 'x', repositoryPattern: '*/*' }],
      ['GITPOD_X', { value: 'x', repositoryPattern: '*/*' }],
      ['A-B', { value: 'x', repositoryPattern: '*/*' }],
      ['OK', { value: 'x', repositoryPattern: 'acme' }],
      ['OK', { value: 'x', repositoryPattern: 'a/b/c' }],
      ['OK', { value: 'x', repositoryPattern: '../x' }],
      ['OK', { value: 'x' }],
      ['OK', { value: 5, repositoryPattern: '*/*' }],
      ['OK', { value: 'a\0b', repositoryPattern: '*/*' }],
      ['OK', { value: 'x'.repeat(32 * 1024 + 1), repositoryPattern: '*/*' }],
      ['OK', undefined],
    ];
    for (const [name, body] of cases) {
      const r = await s.api('PUT', `/api/me/env/${name}`, body, alice.token);
      expect(r.status, `${name} ${JSON.stringify(body)?.slice(0, 80)}`).toBe(400);
      expect(r.body.code).toBe('SLIPWAY_ENV_BAD_REQUEST');
      expect(r.body.message.length).toBeGreaterThan(10);
    }
    expect((await s.api('DELETE', '/api/me/env/OK', undefined, alice.token)).body.code).toBe('SLIPWAY_ENV_BAD_REQUEST');
    expect((await s.api('PUT', `/api/projects/${aliceProject}/env/SLIPWAY_X`, { value: 'x' }, alice.token)).body.code).toBe('SLIPWAY_ENV_BAD_REQUEST');
    expect((await s.api('PUT', `/api/projects/${aliceProject}/env/OK`, { value: 'x', hidden: 'yes' }, alice.token)).body.code).toBe('SLIPWAY_ENV_BAD_REQUEST');
  });

  it("a project's variables: its owner and admins only; anyone else gets the project's 404", async () => {
    const put = await s.api('PUT', `/api/projects/${aliceProject}/env/DEPLOY_KEY`, { value: SECRET, hidden: true }, alice.token);
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ name: 'DEPLOY_KEY', hidden: true });
    expect((await s.api('PUT', `/api/projects/${aliceProject}/env/PUBLIC_URL`, { value: 'https://x.example' }, alice.token)).body.hidden).toBe(false);
    const list = await s.api('GET', `/api/projects/${aliceProject}/env`, undefined, alice.token);
    expect(list.body.map((v: any) => [v.name, v.hidden])).toEqual([
      ['DEPLOY_KEY', true],
      ['PUBLIC_URL', false],
    ]);
    expect(list.text).not.toContain(SECRET);

    for (const [method, url, body] of [
      ['GET', `/api/projects/${aliceProject}/env`, undefined],
      ['PUT', `/api/projects/${aliceProject}/env/DEPLOY_KEY`, { value: 'overwritten-by-bob' }],
      ['DELETE', `/api/projects/${aliceProject}/env/DEPLOY_KEY`, undefined],
      ['GET', '/api/projects/pnothere/env', undefined],
    ] as const) {
      const r = await s.api(method, url, body, bob.token);
      expect(r.status, `${method} ${url}`).toBe(404);
      expect(r.body.code).toBe('SLIPWAY_PROJECT_NOT_FOUND');
    }
    // The admin may manage it.
    expect((await s.api('GET', `/api/projects/${aliceProject}/env`)).body).toHaveLength(2);
    expect((await s.api('DELETE', `/api/projects/${aliceProject}/env/PUBLIC_URL`)).status).toBe(204);
    expect((await s.api('DELETE', `/api/projects/${aliceProject}/env/PUBLIC_URL`, undefined, alice.token)).body.code).toBe('SLIPWAY_ENV_NOT_FOUND');
  });

  it('a cross-site cookie PUT is 403; the same-origin one works', async () => {
    const login = await rawRequest(s.baseUrl, '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'password-of-alice' }),
    });
    expect(login.status, login.text).toBe(200);
    const cookie = String(login.headers['set-cookie']![0]).split(';')[0]!;
    const put = (origin: string) =>
      rawRequest(s.baseUrl, '/api/me/env/FROM_COOKIE', {
        method: 'PUT',
        headers: { cookie, origin, 'content-type': 'application/json' },
        body: JSON.stringify({ value: 'v', repositoryPattern: '*/*' }),
      });
    expect((await put('https://evil.example')).status).toBe(403);
    expect((await s.api('GET', '/api/me/env', undefined, alice.token)).body.some((v: any) => v.name === 'FROM_COOKIE')).toBe(false);
    expect((await put(new URL(s.config.publicUrl).origin)).status).toBe(200);
  });

  it('the database files never hold a value in clear', async () => {
    const files = readdirSync(s.dataDir).filter((f) => f.startsWith('slipway.db'));
    expect(files).toContain('slipway.db');
    for (const file of files) expect(readFileSync(path.join(s.dataDir, file)).includes(SECRET), file).toBe(false);
  });
});
