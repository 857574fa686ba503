/**
 * Signature checks (constant-time) and, for tests and senders, signing.
 *
 * Two kinds of credential exist among the forges:
 * - an HMAC-SHA256 of the raw body keyed with the secret (GitHub, Gitea,
 *   Forgejo, Bitbucket Cloud, Slipway's generic webhook);
 * - the secret itself sent as a plain token (GitLab's `X-Gitlab-Token`).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { WebhookProvider } from './types.js';

export type PresentedCredential =
  /** `digest` is null when the header is there but malformed: it then matches nothing. */
  { kind: 'hmac-sha256'; header: string; digest: Buffer | null } | { kind: 'token'; header: string; token: string };

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

export function hmacSha256(secret: string, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

export function hmacSha256Hex(secret: string, body: Buffer | string): string {
  return hmacSha256(secret, body).toString('hex');
}

/**
 * Reads `<prefix><64 hex>` (prefix `sha256=` or empty). A wrong prefix or a
 * wrong length gives null (never a throw, never a short buffer).
 */
export function parseHexSignature(value: string, prefix: string): Buffer | null {
  const trimmed = value.trim();
  if (prefix !== '' && trimmed.slice(0, prefix.length).toLowerCase() !== prefix) return null;
  const hex = trimmed.slice(prefix.length);
  return HEX_SHA256.test(hex) ? Buffer.from(hex, 'hex') : null;
}

/**
 * Constant-time string equality whatever the lengths: both sides are hashed
 * first, so `timingSafeEqual` always compares 32 bytes and the time spent
 * does not depend on where (or whether) the strings differ.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Index of the first secret that the credential proves, or -1. Every
 * candidate is checked (no early exit); empty secrets never match, since
 * anyone can compute an HMAC keyed with "".
 */
export function findMatchingSecret(credential: PresentedCredential | null, rawBody: Buffer, secrets: readonly string[]): number {
  let found = -1;
  for (let i = 0; i < secrets.length; i++) {
    const secret = secrets[i];
    if (typeof secret !== 'string' || secret === '') continue;
    let ok = false;
    if (credential === null) {
      // Burn the same work as a real check so that "missing" is not faster.
      hmacSha256(secret, rawBody);
    } else if (credential.kind === 'hmac-sha256') {
      const expected = hmacSha256(secret, rawBody);
      ok = credential.digest !== null && timingSafeEqual(expected, credential.digest);
    } else {
      ok = constantTimeEqual(credential.token, secret);
    }
    if (ok && found < 0) found = i;
  }
  return found;
}

/** Work equal to checking one secret, for requests whose repository has none. */
export function burnOneCheck(rawBody: Buffer): void {
  hmacSha256(randomBytes(32).toString('hex'), rawBody);
}

export interface SignOptions {
  /** Event header value; defaults to the provider's push event (generic: no header, which means push). */
  event?: string;
  /** Delivery id header value; omitted when not given. */
  deliveryId?: string;
}

/**
 * The headers (lower-cased names) that a sender sets for `body`, as the
 * provider would send them: content type, event, delivery id and signature.
 * Sign the exact bytes you send.
 */
export function signBody(provider: WebhookProvider, secret: string, body: Buffer | string, options: SignOptions = {}): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const hex = hmacSha256Hex(secret, body);
  const id = options.deliveryId;
  switch (provider) {
    case 'github':
      headers['x-github-event'] = options.event ?? 'push';
      if (id !== undefined) headers['x-github-delivery'] = id;
      headers['x-hub-signature-256'] = `sha256=${hex}`;
      break;
    case 'gitlab':
      headers['x-gitlab-event'] = options.event ?? 'Push Hook';
      if (id !== undefined) headers['x-gitlab-event-uuid'] = id;
      headers['x-gitlab-token'] = secret;
      break;
    case 'gitea':
      headers['x-gitea-event'] = options.event ?? 'push';
      if (id !== undefined) headers['x-gitea-delivery'] = id;
      headers['x-gitea-signature'] = hex;
      break;
    case 'bitbucket':
      headers['x-event-key'] = options.event ?? 'repo:push';
      if (id !== undefined) headers['x-request-uuid'] = id;
      headers['x-hub-signature'] = `sha256=${hex}`;
      break;
    case 'generic':
      if (options.event !== undefined) headers['x-slipway-event'] = options.event;
      if (id !== undefined) headers['x-slipway-delivery'] = id;
      headers['x-slipway-signature-256'] = `sha256=${hex}`;
      break;
  }
  return headers;
}
