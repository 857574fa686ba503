/**
 * Who is calling: users, passwords, login sessions and API tokens. Secrets
 * (session ids, tokens) are only ever stored as SHA-256 hashes.
 */
import { newId, newSecret, sha256Hex } from '../core/ids.js';
import { slipwayError } from '../core/errors.js';
import type { UserStore, UserRecord } from '../store/users.js';
import type { AuditLog } from '../store/audit.js';
import { hashPassword, verifyPassword } from './passwords.js';

export interface User {
  id: string;
  username: string;
  isAdmin: boolean;
}

/**
 * What authenticated a request: a login session (by the hash of its id, never
 * the id itself) or an API token (by its record id). Long-lived connections
 * remember it, so that they end when it does.
 */
export interface Credential {
  kind: 'session' | 'token';
  id: string;
}

export interface Identity {
  user: User;
  credential: Credential;
}

/** A credential (or every credential of a user) stopped being valid: logout, token revoked, user deleted. */
export type Revocation = { kind: 'session' | 'token'; id: string; userId: string } | { kind: 'user'; userId: string };

export const SESSION_COOKIE = 'slipway_session';
const SESSION_DAYS = 14;
const TOKEN_PREFIX = 'slw_';

const publicUser = (u: UserRecord): User => ({ id: u.id, username: u.username, isAdmin: u.isAdmin });
const hashSecret = (secret: string) => sha256Hex(secret);

export function createAuthService(deps: { users: UserStore; audit: AuditLog }) {
  const { users, audit } = deps;
  // A plain listener set: the http layer closes the sockets a revoked credential opened.
  const revocationListeners = new Set<(event: Revocation) => void>();
  function revoked(event: Revocation) {
    for (const listener of revocationListeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure must not undo or block the revocation itself.
      }
    }
  }

  function identifySession(sessionId: string | undefined): Identity | null {
    if (!sessionId) return null;
    const idHash = hashSecret(sessionId);
    const record = users.userBySessionHash(idHash);
    return record ? { user: publicUser(record), credential: { kind: 'session', id: idHash } } : null;
  }

  function identifyToken(token: string | undefined): Identity | null {
    if (!token) return null;
    const found = users.tokenByHash(hashSecret(token));
    return found ? { user: publicUser(found.user), credential: { kind: 'token', id: found.tokenId } } : null;
  }

  async function createUser(input: { username: string; password?: string | null; isAdmin?: boolean }, actor: User | null): Promise<User> {
    const username = input.username?.trim();
    if (!username || !/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/.test(username)) {
      throw slipwayError('SLIPWAY_AUTH_BAD_USERNAME', 'A username is 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit');
    }
    if (users.byUsername(username)) throw slipwayError('SLIPWAY_AUTH_USER_EXISTS', `A user named "${username}" already exists`);
    if (input.password != null && input.password.length < 8) {
      throw slipwayError('SLIPWAY_AUTH_WEAK_PASSWORD', 'A password needs at least 8 characters');
    }
    const record = users.create({
      id: newId('u'),
      username,
      passwordHash: input.password ? await hashPassword(input.password) : null,
      isAdmin: input.isAdmin ?? false,
    });
    audit.record(actor?.id ?? null, 'user.create', record.id, { username, isAdmin: record.isAdmin });
    return publicUser(record);
  }

  function issueToken(userId: string, name: string): { id: string; token: string; name: string; createdAt: string } {
    const token = TOKEN_PREFIX + newSecret(32);
    const record = users.addToken({ id: newId('tok'), userId, name: name || 'token', tokenHash: hashSecret(token) });
    audit.record(userId, 'token.create', record.id, { name: record.name });
    return { id: record.id, token, name: record.name, createdAt: record.createdAt };
  }

  return {
    createUser,
    issueToken,

    /**
     * First start: make the admin from the environment, or with a random
     * password printed once. Later starts re-add SLIPWAY_ADMIN_TOKEN when it
     * is missing, unless it was revoked: revoked stays revoked (the hash is
     * remembered), and so does a deleted admin. `warnings` say what was
     * ignored, for the start log.
     */
    async bootstrapAdmin(options: {
      password: string | null;
      token: string | null;
    }): Promise<{ created: boolean; generatedPassword: string | null; warnings: string[] }> {
      const warnings: string[] = [];
      const tokenHash = options.token ? hashSecret(options.token) : null;
      const tokenRevoked = tokenHash !== null && users.isRevokedTokenHash(tokenHash);
      if (tokenRevoked)
        warnings.push('SLIPWAY_ADMIN_TOKEN was revoked through the API and is ignored; set a new value to get an admin token from the environment again');
      const existing = users.byUsername('admin');
      if (existing) {
        if (tokenHash && !tokenRevoked && !users.userByTokenHash(tokenHash)) {
          users.addToken({ id: newId('tok'), userId: existing.id, name: 'SLIPWAY_ADMIN_TOKEN', tokenHash });
        }
        return { created: false, generatedPassword: null, warnings };
      }
      if (users.count() > 0) {
        // Users but no "admin": an admin deleted it. Re-creating it from the environment would undo that.
        if (options.password || options.token) warnings.push('the "admin" user was deleted; SLIPWAY_ADMIN_PASSWORD and SLIPWAY_ADMIN_TOKEN are ignored');
        return { created: false, generatedPassword: null, warnings };
      }
      const generatedPassword = options.password || (tokenHash && !tokenRevoked) ? null : newSecret(12);
      const password = options.password ?? generatedPassword;
      const admin = await createUser({ username: 'admin', password, isAdmin: true }, null);
      if (tokenHash && !tokenRevoked) users.addToken({ id: newId('tok'), userId: admin.id, name: 'SLIPWAY_ADMIN_TOKEN', tokenHash });
      return { created: true, generatedPassword, warnings };
    },

    /** `from.address`: the client address (the socket's, unless SLIPWAY_TRUST_PROXY names the proxy), kept in the audit log. */
    async login(username: string, password: string, from: { address?: string } = {}): Promise<{ user: User; sessionId: string; expiresAt: Date }> {
      const record = typeof username === 'string' ? users.byUsername(username) : null;
      // Hash even for unknown users so that timing does not tell which names exist.
      const ok = record?.passwordHash ? await verifyPassword(String(password ?? ''), record.passwordHash) : (await hashPassword('x'), false);
      if (!record || !ok) throw slipwayError('SLIPWAY_AUTH_BAD_CREDENTIALS', 'Wrong username or password');
      const sessionId = newSecret(32);
      const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
      users.addSession(hashSecret(sessionId), record.id, expiresAt.toISOString());
      audit.record(record.id, 'auth.login', record.id, from.address ? { address: from.address } : undefined);
      return { user: publicUser(record), sessionId, expiresAt };
    },

    logout(sessionId: string): void {
      const session = identifySession(sessionId);
      users.deleteSession(hashSecret(sessionId));
      if (!session) return;
      audit.record(session.user.id, 'auth.logout', session.user.id);
      revoked({ kind: 'session', id: session.credential.id, userId: session.user.id });
    },

    identifySession,
    identifyToken,

    userForSession(sessionId: string | undefined): User | null {
      return identifySession(sessionId)?.user ?? null;
    },

    userForToken(token: string | undefined): User | null {
      return identifyToken(token)?.user ?? null;
    },

    /** Called after every logout, token revocation and user deletion; returns the unsubscribe function. */
    onRevoke(listener: (event: Revocation) => void): () => void {
      revocationListeners.add(listener);
      return () => void revocationListeners.delete(listener);
    },

    listUsers(): User[] {
      return users.list().map(publicUser);
    },
    listTokens(userId: string) {
      return users.tokens(userId);
    },
    revokeToken(user: User, tokenId: string): boolean {
      const removed = users.revokeToken(user.id, tokenId);
      if (removed) {
        audit.record(user.id, 'token.revoke', tokenId);
        revoked({ kind: 'token', id: tokenId, userId: user.id });
      }
      return removed;
    },

    /**
     * Admins only. Refused for oneself (an admin always remains) and while
     * the user owns workspaces or projects: those would be left without an
     * owner, and deleting someone's work is a separate, deliberate step.
     */
    deleteUser(actor: User, userId: string): void {
      if (!actor.isAdmin) throw slipwayError('SLIPWAY_AUTH_FORBIDDEN', 'Only an admin may do this');
      const record = users.byId(userId);
      if (!record) throw slipwayError('SLIPWAY_AUTH_USER_NOT_FOUND', `No user "${userId}"`);
      if (record.id === actor.id) throw slipwayError('SLIPWAY_AUTH_DELETE_SELF', 'You cannot delete yourself; sign in as another admin');
      const owned = users.ownedCounts(record.id);
      if (owned.workspaces > 0 || owned.projects > 0) {
        throw slipwayError(
          'SLIPWAY_AUTH_USER_OWNS_WORK',
          `"${record.username}" still owns ${owned.workspaces} workspace(s) and ${owned.projects} project(s): delete them first (an admin may: DELETE /api/workspaces/:id, DELETE /api/projects/:id)`,
          { detail: owned },
        );
      }
      users.delete(record.id);
      audit.record(actor.id, 'user.delete', record.id, { username: record.username });
      revoked({ kind: 'user', userId: record.id });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
