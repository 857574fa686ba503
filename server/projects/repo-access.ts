/**
 * Who may open a repository. The git mirror and prebuild snapshots are shared
 * per repository, so what the server holds of a private repository must go
 * only to callers who can read it themselves: the decision is made per
 * caller, with that caller's own credentials (a token of a project they own
 * for this exact origin, or none), never satisfied by another user's token.
 * A caller whose own token is refused gets that error (fix the token), not a
 * fallback. Admins are trusted with every repository; their fetches still
 * use only their own credentials (git/remote.ts).
 */
import { isSlipwayError, slipwayError } from '../core/errors.js';
import type { GitPrincipal } from '../git/remote.js';
import type { ProjectRecord } from '../store/projects.js';

export function createRepoAccess(
  projects: { forRepo(repoUrl: string): ProjectRecord[] },
  git: { proveAccess(repoUrl: string, as: GitPrincipal): Promise<void>; hasCredential(repoUrl: string, as: GitPrincipal): boolean },
) {
  return {
    async check(caller: { id: string; isAdmin: boolean }, repoUrl: string): Promise<void> {
      if (caller.isAdmin) return;
      // Nothing private is held for this repository: the open's own fetch (as this caller) decides.
      if (!projects.forRepo(repoUrl).some((p) => p.accessTokenEnc !== null)) return;
      const as = { user: caller.id };
      try {
        await git.proveAccess(repoUrl, as);
      } catch (error) {
        if (isSlipwayError(error) && error.code === 'SLIPWAY_GIT_AUTH_FAILED' && !git.hasCredential(repoUrl, as)) {
          throw slipwayError(
            'SLIPWAY_GIT_ACCESS_DENIED',
            "This repository is private (its server asked for credentials) and you hold no access token for it; this server never lends another user's token. Register it as your own project with your access token (POST /api/projects) to open it.",
          );
        }
        throw error;
      }
    },
  };
}
