/**
 * Repository keys for webhooks: a payload's URLs (https clone URL, web URL,
 * ssh `git@host:owner/repo`) are matched to a project by the key git/ gives
 * (`repoKey` in git/identity.ts, the one place that reads repository URLs).
 * This file only adds the webhook's own error for a payload URL that names
 * no repository.
 */
import { slipwayError } from '../core/errors.js';
import { repoKey } from '../git/index.js';

/** The key of a repository URL, or null when `url` is not a repository URL. */
export function tryNormalizeRepoKey(url: string): string | null {
  return repoKey(url);
}

/** Like `tryNormalizeRepoKey`, but throws a 400 SlipwayError for a non-URL. */
export function normalizeRepoKey(url: string): string {
  const key = repoKey(url);
  if (key === null) {
    throw slipwayError('SLIPWAY_WEBHOOK_BAD_REPO_URL', `Not a repository URL: ${JSON.stringify(url)}`, {
      detail: { url },
    });
  }
  return key;
}
