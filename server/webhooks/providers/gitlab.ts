/**
 * GitLab (gitlab.com and self-managed).
 *
 * Headers: `X-Gitlab-Event` (`Push Hook`, `Tag Push Hook`, `System Hook`, ...);
 * `X-Gitlab-Token: <secret>` — the secret itself, not an HMAC, compared in
 * constant time (so the body is NOT integrity-protected: use HTTPS);
 * `Idempotency-Key` (same across retries, GitLab 17.4+) or else
 * `X-Gitlab-Event-UUID` as the delivery id.
 * Payload: `object_kind: "push"`, `ref`, `before`, `after` (all zeros when the
 * branch is deleted), `project.{git_http_url, git_ssh_url, web_url}` and the
 * older `repository.{git_http_url, git_ssh_url, homepage, url}`.
 * A system hook's push has the same payload with `X-Gitlab-Event: System Hook`.
 */
import {
  badPayload,
  firstHeader,
  header,
  objectAt,
  parseRefUpdate,
  stringAt,
  stringsAt,
  type EventClass,
  type JsonObject,
  type ProviderAdapter,
} from './common.js';

function classifyKind(kind: string | undefined, source: string): EventClass {
  if (kind === 'push') return { push: true };
  if (kind === 'tag_push') return { push: false, reason: 'tag push' };
  return { push: false, reason: `${source} "${kind ?? 'unknown'}" is not a push` };
}

export const gitlab: ProviderAdapter = {
  provider: 'gitlab',
  signatureHeader: 'X-Gitlab-Token',

  classify(headers, payload: JsonObject) {
    const event = header(headers, 'x-gitlab-event');
    if (event === undefined) {
      throw badPayload('The X-Gitlab-Event header is missing', { header: 'x-gitlab-event' });
    }
    const kind = stringAt(payload, 'object_kind') ?? stringAt(payload, 'event_name');
    switch (event) {
      case 'Push Hook':
        return kind === undefined ? { push: true } : classifyKind(kind, 'object_kind');
      case 'Tag Push Hook':
        return { push: false, reason: 'tag push' };
      case 'System Hook':
        return classifyKind(kind, 'system hook event');
      default:
        return { push: false, reason: `event "${event}" is not a push` };
    }
  },

  repoUrls(payload) {
    return [
      ...stringsAt(objectAt(payload, 'project'), ['git_http_url', 'git_ssh_url', 'web_url', 'http_url', 'ssh_url']),
      ...stringsAt(objectAt(payload, 'repository'), ['git_http_url', 'git_ssh_url', 'homepage', 'url']),
    ];
  },

  credential(headers) {
    const token = header(headers, 'x-gitlab-token');
    return token === undefined ? null : { kind: 'token', header: 'x-gitlab-token', token };
  },

  deliveryId(headers) {
    return firstHeader(headers, ['idempotency-key', 'x-gitlab-event-uuid']) ?? null;
  },

  parsePush(payload) {
    return parseRefUpdate({ ref: payload['ref'], after: payload['after'], before: payload['before'] });
  },
};
