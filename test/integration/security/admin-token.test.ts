/**
 * Issue 12, item 18: SLIPWAY_ADMIN_TOKEN is re-added at every start, so a
 * revoked one used to come back on restart. A real server on a data dir:
 * revoke it through the API, restart with the same environment on the same
 * data dir, and the token stays dead (the admin's password still works).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

const running: TestServer[] = [];
let dataDir = '';

afterAll(async () => {
  for (const s of running) await s.stop().catch(() => {});
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a revoked SLIPWAY_ADMIN_TOKEN stays revoked', () => {
  it('is refused after a restart with the same environment on the same data dir', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'slipway-admin-token-'));
    const first = await startSlipway({}, { dataDir });
    running.push(first);
    expect((await first.api('GET', '/api/me')).status).toBe(200);
    const tokens = (await first.api('GET', '/api/tokens')).body as { id: string; name: string }[];
    const envToken = tokens.find((t) => t.name === 'SLIPWAY_ADMIN_TOKEN')!;
    expect((await first.api('DELETE', `/api/tokens/${envToken.id}`)).status).toBe(204);
    expect((await first.api('GET', '/api/me')).status).toBe(401);
    await first.stop();

    const second = await startSlipway({}, { dataDir });
    running.push(second);
    expect(second.adminToken).toBe(first.adminToken);
    expect((await second.api('GET', '/api/me')).status).toBe(401);
    expect((await second.api('GET', '/api/workspaces')).status).toBe(401);
    // What the start log warns about (main.ts logs these warnings).
    const again = await second.app.services.auth.bootstrapAdmin({ password: second.config.adminPassword, token: second.config.adminToken });
    expect(again.warnings).toEqual([expect.stringContaining('SLIPWAY_ADMIN_TOKEN was revoked')]);
    expect((await second.api('GET', '/api/me')).status).toBe(401);
    // The admin is not locked out: the password still signs in.
    const login = await fetch(`${second.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin-password-1' }),
    });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user: { username: string } }).user.username).toBe('admin');
  });
});
