import type { Db } from './db.js';
import { nowIso } from './db.js';

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string | null;
  isAdmin: boolean;
  createdAt: string;
}

export interface TokenRecord {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

interface UserRow {
  id: string;
  username: string;
  password_hash: string | null;
  is_admin: number;
  created_at: string;
}

function toUser(row: UserRow | undefined): UserRecord | null {
  if (!row) return null;
  return { id: row.id, username: row.username, passwordHash: row.password_hash, isAdmin: row.is_admin === 1, createdAt: row.created_at };
}

/** Users, their API tokens (stored as hashes) and login sessions (stored as hashes). */
export function createUserStore(db: Db) {
  return {
    create(user: { id: string; username: string; passwordHash: string | null; isAdmin: boolean }): UserRecord {
      db.prepare('INSERT INTO users (id, username, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?, ?)').run(
        user.id,
        user.username,
        user.passwordHash,
        user.isAdmin ? 1 : 0,
        nowIso(),
      );
      return this.byId(user.id)!;
    },
    byId(id: string): UserRecord | null {
      return toUser(db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined);
    },
    byUsername(username: string): UserRecord | null {
      return toUser(db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined);
    },
    list(): UserRecord[] {
      return (db.prepare('SELECT * FROM users ORDER BY created_at').all() as UserRow[]).map((row) => toUser(row)!);
    },
    count(): number {
      return (db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
    },
    setPassword(id: string, passwordHash: string): void {
      db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, id);
    },
    addToken(token: { id: string; userId: string; name: string; tokenHash: string }): TokenRecord {
      const createdAt = nowIso();
      db.prepare('INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
        token.id,
        token.userId,
        token.name,
        token.tokenHash,
        createdAt,
      );
      return { id: token.id, userId: token.userId, name: token.name, createdAt, lastUsedAt: null };
    },
    tokens(userId: string): TokenRecord[] {
      const rows = db.prepare('SELECT id, user_id, name, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY created_at').all(userId) as {
        id: string;
        user_id: string;
        name: string;
        created_at: string;
        last_used_at: string | null;
      }[];
      return rows.map((r) => ({ id: r.id, userId: r.user_id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
    },
    /** Deletes a token and remembers its hash, so that a token given in the environment is not re-added at the next start. */
    revokeToken(userId: string, tokenId: string): boolean {
      return db.transaction(() => {
        const row = db.prepare('SELECT token_hash FROM api_tokens WHERE id = ? AND user_id = ?').get(tokenId, userId) as { token_hash: string } | undefined;
        if (!row) return false;
        db.prepare('INSERT OR IGNORE INTO revoked_tokens (token_hash, revoked_at) VALUES (?, ?)').run(row.token_hash, nowIso());
        db.prepare('DELETE FROM api_tokens WHERE id = ?').run(tokenId);
        return true;
      })();
    },
    isRevokedTokenHash(tokenHash: string): boolean {
      return db.prepare('SELECT 1 FROM revoked_tokens WHERE token_hash = ?').get(tokenHash) !== undefined;
    },
    userByTokenHash(tokenHash: string): UserRecord | null {
      return this.tokenByHash(tokenHash)?.user ?? null;
    },
    /** The token's id (what a revocation names) and its user; marks the token used. */
    tokenByHash(tokenHash: string): { tokenId: string; user: UserRecord } | null {
      const row = db
        .prepare('SELECT users.*, api_tokens.id AS token_id FROM api_tokens JOIN users ON users.id = api_tokens.user_id WHERE token_hash = ?')
        .get(tokenHash) as (UserRow & { token_id: string }) | undefined;
      if (!row) return null;
      db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?').run(nowIso(), tokenHash);
      return { tokenId: row.token_id, user: toUser(row)! };
    },
    /** What a user still owns that has no owner without them (deleting the user would orphan it). */
    ownedCounts(userId: string): { workspaces: number; projects: number } {
      const count = (sql: string) => (db.prepare(sql).get(userId) as { n: number }).n;
      return {
        workspaces: count('SELECT COUNT(*) AS n FROM workspaces WHERE owner_id = ?'),
        projects: count('SELECT COUNT(*) AS n FROM projects WHERE owner_id = ?'),
      };
    },
    /** Deletes a user with their sessions and tokens (cascade); their token hashes are remembered as revoked. */
    delete(userId: string): boolean {
      return db.transaction(() => {
        db.prepare('INSERT OR IGNORE INTO revoked_tokens (token_hash, revoked_at) SELECT token_hash, ? FROM api_tokens WHERE user_id = ?').run(
          nowIso(),
          userId,
        );
        return db.prepare('DELETE FROM users WHERE id = ?').run(userId).changes > 0;
      })();
    },
    addSession(idHash: string, userId: string, expiresAt: string): void {
      db.prepare('INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(idHash, userId, nowIso(), expiresAt);
    },
    userBySessionHash(idHash: string): UserRecord | null {
      const row = db
        .prepare('SELECT users.* FROM sessions JOIN users ON users.id = sessions.user_id WHERE id_hash = ? AND expires_at > ?')
        .get(idHash, nowIso()) as UserRow | undefined;
      return toUser(row);
    },
    deleteSession(idHash: string): void {
      db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
