import { describe, expect, it } from 'vitest';
import { createDeliveryLog, signBody, verifyAndParseWebhook, type WebhookHeaders } from '../../../server/webhooks/index.js';
import { edited, expectSlipwayError, fixture, registry } from './helpers.js';

const SECRET = 'bb-webhook-secret-77aa';
const KEY = 'bitbucket.org/acme-team/billing-api';
const HOOK_UUID = '{e1d5a24f-5f5b-4391-bba0-cab1fc87726c}';

function verify(rawBody: Buffer, headers: WebhookHeaders) {
  return verifyAndParseWebhook({ provider: 'bitbucket', headers, rawBody, secretsFor: registry({ [KEY]: [SECRET] }).secretsFor });
}

/** Bitbucket's headers: X-Hook-UUID is the webhook's (constant), X-Request-UUID the delivery's. */
function signed(rawBody: Buffer, secret = SECRET, requestUuid = '5c0e6d7f-1a2b-4c3d-8e9f-0a1b2c3d4e5f', event = 'repo:push'): WebhookHeaders {
  return {
    ...signBody('bitbucket', secret, rawBody, { event, deliveryId: requestUuid }),
    'x-hook-uuid': HOOK_UUID,
    'x-attempt-number': '1',
    'user-agent': 'Bitbucket-Webhooks/2.0',
  };
}

describe('Bitbucket Cloud webhooks', () => {
  const body = fixture('bitbucket-push.json');

  it('accepts a push signed with the project secret', () => {
    const result = verify(body, signed(body));
    expect(result).toMatchObject({
      kind: 'push',
      provider: 'bitbucket',
      deliveryId: '5c0e6d7f-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
      repoUrls: ['https://bitbucket.org/acme-team/billing-api'],
      repoKey: KEY,
      branch: 'main',
      ref: 'refs/heads/main',
      after: '7a1b2c3d4e5f60718293a4b5c6d7e8f901234567',
      before: '3f0c8e1d2b4a69587c1e0d9f8a7b6c5d4e3f2a10',
    });
    expect(result.kind === 'push' && result.pushes).toHaveLength(1);
  });

  it('returns every branch change of a multi-ref push, newest first, skipping tags and deletions', () => {
    const multi = fixture('bitbucket-push-multi.json');
    const result = verify(multi, signed(multi));
    expect(result.kind).toBe('push');
    if (result.kind !== 'push') return;
    expect(result.pushes).toEqual([
      { branch: 'feature/refunds', ref: 'refs/heads/feature/refunds', after: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee01', before: null },
      {
        branch: 'main',
        ref: 'refs/heads/main',
        after: '7a1b2c3d4e5f60718293a4b5c6d7e8f901234567',
        before: '3f0c8e1d2b4a69587c1e0d9f8a7b6c5d4e3f2a10',
      },
    ]);
    // the flat fields are pushes[0]
    expect({ branch: result.branch, ref: result.ref, after: result.after, before: result.before }).toEqual(result.pushes[0]);
  });

  it('keeps payload order when the changes carry no dates', () => {
    const undated = edited('bitbucket-push-multi.json', (p) => {
      for (const change of p.push.changes) if (change.new) delete change.new.target.date;
    });
    const result = verify(undated, signed(undated));
    expect(result.kind === 'push' && result.pushes.map((p) => p.branch)).toEqual(['main', 'feature/refunds']);
  });

  it('ignores a push that only creates a tag and deletes a branch', () => {
    const noBranch = edited('bitbucket-push-multi.json', (p) => {
      p.push.changes = p.push.changes.slice(2);
    });
    expect(verify(noBranch, signed(noBranch))).toMatchObject({
      kind: 'ignored',
      reason: 'no branch update in this push (1 tag change(s), 1 deletion(s))',
      verified: true,
    });
  });

  it('ignores a branch deletion', () => {
    const deletion = edited('bitbucket-push.json', (p) => {
      p.push.changes[0].new = null;
      p.push.changes[0].closed = true;
    });
    expect(verify(deletion, signed(deletion))).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('1 deletion(s)') });
  });

  it('ignores a tag push', () => {
    const tag = edited('bitbucket-push.json', (p) => {
      p.push.changes[0].old = null;
      p.push.changes[0].new.type = 'tag';
      p.push.changes[0].new.name = 'v2.0.0';
    });
    expect(verify(tag, signed(tag))).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('1 tag change(s)') });
  });

  it('rejects a wrong secret, a missing signature and a tampered body with 401', () => {
    expectSlipwayError(() => verify(body, signed(body, 'wrong')), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
    const unsigned = signed(body);
    delete unsigned['x-hub-signature'];
    expectSlipwayError(() => verify(body, unsigned), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
    const tampered = Buffer.from(body.toString('utf8').replace('"name": "main"', '"name": "prod"'));
    expect(tampered.equals(body)).toBe(false);
    expectSlipwayError(() => verify(tampered, signed(body)), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });

  it('ignores other events (pull requests, repo updates)', () => {
    for (const event of ['pullrequest:created', 'repo:updated']) {
      expect(verify(body, signed(body, SECRET, undefined, event))).toMatchObject({ kind: 'ignored', reason: `event "${event}" is not a push` });
    }
  });

  it('answers 400 for non-JSON, a missing X-Event-Key, and a push without push.changes', () => {
    const junk = Buffer.from('');
    expectSlipwayError(() => verify(junk, signed(junk)), 400, 'SLIPWAY_WEBHOOK_BAD_PAYLOAD');
    const headers = signed(body);
    delete headers['x-event-key'];
    expectSlipwayError(() => verify(body, headers), 400, 'SLIPWAY_WEBHOOK_BAD_PAYLOAD');
    const noChanges = edited('bitbucket-push.json', (p) => delete p.push);
    expectSlipwayError(() => verify(noChanges, signed(noChanges)), 400, 'SLIPWAY_WEBHOOK_BAD_PAYLOAD');
  });

  it('finds the repository from full_name when links are absent', () => {
    const bare = edited('bitbucket-push.json', (p) => delete p.repository.links);
    expect(verify(bare, signed(bare))).toMatchObject({ kind: 'push', repoKey: KEY });
  });

  it('uses X-Request-UUID, not the constant X-Hook-UUID, for replay detection', () => {
    const log = createDeliveryLog();
    const first = verify(body, signed(body, SECRET, 'aaaaaaaa-0000-4000-8000-000000000001'));
    const second = verify(body, signed(body, SECRET, 'aaaaaaaa-0000-4000-8000-000000000002'));
    expect(log.seen('bitbucket', first.deliveryId)).toBe(false);
    expect(log.seen('bitbucket', second.deliveryId)).toBe(false); // same hook, new delivery
    const retry = verify(body, { ...signed(body, SECRET, 'aaaaaaaa-0000-4000-8000-000000000002'), 'x-attempt-number': '2' });
    expect(log.seen('bitbucket', retry.deliveryId)).toBe(true);
  });
});
