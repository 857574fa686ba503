import type { Db } from './db.js';
import { nowIso } from './db.js';

/** A port session found by its hash: whose it is, and the login session it hangs on. */
export interface PortSessionRecord {
  sessionHash: string;
  user: { id: string; username: string; isAdmin: boolean };
}

/**
 * Port sessions (migration 4), stored as hashes like login sessions. Each is
 * valid for one scope only and only while the login session it was minted
 * from is: the lookup joins that session, and deleting it cascades.
 */
export function createPortSessionStore(db: Db) {
  return {
    /** When the login session ends, or null when it is gone or expired. */
    sessionExpiry(sessionHash: string): string | null {
      const row = db.prepare('SELECT expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?').get(sessionHash, nowIso()) as
        { expires_at: string } | undefined;
      return row?.expires_at ?? null;
    },
    add(session: { tokenHash: string; sessionHash: string; scope: string; expiresAt: string }): void {
      const now = nowIso();
      // Expired rows go here, at the only place rows are added: no timer needed.
      db.prepare('DELETE FROM port_sessions WHERE expires_at <= ?').run(now);
      db.prepare('INSERT INTO port_sessions (token_hash, session_hash, scope, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
        session.tokenHash,
        session.sessionHash,
        session.scope,
        now,
        session.expiresAt,
      );
    },
    /** The port session with this hash, for exactly this scope, both it and its login session unexpired. */
    find(tokenHash: string, scope: string): PortSessionRecord | null {
      const now = nowIso();
      const row = db
        .prepare(
          `
        SELECT port_sessions.session_hash, users.id, users.username, users.is_admin
        FROM port_sessions
        JOIN sessions ON sessions.id_hash = port_sessions.session_hash
        JOIN users ON users.id = sessions.user_id
        WHERE port_sessions.token_hash = ? AND port_sessions.scope = ? AND port_sessions.expires_at > ? AND sessions.expires_at > ?
      `,
        )
        .get(tokenHash, scope, now, now) as { session_hash: string; id: string; username: string; is_admin: number } | undefined;
      return row ? { sessionHash: row.session_hash, user: { id: row.id, username: row.username, isAdmin: row.is_admin === 1 } } : null;
    },
  };
}

export type PortSessionStore = ReturnType<typeof createPortSessionStore>;
