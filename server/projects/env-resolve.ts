/**
 * Which environment variables a new workspace or a prebuild gets (issue 16,
 * item 6), decrypted for the moment they are handed to the container:
 *
 * - a workspace: the non-hidden variables of its owner's own project of the
 *   repository (never another user's project: projects are per user here, and
 *   another owner's secrets are not this user's to read), then the owner's
 *   variables whose repository pattern matches the repository's `owner/repo`
 *   (git's `repoOwnerAndRepo`), the most specific pattern first. A user's
 *   variable wins over a project's of the same name, as in Gitpod.
 * - a prebuild: every variable of its project, hidden ones too; never a
 *   user's (a snapshot is shared by everyone who opens the repository).
 */
import { repoOwnerAndRepo } from '../git/index.js';
import type { EnvStore } from '../store/env-vars.js';
import type { ProjectRecord } from '../store/projects.js';
import type { SecretBox } from './crypto.js';
import { patternSpecificity, repositoryPatternMatches } from './env-rules.js';

export function createEnvResolver(deps: { store: EnvStore; box: SecretBox; projectsFor(repoUrl: string): ProjectRecord[] }) {
  const { store, box } = deps;
  return {
    forWorkspace(ownerId: string, repoUrl: string): Record<string, string> {
      const env: Record<string, string> = {};
      // The newest of the owner's projects of this repository, if several.
      const project = deps
        .projectsFor(repoUrl)
        .filter((p) => p.ownerId === ownerId)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      if (project) for (const v of store.projectList(project.id)) if (!v.hidden) env[v.name] = box.decrypt(v.valueEnc);
      const repo = repoOwnerAndRepo(repoUrl);
      if (repo) {
        const matching = store
          .userList(ownerId)
          .filter((v) => repositoryPatternMatches(v.repositoryPattern, repo))
          // Least specific first: a more specific pattern's value overwrites it.
          .sort((a, b) => patternSpecificity(a.repositoryPattern) - patternSpecificity(b.repositoryPattern));
        for (const v of matching) env[v.name] = box.decrypt(v.valueEnc);
      }
      return env;
    },
    forPrebuild(projectId: string): Record<string, string> {
      return Object.fromEntries(store.projectList(projectId).map((v) => [v.name, box.decrypt(v.valueEnc)]));
    },
  };
}

export type EnvResolver = ReturnType<typeof createEnvResolver>;
