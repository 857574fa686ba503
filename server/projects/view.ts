/**
 * The API form of a project (DESIGN §7), shared with the web UI. Secrets
 * never appear here except `webhookSecret` on the create answer and for the
 * project's owner (they paste it into their forge).
 */
import type { ProjectRecord } from '../store/projects.js';

export interface ApiProject {
  id: string;
  owner: string;
  name: string;
  repoUrl: string;
  /** null: the repository's default branch only. */
  prebuildBranches: string[] | null;
  pollIntervalSeconds: number;
  /** `<publicUrl>/api/webhooks/<provider>`, provider guessed from the host (generic when unknown). */
  webhookUrl: string;
  /** Every provider's endpoint, for forges the guess got wrong. */
  webhookUrls: Record<'github' | 'gitlab' | 'gitea' | 'bitbucket' | 'generic', string>;
  /** Only for the project's owner. */
  webhookSecret?: string;
  hasAccessToken: boolean;
  lastPolledAt: string | null;
  pollError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ApiProjectInput {
  repoUrl: string;
  name?: string;
  prebuildBranches?: string[] | null;
  pollIntervalSeconds?: number;
  accessToken?: string | null;
}

/** From the repository's host as git/ reads it (`repoIdentity(url).host`: lower case, any URL form, ssh `git@host:` too). */
function guessProvider(host: string): ApiProject['webhookUrls'] extends Record<infer K, string> ? K : never {
  if (host === 'github.com' || host.includes('github')) return 'github';
  if (host.includes('gitlab')) return 'gitlab';
  if (host.includes('gitea') || host.includes('forgejo') || host === 'codeberg.org') return 'gitea';
  if (host === 'bitbucket.org') return 'bitbucket';
  return 'generic';
}

/** `repoHost`: the service asks git/ (this file is shared with web/, which cannot import git/). */
export function toApiProject(record: ProjectRecord, publicUrl: string, secret: string | null, repoHost: string | null): ApiProject {
  const base = `${publicUrl}/api/webhooks`;
  const webhookUrls = {
    github: `${base}/github`,
    gitlab: `${base}/gitlab`,
    gitea: `${base}/gitea`,
    bitbucket: `${base}/bitbucket`,
    generic: `${base}/generic`,
  };
  return {
    id: record.id,
    owner: record.ownerId,
    name: record.name,
    repoUrl: record.repoUrl,
    prebuildBranches: record.prebuildBranches,
    pollIntervalSeconds: record.pollIntervalSeconds,
    webhookUrl: webhookUrls[guessProvider(repoHost ?? '')],
    webhookUrls,
    ...(secret !== null ? { webhookSecret: secret } : {}),
    hasAccessToken: record.accessTokenEnc !== null,
    lastPolledAt: record.lastPolledAt,
    pollError: record.pollError,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
