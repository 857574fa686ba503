/**
 * The open WebSockets (terminals and proxied ports), each remembered with
 * the credential that opened it. An upgrade is authenticated once; when that
 * credential ends (logout, token revoked, user deleted) the auth service
 * says so and every socket it opened is closed at once, with close code
 * 4001 and a reason (DESIGN §10).
 */
import type { AuthService, Credential, Revocation } from '../auth/service.js';

/** Application close code (4000-4999 are ours): the credential that opened this socket is no longer valid. */
export const CLOSE_CREDENTIAL_REVOKED = 4001;

export type CloseSocket = (code: number, reason: string) => void;

const REASONS: Record<Revocation['kind'], string> = {
  session: 'signed out: sign in again',
  token: 'the API token was revoked',
  user: 'the user was deleted',
};

export function createLiveSockets(auth: Pick<AuthService, 'onRevoke'>) {
  interface Entry {
    userId: string;
    close: CloseSocket;
  }
  const byCredential = new Map<string, Set<Entry>>();
  const keyOf = (credential: Credential) => `${credential.kind}:${credential.id}`;

  function closeAll(entries: Iterable<Entry>, reason: string) {
    for (const entry of [...entries]) {
      try {
        entry.close(CLOSE_CREDENTIAL_REVOKED, reason);
      } catch {
        // One socket failing to close must not keep the others open.
      }
    }
  }

  const unsubscribe = auth.onRevoke((event) => {
    if (event.kind === 'user') {
      for (const [key, entries] of byCredential) {
        const mine = [...entries].filter((e) => e.userId === event.userId);
        for (const e of mine) entries.delete(e);
        if (entries.size === 0) byCredential.delete(key);
        closeAll(mine, REASONS.user);
      }
      return;
    }
    const key = keyOf(event);
    const entries = byCredential.get(key);
    byCredential.delete(key);
    if (entries) closeAll(entries, REASONS[event.kind]);
  });

  return {
    /** Remembers a socket; call the returned function when it closes. */
    track(identity: { user: { id: string }; credential: Credential }, close: CloseSocket): () => void {
      const key = keyOf(identity.credential);
      const entry: Entry = { userId: identity.user.id, close };
      let entries = byCredential.get(key);
      if (!entries) byCredential.set(key, (entries = new Set()));
      entries.add(entry);
      return () => {
        const current = byCredential.get(key);
        current?.delete(entry);
        if (current?.size === 0) byCredential.delete(key);
      };
    },
    /** Sockets being tracked (for tests and metrics). */
    size(): number {
      let n = 0;
      for (const entries of byCredential.values()) n += entries.size;
      return n;
    },
    dispose(): void {
      unsubscribe();
      byCredential.clear();
    },
  };
}

export type LiveSockets = ReturnType<typeof createLiveSockets>;
