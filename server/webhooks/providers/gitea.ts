/**
 * Gitea and Forgejo (and Gogs, which they descend from).
 *
 * Headers: `X-Forgejo-Event` / `X-Gitea-Event` / `X-Gogs-Event` (push, create,
 * delete, ...); `X-Forgejo-Delivery` / `X-Gitea-Delivery` / `X-Gogs-Delivery`;
 * `X-Forgejo-Signature` / `X-Gitea-Signature` / `X-Gogs-Signature` = bare hex
 * HMAC-SHA256 of the raw body (no `sha256=` prefix). Recent versions also send
 * GitHub's `X-Hub-Signature-256: sha256=<hex>`, accepted as a fallback. The
 * first signature header present, in that order, is the one checked.
 * Payload: GitHub's shape (`ref`, `before`, `after`,
 * `repository.{clone_url, html_url, ssh_url}`).
 */
import { parseHexSignature } from '../signatures.js';
import type { WebhookHeaders } from '../types.js';
import { parseGithubStylePush } from './github.js';
import { badPayload, firstHeader, header, objectAt, stringsAt, type ProviderAdapter } from './common.js';

const EVENT_HEADERS = ['x-forgejo-event', 'x-gitea-event', 'x-gogs-event', 'x-github-event'] as const;
const DELIVERY_HEADERS = ['x-forgejo-delivery', 'x-gitea-delivery', 'x-gogs-delivery', 'x-github-delivery'] as const;
const SIGNATURE_HEADERS: readonly (readonly [name: string, prefix: string])[] = [
  ['x-forgejo-signature', ''],
  ['x-gitea-signature', ''],
  ['x-gogs-signature', ''],
  ['x-hub-signature-256', 'sha256='],
];

function signature(headers: WebhookHeaders) {
  for (const [name, prefix] of SIGNATURE_HEADERS) {
    const value = header(headers, name);
    if (value !== undefined) {
      return { kind: 'hmac-sha256' as const, header: name, digest: parseHexSignature(value, prefix) };
    }
  }
  return null;
}

export const gitea: ProviderAdapter = {
  provider: 'gitea',
  signatureHeader: 'X-Gitea-Signature (or X-Forgejo-Signature)',

  classify(headers) {
    const event = firstHeader(headers, EVENT_HEADERS);
    if (event === undefined) {
      throw badPayload('The X-Gitea-Event (or X-Forgejo-Event) header is missing', { header: 'x-gitea-event' });
    }
    if (event === 'push') return { push: true };
    return { push: false, reason: `event "${event}" is not a push` };
  },

  repoUrls(payload) {
    return stringsAt(objectAt(payload, 'repository'), ['clone_url', 'html_url', 'ssh_url']);
  },

  credential: signature,

  deliveryId(headers) {
    return firstHeader(headers, DELIVERY_HEADERS) ?? null;
  },

  parsePush: parseGithubStylePush,
};
