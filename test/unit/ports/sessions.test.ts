/**
 * Port sessions on a real (in-memory) SQLite store with the real auth
 * service: a port session is its own credential, valid for exactly one
 * scope, never the login session's id, and it ends with its login session.
 */
import { describe, expect, it } from 'vitest';
import { createAuthService } from '../../../server/auth/service.js';
import { sha256Hex } from '../../../server/core/ids.js';
import { createPortSessions } from '../../../server/ports/sessions.js';
import { createAuditLog } from '../../../server/store/audit.js';
import { openDatabase } from '../../../server/store/db.js';
import { createPortSessionStore } from '../../../server/store/port-sessions.js';
import { createUserStore } from '../../../server/store/users.js';

async function setup() {
  const db = openDatabase(':memory:');
  const auth = createAuthService({ users: createUserStore(db), audit: createAuditLog(db) });
  await auth.createUser({ username: 'ann', password: 'password-of-ann' }, null);
  const login = await auth.login('ann', 'password-of-ann');
  return { db, auth, login, sessions: createPortSessions(createPortSessionStore(db)), sessionHash: sha256Hex(login.sessionId) };
}

describe('port sessions', () => {
  it('are valid for their one scope only, and are not login sessions', async () => {
    const { auth, login, sessions, sessionHash } = await setup();
    const host = '3000-wabc.localhost:8080';
    const minted = sessions.mint(sessionHash, host, 86_400_000)!;
    expect(minted.token).not.toBe(login.sessionId);
    expect(sessions.identify(minted.token, host)).toEqual({ user: { id: login.user.id, username: 'ann', isAdmin: false }, sessionHash });
    expect(sessions.identify(minted.token, '3001-wabc.localhost:8080')).toBeNull();
    expect(sessions.identify(minted.token, '3000-wother.localhost:8080')).toBeNull();
    expect(sessions.identify(minted.token, '/ports/wabc/3000')).toBeNull();
    // Neither a session id nor a token on the main host.
    expect(auth.userForSession(minted.token)).toBeNull();
    expect(auth.userForToken(minted.token)).toBeNull();
    // And the login session id is no port session.
    expect(sessions.identify(login.sessionId, host)).toBeNull();
    expect(sessions.identify(undefined, host)).toBeNull();
  });

  it('end with the login session they came from (logout), and never outlive it', async () => {
    const { auth, login, sessions, sessionHash } = await setup();
    const a = sessions.mint(sessionHash, 'h1', 365 * 86_400_000)!;
    expect(a.expires.getTime()).toBeLessThanOrEqual(login.expiresAt.getTime());
    const short = sessions.mint(sessionHash, 'h1', 60_000)!;
    expect(short.expires.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    auth.logout(login.sessionId);
    expect(sessions.identify(a.token, 'h1')).toBeNull();
    expect(sessions.identify(short.token, 'h1')).toBeNull();
    expect(sessions.mint(sessionHash, 'h1', 60_000)).toBeNull();
  });

  it('expire on their own time', async () => {
    const { db, sessions, sessionHash } = await setup();
    const minted = sessions.mint(sessionHash, 'h1', 60_000)!;
    db.prepare('UPDATE port_sessions SET expires_at = ?').run(new Date(Date.now() - 1000).toISOString());
    expect(sessions.identify(minted.token, 'h1')).toBeNull();
  });
});
