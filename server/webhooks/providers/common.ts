/**
 * What every provider adapter provides, and the small parsing helpers they
 * share. Adapters never check signatures themselves: they only say where the
 * credential is; `verify.ts` does the checking, in one place.
 */
import { slipwayError, type SlipwayError } from '../../core/errors.js';
import type { PresentedCredential } from '../signatures.js';
import type { BranchPush, WebhookHeaders, WebhookProvider } from '../types.js';

export type JsonObject = Record<string, unknown>;

export type EventClass = { push: true } | { push: false; reason: string };

export type PushParse = { pushes: BranchPush[] } | { ignored: string };

export interface ProviderAdapter {
  provider: WebhookProvider;
  /** Human name of the signature header(s), for error messages. */
  signatureHeader: string;
  /** Push or not, from the event header (and payload). Throws 400 when the event header is missing. */
  classify(headers: WebhookHeaders, payload: JsonObject): EventClass;
  /** Every repository URL the payload names (may contain non-strings filtered later). */
  repoUrls(payload: JsonObject): string[];
  credential(headers: WebhookHeaders): PresentedCredential | null;
  deliveryId(headers: WebhookHeaders): string | null;
  /** Only called after the signature matched. Throws 400 on missing fields. */
  parsePush(payload: JsonObject): PushParse;
}

export function badPayload(message: string, detail?: unknown): SlipwayError {
  return slipwayError('SLIPWAY_WEBHOOK_BAD_PAYLOAD', message, { detail });
}

/** First value of a header; names are matched case-insensitively as a fallback. */
export function header(headers: WebhookHeaders, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    const wanted = name.toLowerCase();
    for (const [key, v] of Object.entries(headers)) {
      if (key.toLowerCase() === wanted) {
        value = v;
        break;
      }
    }
  }
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first !== 'string') return undefined;
  const trimmed = first.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** First present header among `names`. */
export function firstHeader(headers: WebhookHeaders, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = header(headers, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(obj: JsonObject, key: string): JsonObject | undefined {
  const value = obj[key];
  return isObject(value) ? value : undefined;
}

export function stringAt(obj: JsonObject | undefined, key: string): string | undefined {
  const value = obj?.[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The string values of `keys` in `obj`, in that order, skipping absent ones. */
export function stringsAt(obj: JsonObject | undefined, keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const key of keys) {
    const value = stringAt(obj, key);
    if (value !== undefined) out.push(value);
  }
  return out;
}

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const ZERO_SHA = /^0+$/;

export function isZeroSha(value: string): boolean {
  return ZERO_SHA.test(value);
}

/** A full commit id (SHA-1 or SHA-256 repository), lower-cased; 400 otherwise. */
export function requireSha(value: unknown, field: string): string {
  if (typeof value !== 'string' || !SHA.test(value.trim())) {
    throw badPayload(`${field} must be a full commit sha (40 or 64 hex digits)`, { field });
  }
  return value.trim().toLowerCase();
}

/** `before`: null when absent, malformed, or all zeros (branch created). */
export function optionalSha(value: unknown): string | null {
  if (typeof value !== 'string' || !SHA.test(value.trim()) || isZeroSha(value.trim())) return null;
  return value.trim().toLowerCase();
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw badPayload(`${field} is missing`, { field });
  }
  return value.trim();
}

const HEADS = 'refs/heads/';

/**
 * The shared rule for `{ref, before, after, deleted?}` payloads (GitHub,
 * Gitea/Forgejo, GitLab, generic): only branch updates are pushes; tags,
 * other refs and deletions are ignored.
 */
export function parseRefUpdate(
  fields: { ref: unknown; after: unknown; before: unknown; deleted?: unknown },
  names: { ref: string; after: string } = { ref: 'ref', after: 'after' },
): PushParse {
  const ref = requireString(fields.ref, names.ref);
  if (ref.startsWith('refs/tags/')) return { ignored: `tag push (${ref})` };
  if (!ref.startsWith(HEADS) || ref.length === HEADS.length) {
    return { ignored: `ref ${ref} is not a branch` };
  }
  const branch = ref.slice(HEADS.length);
  if (fields.deleted === true) return { ignored: `branch deletion (${branch})` };
  if (typeof fields.after === 'string' && isZeroSha(fields.after.trim())) {
    return { ignored: `branch deletion (${branch})` };
  }
  const after = requireSha(fields.after, names.after);
  return { pushes: [{ branch, ref, after, before: optionalSha(fields.before) }] };
}
