import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../../server/store/db.js';
import { MIGRATIONS } from '../../../server/store/migrations.js';
import { createUserStore } from '../../../server/store/users.js';
import { createTerminalStore } from '../../../server/store/terminals.js';
import { createAuditLog } from '../../../server/store/audit.js';
import { createAuthService } from '../../../server/auth/service.js';

describe('store', () => {
  it('applies every migration once, in WAL mode, and reopens without reapplying', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-store-'));
    const db = openDatabase(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    createUserStore(db).create({ id: 'u1', username: 'ann', passwordHash: null, isAdmin: false });
    db.close();
    const again = openDatabase(dir);
    expect(createUserStore(again).byUsername('ann')?.id).toBe('u1');
    again.close();
  });

  it('records terminal history and marks sessions of a previous process lost', () => {
    const db = openDatabase(':memory:');
    createUserStore(db).create({ id: 'u1', username: 'ann', passwordHash: null, isAdmin: false });
    db.prepare(
      "INSERT INTO workspaces (id, owner_id, context_url, repo_url, repo_name, status, created_at, updated_at, last_activity_at) VALUES ('w1','u1','x','x','x','running','t','t','t')",
    ).run();
    const terminals = createTerminalStore(db);
    terminals.opened({ id: 't1', workspaceId: 'w1', name: 'a', kind: 'task', taskIndex: 0 });
    terminals.opened({ id: 't2', workspaceId: 'w1', name: 'b', kind: 'shell', taskIndex: null });
    terminals.ended('t1', 'exited', 3);
    terminals.ended('t1', 'lost', null); // an ended terminal stays as it ended
    expect(terminals.markAllLost()).toBe(1);
    expect(terminals.list('w1').map((t) => [t.id, t.state, t.exitCode])).toEqual([
      ['t1', 'exited', 3],
      ['t2', 'lost', null],
    ]);
  });
});

describe('auth service', () => {
  function service() {
    const db = openDatabase(':memory:');
    return { auth: createAuthService({ users: createUserStore(db), audit: createAuditLog(db) }), audit: createAuditLog(db) };
  }

  it('logs in with the right password only, and sessions resolve to the user until logout', async () => {
    const { auth } = service();
    await auth.createUser({ username: 'ann', password: 'correct horse' }, null);
    await expect(auth.login('ann', 'wrong password')).rejects.toMatchObject({ code: 'SLIPWAY_AUTH_BAD_CREDENTIALS', status: 401 });
    await expect(auth.login('nobody', 'correct horse')).rejects.toMatchObject({ code: 'SLIPWAY_AUTH_BAD_CREDENTIALS' });
    const { sessionId, user } = await auth.login('ann', 'correct horse');
    expect(auth.userForSession(sessionId)).toEqual(user);
    auth.logout(sessionId);
    expect(auth.userForSession(sessionId)).toBeNull();
  });

  it('issues tokens that resolve to their user and can be revoked; stores only hashes', async () => {
    const { auth } = service();
    const ann = await auth.createUser({ username: 'ann', password: 'password1' }, null);
    const issued = auth.issueToken(ann.id, 'ci');
    expect(issued.token).toMatch(/^slw_/);
    expect(auth.userForToken(issued.token)?.username).toBe('ann');
    expect(JSON.stringify(auth.listTokens(ann.id))).not.toContain(issued.token);
    expect(auth.revokeToken(ann, issued.id)).toBe(true);
    expect(auth.userForToken(issued.token)).toBeNull();
  });

  it('bootstraps the admin from the environment, or with a generated password, once', async () => {
    const { auth } = service();
    const first = await auth.bootstrapAdmin({ password: null, token: 'slw_env_token' });
    expect(first).toEqual({ created: true, generatedPassword: null, warnings: [] });
    expect(auth.userForToken('slw_env_token')).toMatchObject({ username: 'admin', isAdmin: true });
    expect((await auth.bootstrapAdmin({ password: null, token: null })).created).toBe(false);

    const other = service().auth;
    const generated = await other.bootstrapAdmin({ password: null, token: null });
    expect(generated.generatedPassword).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await other.login('admin', generated.generatedPassword!)).user.isAdmin).toBe(true);
  });

  it('refuses bad usernames, duplicates and short passwords', async () => {
    const { auth } = service();
    await expect(auth.createUser({ username: '-bad', password: 'password1' }, null)).rejects.toMatchObject({ code: 'SLIPWAY_AUTH_BAD_USERNAME', status: 400 });
    await auth.createUser({ username: 'ann', password: 'password1' }, null);
    await expect(auth.createUser({ username: 'ann', password: 'password1' }, null)).rejects.toMatchObject({ code: 'SLIPWAY_AUTH_USER_EXISTS', status: 409 });
    await expect(auth.createUser({ username: 'bob', password: 'short' }, null)).rejects.toMatchObject({ code: 'SLIPWAY_AUTH_WEAK_PASSWORD' });
  });
});
