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

export const SESSION_COOKIE = 'slipway_session';
const SESSION_DAYS = 14;
const TOKEN_PREFIX = 'slw_';

const publicUser = (u: UserRecord): User => ({ id: u.id, username: u.username, isAdmin: u.isAdmin });
const hashSecret = (secret: string) => sha256Hex(secret);

export function createAuthService(deps: { users: UserStore; audit: AuditLog }) {
  const { users, audit } = deps;

  async function createUser(input: { username: string; password?: string | null; isAdmin?: boolean }, actor: User | null): Promise<User> {
    const username = input.username?.trim();
    if (!username || !/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/.test(username)) {
      throw slipwayError('SLIPWAY_AUTH_BAD_USERNAME', 'A username is 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit', { status: 400 });
    }
    if (users.byUsername(username)) throw slipwayError('SLIPWAY_AUTH_USER_EXISTS', `A user named "${username}" already exists`, { status: 409 });
    if (input.password != null && input.password.length < 8) {
      throw slipwayError('SLIPWAY_AUTH_WEAK_PASSWORD', 'A password needs at least 8 characters', { status: 400 });
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

    /** First start: make the admin from the environment, or with a random password printed once. */
    async bootstrapAdmin(options: { password: string | null; token: string | null }): Promise<{ created: boolean; generatedPassword: string | null }> {
      const existing = users.byUsername('admin');
      if (existing) {
        // A token given in the environment is always usable, also on later starts.
        if (options.token && !users.userByTokenHash(hashSecret(options.token))) {
          users.addToken({ id: newId('tok'), userId: existing.id, name: 'SLIPWAY_ADMIN_TOKEN', tokenHash: hashSecret(options.token) });
        }
        return { created: false, generatedPassword: null };
      }
      const generatedPassword = options.password || options.token ? null : newSecret(12);
      const password = options.password ?? generatedPassword;
      const admin = await createUser({ username: 'admin', password, isAdmin: true }, null);
      if (options.token) users.addToken({ id: newId('tok'), userId: admin.id, name: 'SLIPWAY_ADMIN_TOKEN', tokenHash: hashSecret(options.token) });
      return { created: true, generatedPassword };
    },

    async login(username: string, password: string): Promise<{ user: User; sessionId: string; expiresAt: Date }> {
      const record = typeof username === 'string' ? users.byUsername(username) : null;
      // Hash even for unknown users so that timing does not tell which names exist.
      const ok = record?.passwordHash ? await verifyPassword(String(password ?? ''), record.passwordHash) : (await hashPassword('x'), false);
      if (!record || !ok) throw slipwayError('SLIPWAY_AUTH_BAD_CREDENTIALS', 'Wrong username or password', { status: 401 });
      const sessionId = newSecret(32);
      const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
      users.addSession(hashSecret(sessionId), record.id, expiresAt.toISOString());
      audit.record(record.id, 'auth.login', record.id);
      return { user: publicUser(record), sessionId, expiresAt };
    },

    logout(sessionId: string): void {
      users.deleteSession(hashSecret(sessionId));
    },

    userForSession(sessionId: string | undefined): User | null {
      if (!sessionId) return null;
      const record = users.userBySessionHash(hashSecret(sessionId));
      return record ? publicUser(record) : null;
    },

    userForToken(token: string | undefined): User | null {
      if (!token) return null;
      const record = users.userByTokenHash(hashSecret(token));
      return record ? publicUser(record) : null;
    },

    listUsers(): User[] {
      return users.list().map(publicUser);
    },
    listTokens(userId: string) {
      return users.tokens(userId);
    },
    revokeToken(user: User, tokenId: string): boolean {
      const removed = users.deleteToken(user.id, tokenId);
      if (removed) audit.record(user.id, 'token.revoke', tokenId);
      return removed;
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
