/**
 * Slipway's own webhook, for any Git server or CI that can run curl.
 *
 * Body (JSON): `{"repoUrl": "...", "ref": "refs/heads/main" | "main",
 * "after": "<full sha>", "before"?: "<sha>", "deleted"?: true}`.
 * Headers: `X-Slipway-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`
 * (required), `X-Slipway-Delivery` (optional, any unique string, for replay
 * detection), `X-Slipway-Event` (optional: `push`, the default, or `ping`,
 * which only checks the signature).
 */
import { parseHexSignature } from '../signatures.js';
import { header, parseRefUpdate, stringAt, type ProviderAdapter } from './common.js';

export const generic: ProviderAdapter = {
  provider: 'generic',
  signatureHeader: 'X-Slipway-Signature-256',

  classify(headers) {
    const event = header(headers, 'x-slipway-event') ?? 'push';
    if (event === 'push') return { push: true };
    return { push: false, reason: event === 'ping' ? 'ping' : `event "${event}" is not a push` };
  },

  repoUrls(payload) {
    const url = stringAt(payload, 'repoUrl');
    return url === undefined ? [] : [url];
  },

  credential(headers) {
    const value = header(headers, 'x-slipway-signature-256');
    if (value === undefined) return null;
    return { kind: 'hmac-sha256', header: 'x-slipway-signature-256', digest: parseHexSignature(value, 'sha256=') };
  },

  deliveryId(headers) {
    return header(headers, 'x-slipway-delivery') ?? null;
  },

  parsePush(payload) {
    const raw = payload['ref'];
    const ref = typeof raw === 'string' && raw.trim() !== '' && !raw.trim().startsWith('refs/') ? `refs/heads/${raw.trim()}` : raw;
    return parseRefUpdate({ ref, after: payload['after'], before: payload['before'], deleted: payload['deleted'] });
  },
};
