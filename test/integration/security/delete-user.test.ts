/**
 * DELETE /api/users/:id (added with issue 12 item 14) tried as an attacker
 * would: a plain user cannot delete anyone (not even themselves), an admin
 * cannot delete themselves, unknown ids are 404, a cross-site cookie request
 * is refused, and every refusal leaves the user able to sign in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

let s: TestServer;
let mallory: { id: string; token: string };
let victim: { id: string; token: string };

beforeAll(async () => {
  s = await startSlipway();
  mallory = await s.newUser('mallory');
  victim = await s.newUser('victim');
});
afterAll(async () => {
  await s?.close();
});

async function stillThere(user: { token: string }) {
  expect((await s.api('GET', '/api/me', undefined, user.token)).status).toBe(200);
}

describe('deleting users', () => {
  it('a plain user gets 403 for another user and for themselves', async () => {
    const other = await s.api('DELETE', `/api/users/${victim.id}`, undefined, mallory.token);
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('SLIPWAY_AUTH_FORBIDDEN');
    expect((await s.api('DELETE', `/api/users/${mallory.id}`, undefined, mallory.token)).status).toBe(403);
    await stillThere(victim);
    await stillThere(mallory);
  });

  it('an admin cannot delete themselves; an unknown id is 404', async () => {
    const me = await s.api('GET', '/api/me');
    const self = await s.api('DELETE', `/api/users/${me.body.user.id}`);
    expect(self.status).toBe(409);
    expect(self.body.code).toBe('SLIPWAY_AUTH_DELETE_SELF');
    const unknown = await s.api('DELETE', '/api/users/nosuchuser00');
    expect(unknown.status).toBe(404);
    expect((await s.api('GET', '/api/me')).status).toBe(200);
  });

  it("an admin's cookie from another site cannot delete a user", async () => {
    const login = await fetch(`${s.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin-password-1' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const crossSite = await fetch(`${s.baseUrl}/api/users/${victim.id}`, { method: 'DELETE', headers: { cookie, origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect(((await crossSite.json()) as { code: string }).code).toBe('SLIPWAY_HTTP_CROSS_SITE');
    await stillThere(victim);
    const sameSite = await fetch(`${s.baseUrl}/api/users/${victim.id}`, { method: 'DELETE', headers: { cookie, origin: new URL(s.config.publicUrl).origin } });
    expect(sameSite.status).toBe(204);
    expect((await s.api('GET', '/api/me', undefined, victim.token)).status).toBe(401);
  });
});
