/**
 * Bitbucket Cloud (bitbucket.org).
 *
 * Headers: `X-Event-Key` (`repo:push`, ...); `X-Request-UUID` (one per
 * delivery: the delivery id); `X-Hook-UUID` names the webhook itself, the same
 * for every delivery, so it is NOT used as a delivery id; `X-Hub-Signature:
 * sha256=<hex HMAC-SHA256 of the raw body>` (sent only when the webhook has a
 * secret: Slipway requires one). Bitbucket's `X-Hub-Signature` is SHA-256,
 * unlike GitHub's header of the same name.
 *
 * Payload: `repository.{full_name, links.html.href}` (no clone URL is given)
 * and `push.changes[]`, one per ref the `git push` touched, each with
 * `new`/`old` = `{type: "branch"|"tag", name, target: {hash, date}}`; `new` is
 * null for a deletion, `old` null for a creation. Every branch change becomes
 * one entry of `pushes`, newest first when every change carries a date
 * (otherwise in payload order).
 *
 * Bitbucket Data Center / Server (`repo:refs_changed`) has another payload
 * and is not handled here: it would be ignored as "not a push".
 */
import { parseHexSignature } from '../signatures.js';
import type { BranchPush } from '../types.js';
import {
  badPayload,
  header,
  isObject,
  objectAt,
  optionalSha,
  requireSha,
  requireString,
  stringAt,
  type JsonObject,
  type ProviderAdapter,
  type PushParse,
} from './common.js';

const BRANCH_TYPES = new Set(['branch', 'named_branch']);

function htmlHref(repository: JsonObject | undefined): string | undefined {
  const links = repository === undefined ? undefined : objectAt(repository, 'links');
  return stringAt(links === undefined ? undefined : objectAt(links, 'html'), 'href');
}

function parseChanges(payload: JsonObject): PushParse {
  const push = objectAt(payload, 'push');
  const changes = push?.['changes'];
  if (!Array.isArray(changes)) throw badPayload('push.changes is missing', { field: 'push.changes' });

  const dated: { push: BranchPush; date: number }[] = [];
  let tags = 0;
  let deletions = 0;
  changes.forEach((change: unknown, i) => {
    const field = `push.changes[${i}]`;
    if (!isObject(change)) throw badPayload(`${field} is not an object`, { field });
    const next = change['new'];
    if (next === null || next === undefined) {
      deletions++;
      return;
    }
    if (!isObject(next)) throw badPayload(`${field}.new is not an object`, { field: `${field}.new` });
    const type = stringAt(next, 'type');
    if (type === undefined || !BRANCH_TYPES.has(type)) {
      tags++;
      return;
    }
    const branch = requireString(next['name'], `${field}.new.name`);
    const target = objectAt(next, 'target');
    const after = requireSha(target?.['hash'], `${field}.new.target.hash`);
    const old = change['old'];
    const oldTarget = isObject(old) ? objectAt(old, 'target') : undefined;
    const dateText = stringAt(target, 'date');
    dated.push({
      push: { branch, ref: `refs/heads/${branch}`, after, before: optionalSha(oldTarget?.['hash']) },
      date: dateText === undefined ? Number.NaN : Date.parse(dateText),
    });
  });

  if (dated.length === 0) {
    return { ignored: `no branch update in this push (${tags} tag change(s), ${deletions} deletion(s))` };
  }
  if (dated.every((d) => !Number.isNaN(d.date))) {
    dated.sort((a, b) => b.date - a.date); // stable: equal dates keep payload order
  }
  return { pushes: dated.map((d) => d.push) };
}

export const bitbucket: ProviderAdapter = {
  provider: 'bitbucket',
  signatureHeader: 'X-Hub-Signature',

  classify(headers) {
    const event = header(headers, 'x-event-key');
    if (event === undefined) {
      throw badPayload('The X-Event-Key header is missing', { header: 'x-event-key' });
    }
    if (event === 'repo:push') return { push: true };
    return { push: false, reason: event === 'diagnostics:ping' ? 'ping' : `event "${event}" is not a push` };
  },

  repoUrls(payload) {
    const repository = objectAt(payload, 'repository');
    const href = htmlHref(repository);
    if (href !== undefined) return [href];
    const fullName = stringAt(repository, 'full_name');
    return fullName === undefined ? [] : [`https://bitbucket.org/${fullName}`];
  },

  credential(headers) {
    const value = header(headers, 'x-hub-signature');
    if (value === undefined) return null;
    return { kind: 'hmac-sha256', header: 'x-hub-signature', digest: parseHexSignature(value, 'sha256=') };
  },

  deliveryId(headers) {
    return header(headers, 'x-request-uuid') ?? null;
  },

  parsePush: parseChanges,
};
