/**
 * Credentials that end: logout, token revocation and user deletion are
 * announced to listeners (the http layer closes the sockets they opened),
 * and a revoked SLIPWAY_ADMIN_TOKEN stays revoked across restarts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuthService, type Revocation } from '../../../server/auth/service.js';
import { createAuditLog } from '../../../server/store/audit.js';
import { openDatabase, type Db } from '../../../server/store/db.js';
import { createUserStore } from '../../../server/store/users.js';

function service(db: Db = openDatabase(':memory:')) {
  const audit = createAuditLog(db);
  const auth = createAuthService({ users: createUserStore(db), audit });
  const events: Revocation[] = [];
  auth.onRevoke((e) => events.push(e));
  return { auth, audit, events, db };
}

describe('revocation events', () => {
  it('logout names the session (by its hash) and its user; only an existing session is announced', async () => {
    const { auth, events, audit } = service();
    const ann = await auth.createUser({ username: 'ann', password: 'password1' }, null);
    const { sessionId } = await auth.login('ann', 'password1');
    const identity = auth.identifySession(sessionId)!;
    expect(identity.credential).toEqual({ kind: 'session', id: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(identity.credential.id).not.toBe(sessionId);
    auth.logout(sessionId);
    auth.logout(sessionId);
    expect(events).toEqual([{ kind: 'session', id: identity.credential.id, userId: ann.id }]);
    expect(audit.list({ target: ann.id }).map((e) => e.action)).toContain('auth.logout');
  });

  it('revoking a token names the token id; another user cannot revoke it', async () => {
    const { auth, events } = service();
    const ann = await auth.createUser({ username: 'ann', password: 'password1' }, null);
    const bob = await auth.createUser({ username: 'bob', password: 'password1' }, null);
    const issued = auth.issueToken(ann.id, 'ci');
    expect(auth.identifyToken(issued.token)).toEqual({ user: ann, credential: { kind: 'token', id: issued.id } });
    expect(auth.revokeToken(bob, issued.id)).toBe(false);
    expect(events).toEqual([]);
    expect(auth.revokeToken(ann, issued.id)).toBe(true);
    expect(events).toEqual([{ kind: 'token', id: issued.id, userId: ann.id }]);
    expect(auth.identifyToken(issued.token)).toBeNull();
  });

  it('a listener that throws does not stop the revocation or the other listeners', async () => {
    const { auth, events } = service();
    auth.onRevoke(() => {
      throw new Error('listener bug');
    });
    const ann = await auth.createUser({ username: 'ann', password: 'password1' }, null);
    const issued = auth.issueToken(ann.id, 'ci');
    expect(auth.revokeToken(ann, issued.id)).toBe(true);
    expect(auth.userForToken(issued.token)).toBeNull();
    expect(events).toHaveLength(1);
  });

  it('deleting a user: admins only, never oneself, not while they own work; ends their sessions and tokens', async () => {
    const { auth, events, audit, db } = service();
    const admin = await auth.createUser({ username: 'root', password: 'password1', isAdmin: true }, null);
    const ann = await auth.createUser({ username: 'ann', password: 'password1' }, null);
    const bob = await auth.createUser({ username: 'bob', password: 'password1' }, null);
    const { sessionId } = await auth.login('ann', 'password1');
    const token = auth.issueToken(ann.id, 'ci').token;
    expect(() => auth.deleteUser(bob, ann.id)).toThrow(expect.objectContaining({ code: 'SLIPWAY_AUTH_FORBIDDEN', status: 403 }));
    expect(() => auth.deleteUser(admin, admin.id)).toThrow(expect.objectContaining({ code: 'SLIPWAY_AUTH_DELETE_SELF', status: 409 }));
    expect(() => auth.deleteUser(admin, 'u_nobody')).toThrow(expect.objectContaining({ code: 'SLIPWAY_AUTH_USER_NOT_FOUND', status: 404 }));
    db.prepare(
      "INSERT INTO workspaces (id, owner_id, context_url, repo_url, repo_name, status, created_at, updated_at, last_activity_at) VALUES ('w1', ?, 'x', 'x', 'x', 'running', 't', 't', 't')",
    ).run(ann.id);
    expect(() => auth.deleteUser(admin, ann.id)).toThrow(expect.objectContaining({ code: 'SLIPWAY_AUTH_USER_OWNS_WORK', status: 409 }));
    db.prepare("DELETE FROM workspaces WHERE id = 'w1'").run();
    expect(events).toEqual([]);

    auth.deleteUser(admin, ann.id);
    expect(events).toEqual([{ kind: 'user', userId: ann.id }]);
    expect(auth.userForSession(sessionId)).toBeNull();
    expect(auth.userForToken(token)).toBeNull();
    expect(auth.listUsers().map((u) => u.username)).toEqual(['root', 'bob']);
    expect(audit.list({ target: ann.id })[0]).toMatchObject({ action: 'user.delete', userId: admin.id, detail: { username: 'ann' } });
  });
});

describe('SLIPWAY_ADMIN_TOKEN across restarts', () => {
  const env = { password: 'admin-password-1', token: 'slw_env_admin_token_0123456789' };

  it('a revoked admin token is not re-added at the next start, and the start says so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-auth-'));
    try {
      const first = service(openDatabase(dir));
      expect((await first.auth.bootstrapAdmin(env)).warnings).toEqual([]);
      const admin = first.auth.userForToken(env.token)!;
      // Without revocation, a later start keeps the token (and adds it back if missing).
      expect((await first.auth.bootstrapAdmin(env)).warnings).toEqual([]);
      expect(first.auth.userForToken(env.token)).toEqual(admin);
      const id = first.auth.listTokens(admin.id).find((t) => t.name === 'SLIPWAY_ADMIN_TOKEN')!.id;
      expect(first.auth.revokeToken(admin, id)).toBe(true);
      first.db.close();

      const second = service(openDatabase(dir));
      const started = await second.auth.bootstrapAdmin(env);
      expect(started.warnings).toEqual([expect.stringMatching(/SLIPWAY_ADMIN_TOKEN was revoked/)]);
      expect(second.auth.userForToken(env.token)).toBeNull();
      expect((await second.auth.login('admin', env.password)).user.id).toBe(admin.id);
      // A new value is a new token: that one works.
      await second.auth.bootstrapAdmin({ ...env, token: 'slw_env_admin_token_new_000000' });
      expect(second.auth.userForToken('slw_env_admin_token_new_000000')?.id).toBe(admin.id);
      second.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a deleted admin is not re-created from the environment, and its token stays dead', async () => {
    const { auth } = service();
    await auth.bootstrapAdmin(env);
    const admin = auth.userForToken(env.token)!;
    const other = await auth.createUser({ username: 'ops', password: 'password1', isAdmin: true }, admin);
    auth.deleteUser(other, admin.id);
    const started = await auth.bootstrapAdmin(env);
    expect(started.created).toBe(false);
    expect(started.warnings.join('\n')).toMatch(/SLIPWAY_ADMIN_TOKEN was revoked[\s\S]*"admin" user was deleted/);
    expect(auth.userForToken(env.token)).toBeNull();
    expect(auth.listUsers().map((u) => u.username)).toEqual(['ops']);
  });

  it('the first start on an empty store still makes the admin with the token', async () => {
    const { auth } = service();
    const started = await auth.bootstrapAdmin(env);
    expect(started).toMatchObject({ created: true, generatedPassword: null, warnings: [] });
    expect(auth.userForToken(env.token)?.username).toBe('admin');
  });
});
