/**
 * `verifyAndParseWebhook`: raw request in, verified push (or "ignored") out.
 *
 * Order of work, so that nothing is acted on before the signature is checked:
 *  1. parse the body as JSON (400 if it is not a JSON object; a form body
 *     `payload=<json>`, which GitHub and Gitea can be configured to send, is
 *     accepted too);
 *  2. classify the event from its header (400 if the header is missing);
 *  3. read the repository URLs from the payload and normalize them to keys
 *     (400 for a push that names none; an event that names none, such as an
 *     organization-level ping, is ignored unverified: nothing is done for it);
 *  4. look up candidate secrets per key and check the credential against each
 *     in constant time (401; see `WebhookOptions.revealUnknownRepo` for a
 *     repository no project matches);
 *  5. only then read the push itself: branch updates become `pushes`; tags,
 *     other refs and deletions are ignored; missing fields are 400.
 */
import { slipwayError, type SlipwayError } from '../core/errors.js';
import { repoKey as keyOf } from '../git/index.js';
import { bitbucket } from './providers/bitbucket.js';
import { badPayload, header, isObject, type JsonObject, type ProviderAdapter } from './providers/common.js';
import { generic } from './providers/generic.js';
import { gitea } from './providers/gitea.js';
import { github } from './providers/github.js';
import { gitlab } from './providers/gitlab.js';
import { burnOneCheck, findMatchingSecret, type PresentedCredential } from './signatures.js';
import {
  WEBHOOK_PROVIDERS,
  isWebhookProvider,
  type WebhookIgnored,
  type WebhookInput,
  type WebhookOptions,
  type WebhookProvider,
  type WebhookResult,
} from './types.js';

const ADAPTERS: Record<WebhookProvider, ProviderAdapter> = { github, gitlab, gitea, bitbucket, generic };

export function verifyAndParseWebhook(input: WebhookInput, options: WebhookOptions = {}): WebhookResult {
  const { provider, headers, rawBody, secretsFor } = input;
  if (!isWebhookProvider(provider)) {
    throw slipwayError('SLIPWAY_WEBHOOK_UNKNOWN_PROVIDER', `Unknown webhook provider ${JSON.stringify(provider)}`, {
      detail: { provider, known: WEBHOOK_PROVIDERS },
    });
  }
  const adapter = ADAPTERS[provider];
  const payload = parseBody(rawBody, header(headers, 'content-type'));
  const deliveryId = adapter.deliveryId(headers);
  const ignored = (reason: string, verified: boolean): WebhookIgnored => ({
    kind: 'ignored',
    provider,
    deliveryId,
    reason,
    verified,
  });

  const event = adapter.classify(headers, payload);
  const repoUrls = unique(adapter.repoUrls(payload));
  if (repoUrls.length === 0) {
    if (!event.push) return ignored(`${event.reason} (names no repository)`, false);
    throw badPayload('The payload names no repository URL', { provider });
  }
  const repoKeys = unique(repoUrls.map(keyOf).filter((k): k is string => k !== null));
  if (repoKeys.length === 0) {
    throw badPayload('None of the repository URLs in the payload can be read', { repoUrls });
  }

  const credential = adapter.credential(headers);
  let known = false;
  let match: { repoKey: string; index: number } | null = null;
  for (const repoKey of repoKeys) {
    const secrets = secretsFor(repoKey);
    if (secrets.some((s) => typeof s === 'string' && s !== '')) known = true;
    const index = findMatchingSecret(credential, rawBody, secrets);
    if (index >= 0) {
      match = { repoKey, index };
      break;
    }
  }
  if (match === null) {
    if (known) throw badSignature(adapter, credential);
    const unknown = slipwayError(
      'SLIPWAY_WEBHOOK_UNKNOWN_REPO',
      `No project is registered for the repository ${repoKeys.join(' / ')}: add a project with this repository URL`,
      { detail: { repoKeys } },
    );
    if (options.revealUnknownRepo === true) throw unknown;
    burnOneCheck(rawBody);
    throw badSignature(adapter, credential, unknown);
  }

  if (!event.push) return ignored(event.reason, true);
  const parsed = adapter.parsePush(payload);
  if ('ignored' in parsed) return ignored(parsed.ignored, true);
  const first = parsed.pushes[0];
  if (first === undefined) return ignored('no branch update in this push', true);
  return {
    kind: 'push',
    provider,
    deliveryId,
    repoUrls,
    repoKey: match.repoKey,
    matchedSecretIndex: match.index,
    branch: first.branch,
    ref: first.ref,
    after: first.after,
    before: first.before,
    pushes: parsed.pushes,
  };
}

/**
 * The same answer whether the secret is wrong or no project matches (unless
 * `revealUnknownRepo`): the real reason, when it is "unknown repository",
 * travels in `cause`, which `SlipwayError.toJSON` does not serialize — log it,
 * never send it.
 */
function badSignature(adapter: ProviderAdapter, credential: PresentedCredential | null, cause?: SlipwayError): SlipwayError {
  const message =
    credential === null
      ? `The ${adapter.signatureHeader} header is missing: configure the webhook with the project's webhook secret`
      : `The ${adapter.signatureHeader} signature does not match the webhook secret of any project registered for this repository`;
  return slipwayError('SLIPWAY_WEBHOOK_BAD_SIGNATURE', message, {
    detail: { header: adapter.signatureHeader },
    cause,
  });
}

function parseBody(rawBody: Buffer, contentType: string | undefined): JsonObject {
  if (!(rawBody instanceof Uint8Array)) throw badPayload('The request body is missing');
  let text = Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength).toString('utf8');
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/x-www-form-urlencoded') {
    const field = new URLSearchParams(text).get('payload');
    if (field === null) throw badPayload('The form body has no "payload" field');
    text = field;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badPayload('The request body is not JSON');
  }
  if (!isObject(value)) throw badPayload('The request body is not a JSON object');
  return value;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
