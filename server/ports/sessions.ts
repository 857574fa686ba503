/**
 * Port sessions: the credential a browser carries on a port page, distinct
 * from the login session so that app content never holds (and a port host
 * never accepts) the main session id. One is minted from a signed-in login
 * session for one scope — a port host (`3000-w1.example.com`, sent as that
 * host's own cookie) or a path-form prefix (`/ports/w1/3000`, sent as a key
 * in the URL, since a sandboxed page's requests carry no cookies) — and is
 * refused everywhere else: on the main host's API, on other port hosts, on
 * other ports. It expires with its login session, or sooner.
 */
import { newSecret, sha256Hex } from '../core/ids.js';
import type { PortSessionStore } from '../store/port-sessions.js';
import { PORT_KEY_PATTERN } from './access.js';

export interface PortSessionIdentity {
  user: { id: string; username: string; isAdmin: boolean };
  /** The hash of the login session it was minted from: a logout of that session ends it too. */
  sessionHash: string;
}

const TOKEN = new RegExp(`^${PORT_KEY_PATTERN}$`);

export function createPortSessions(store: PortSessionStore) {
  return {
    /**
     * A new port session for `scope`, from the login session whose hash is
     * given (the same hash the auth service stores); null when that session
     * is gone. Lives `maxAgeMs` at most and never past the login session.
     */
    mint(sessionHash: string, scope: string, maxAgeMs: number): { token: string; expires: Date } | null {
      const sessionExpiry = store.sessionExpiry(sessionHash);
      if (!sessionExpiry) return null;
      const expires = new Date(Math.min(Date.parse(sessionExpiry), Date.now() + maxAgeMs));
      const token = newSecret(32);
      store.add({ tokenHash: sha256Hex(token), sessionHash, scope, expiresAt: expires.toISOString() });
      return { token, expires };
    },

    /** Who a port-session token belongs to, when it is valid for exactly this scope. */
    identify(token: string | undefined, scope: string): PortSessionIdentity | null {
      if (!token || !TOKEN.test(token)) return null;
      return store.find(sha256Hex(token), scope);
    },
  };
}

export type PortSessions = ReturnType<typeof createPortSessions>;
