/**
 * GitHub (github.com and GitHub Enterprise Server).
 *
 * Headers: `X-GitHub-Event` (push, ping, ...), `X-GitHub-Delivery` (a GUID,
 * the same on a redelivery), `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of
 * the raw body>`. The older SHA-1 `X-Hub-Signature` is not accepted.
 * Payload: `ref`, `before`, `after`, `deleted`, `created`,
 * `repository.{clone_url, html_url, ssh_url, git_url, full_name}`.
 */
import { parseHexSignature } from '../signatures.js';
import { badPayload, header, objectAt, parseRefUpdate, stringsAt, type JsonObject, type ProviderAdapter } from './common.js';

export const GITHUB_REPO_URL_FIELDS = ['clone_url', 'html_url', 'ssh_url', 'git_url'] as const;

/** `{ref, before, after, deleted}` as GitHub, Gitea and Forgejo send it. */
export function parseGithubStylePush(payload: JsonObject) {
  return parseRefUpdate({
    ref: payload['ref'],
    after: payload['after'],
    before: payload['before'],
    deleted: payload['deleted'],
  });
}

export const github: ProviderAdapter = {
  provider: 'github',
  signatureHeader: 'X-Hub-Signature-256',

  classify(headers) {
    const event = header(headers, 'x-github-event');
    if (event === undefined) {
      throw badPayload('The X-GitHub-Event header is missing', { header: 'x-github-event' });
    }
    if (event === 'push') return { push: true };
    return { push: false, reason: event === 'ping' ? 'ping' : `event "${event}" is not a push` };
  },

  repoUrls(payload) {
    return stringsAt(objectAt(payload, 'repository'), GITHUB_REPO_URL_FIELDS);
  },

  credential(headers) {
    const value = header(headers, 'x-hub-signature-256');
    if (value === undefined) return null;
    return { kind: 'hmac-sha256', header: 'x-hub-signature-256', digest: parseHexSignature(value, 'sha256=') };
  },

  deliveryId(headers) {
    return header(headers, 'x-github-delivery') ?? null;
  },

  parsePush: parseGithubStylePush,
};
