/**
 * Who may open a repository. The git mirror and prebuild snapshots are shared
 * per repository, and a private repository is fetched with its project's
 * access token; so a user who owns no project holding a token for it may open
 * it only when the repository is readable with no credentials at all (a
 * public repository). Otherwise anyone could read a private repository
 * through someone else's token. Admins are trusted with every repository.
 */
import { slipwayError } from '../core/errors.js';
import type { ProjectRecord } from '../store/projects.js';

export function createRepoAccess(projects: { forRepo(repoUrl: string): ProjectRecord[] }, git: { canReadAnonymously(repoUrl: string): Promise<boolean> }) {
  return {
    async check(caller: { id: string; isAdmin: boolean }, repoUrl: string): Promise<void> {
      if (caller.isAdmin) return;
      const withToken = projects.forRepo(repoUrl).filter((p) => p.accessTokenEnc !== null);
      if (withToken.length === 0) return; // nothing private is held for this repository
      if (withToken.some((p) => p.ownerId === caller.id)) return;
      if (await git.canReadAnonymously(repoUrl)) return;
      throw slipwayError(
        'SLIPWAY_GIT_ACCESS_DENIED',
        'This repository is private and this server reads it with another user\'s access token. Register it as your own project with your access token (POST /api/projects) to open it.',
        { status: 403 },
      );
    },
  };
}
