import { describe, expect, it } from 'vitest';
import { createDeliveryLog, hmacSha256Hex, signBody, verifyAndParseWebhook, type WebhookHeaders } from '../../../server/webhooks/index.js';
import { edited, expectSlipwayError, fixture, registry, ZERO_SHA } from './helpers.js';

const SECRET = 'forgejo-hook-secret-c1d2';
const KEY = 'git.example.net/ops/infra-tools';
const DELIVERY = '9d1f0b2a-7c3e-4e5f-a6b7-c8d9e0f1a2b3';

function verify(rawBody: Buffer, headers: WebhookHeaders) {
  return verifyAndParseWebhook({ provider: 'gitea', headers, rawBody, secretsFor: registry({ [KEY]: [SECRET] }).secretsFor });
}

function giteaHeaders(rawBody: Buffer, secret = SECRET, event = 'push'): WebhookHeaders {
  return signBody('gitea', secret, rawBody, { event, deliveryId: DELIVERY });
}

/** What Forgejo sends: its own headers plus the Gitea ones. */
function forgejoHeaders(rawBody: Buffer, secret = SECRET): WebhookHeaders {
  const hex = hmacSha256Hex(secret, rawBody);
  return {
    'content-type': 'application/json',
    'x-forgejo-event': 'push',
    'x-forgejo-event-type': 'push',
    'x-forgejo-delivery': DELIVERY,
    'x-forgejo-signature': hex,
    'x-gitea-event': 'push',
    'x-gitea-delivery': DELIVERY,
    'x-gitea-signature': hex,
  };
}

describe('Gitea / Forgejo webhooks', () => {
  const body = fixture('gitea-push.json');
  const expected = {
    kind: 'push',
    provider: 'gitea',
    deliveryId: DELIVERY,
    repoKey: KEY,
    branch: 'develop',
    ref: 'refs/heads/develop',
    after: 'ee104ebac490489c0d1a8666904106c69d2f117b',
    before: 'd4f1c60d122d93111739b9abe34661733b878ec3',
  };

  it('accepts a Gitea push (X-Gitea-Signature, bare hex)', () => {
    const result = verify(body, giteaHeaders(body));
    expect(result).toMatchObject(expected);
    expect(result.kind === 'push' && result.repoUrls).toEqual([
      'https://git.example.net/ops/infra-tools.git',
      'https://git.example.net/ops/infra-tools',
      'ssh://forgejo@git.example.net:2222/ops/infra-tools.git',
    ]);
  });

  it('accepts a Forgejo push (X-Forgejo-* headers)', () => {
    expect(verify(body, forgejoHeaders(body))).toMatchObject(expected);
    const only = forgejoHeaders(body);
    for (const name of Object.keys(only)) if (name.startsWith('x-gitea-')) delete only[name];
    expect(verify(body, only)).toMatchObject(expected);
  });

  it('accepts GitHub-style X-Hub-Signature-256 when no Gitea signature header is sent', () => {
    const headers = giteaHeaders(body);
    delete headers['x-gitea-signature'];
    headers['x-hub-signature-256'] = `sha256=${hmacSha256Hex(SECRET, body)}`;
    expect(verify(body, headers)).toMatchObject(expected);
  });

  it('rejects a wrong secret with 401', () => {
    expectSlipwayError(() => verify(body, giteaHeaders(body, 'wrong')), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
    expectSlipwayError(() => verify(body, forgejoHeaders(body, 'wrong')), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });

  it('rejects a request with no signature with 401', () => {
    const headers = giteaHeaders(body);
    delete headers['x-gitea-signature'];
    expectSlipwayError(() => verify(body, headers), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });

  it('rejects a sha256= prefix in X-Gitea-Signature (Gitea sends bare hex)', () => {
    const headers = giteaHeaders(body);
    headers['x-gitea-signature'] = `sha256=${headers['x-gitea-signature'] as string}`;
    expectSlipwayError(() => verify(body, headers), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });

  it('rejects a tampered body', () => {
    const headers = giteaHeaders(body);
    const tampered = Buffer.from(body.toString('utf8').replace('"refs/heads/develop"', '"refs/heads/main"'));
    expectSlipwayError(() => verify(tampered, headers), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });

  it('ignores unrelated events (create, delete, issues)', () => {
    for (const event of ['create', 'delete', 'issues']) {
      expect(verify(body, giteaHeaders(body, SECRET, event))).toMatchObject({ kind: 'ignored', reason: `event "${event}" is not a push` });
    }
  });

  it('ignores a tag push', () => {
    const tag = edited('gitea-push.json', (p) => {
      p.ref = 'refs/tags/v0.3.1';
      p.before = ZERO_SHA;
      p.commits = [];
    });
    expect(verify(tag, giteaHeaders(tag))).toMatchObject({ kind: 'ignored', reason: 'tag push (refs/tags/v0.3.1)' });
  });

  it('ignores a branch deletion', () => {
    const deletion = edited('gitea-push.json', (p) => {
      p.before = p.after;
      p.after = ZERO_SHA;
      p.commits = [];
      p.head_commit = null;
    });
    expect(verify(deletion, giteaHeaders(deletion))).toMatchObject({ kind: 'ignored', reason: 'branch deletion (develop)' });
  });

  it('answers 400 for a body that is not JSON and for a missing event header', () => {
    const junk = Buffer.from('ref=refs/heads/develop');
    expectSlipwayError(() => verify(junk, giteaHeaders(junk)), 400, 'SLIPWAY_WEBHOOK_BAD_PAYLOAD');
    const headers = giteaHeaders(body);
    delete headers['x-gitea-event'];
    expectSlipwayError(() => verify(body, headers), 400, 'SLIPWAY_WEBHOOK_BAD_PAYLOAD');
  });

  it('detects a replayed delivery', () => {
    const log = createDeliveryLog();
    expect(log.seen('gitea', verify(body, forgejoHeaders(body)).deliveryId)).toBe(false);
    expect(log.seen('gitea', verify(body, forgejoHeaders(body)).deliveryId)).toBe(true);
  });
});
