import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDeliveryLog, signBody, verifyAndParseWebhook, type WebhookHeaders } from '../../../server/webhooks/index.js';
import { edited, expectSlipwayError, fixture, registry } from './helpers.js';

const SECRET = 'slipway-generic-secret-0a1b';
const KEY = 'git.internal.example/team/payments';

function verify(rawBody: Buffer, headers: WebhookHeaders, table: Record<string, string[]> = { [KEY]: [SECRET] }) {
  return verifyAndParseWebhook({ provider: 'generic', headers, rawBody, secretsFor: registry(table).secretsFor });
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

describe('generic (Slipway) webhooks', () => {
  const body = fixture('generic-push.json');

  it('accepts a signed push', () => {
    const result = verify(body, signBody('generic', SECRET, body, { deliveryId: 'ci-run-8812' }));
    expect(result).toEqual({
      kind: 'push',
      provider: 'generic',
      deliveryId: 'ci-run-8812',
      repoUrls: ['https://git.internal.example/team/payments.git'],
      repoKey: KEY,
      matchedSecretIndex: 0,
      branch: 'release/1.8',
      ref: 'refs/heads/release/1.8',
      after: '46ca5cf30a9c2bd277dad0884f90dda2a26be494',
      before: '83287f24fc053cb060641495acfa3ac91464522c',
      pushes: [
        {
          branch: 'release/1.8',
          ref: 'refs/heads/release/1.8',
          after: '46ca5cf30a9c2bd277dad0884f90dda2a26be494',
          before: '83287f24fc053cb060641495acfa3ac91464522c',
        },
      ],
    });
  });

  it('signs exactly as documented: sha256=<hex HMAC-SHA256 of the raw body>', () => {
    const hex = createHmac('sha256', SECRET).update(body).digest('hex');
    expect(signBody('generic', SECRET, body)['x-slipway-signature-256']).toBe(`sha256=${hex}`);
    expect(verify(body, { 'x-slipway-signature-256': `sha256=${hex}` }).kind).toBe('push');
  });

  it('accepts a bare branch name as ref, an ssh repoUrl, and no before', () => {
    const short = json({ repoUrl: 'git@git.internal.example:team/payments.git', ref: 'main', after: '46CA5CF30A9C2BD277DAD0884F90DDA2A26BE494' });
    expect(verify(short, signBody('generic', SECRET, short))).toMatchObject({
      kind: 'push',
      repoKey: KEY,
      branch: 'main',
      ref: 'refs/heads/main',
      after: '46ca5cf30a9c2bd277dad0884f90dda2a26be494',
      before: null,
      deliveryId: null,
    });
  });

  it('works for a local repository path (integration tests, same-machine servers)', () => {
    const local = json({ repoUrl: '/tmp/slipway-it/repos/demo.git', ref: 'refs/heads/main', after: '46ca5cf30a9c2bd277dad0884f90dda2a26be494' });
    expect(verify(local, signBody('generic', SECRET, local), { '/tmp/slipway-it/repos/demo': [SECRET] })).toMatchObject({
      kind: 'push',
      repoKey: '/tmp/slipway-it/repos/demo',
    });
  });

  it('rejects a wrong secret, a missing signature and a tampered body with 401', () => {
    expectSlipwayError(() => verify(body, signBody('generic', 'wrong', body)), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
    expectSlipwayError(() => verify(body, { 'content-type': 'application/json' }), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
    const tampered = edited('generic-push.json', (p) => (p.ref = 'refs/heads/main'));
    expectSlipwayError(() => verify(tampered, signBody('generic', SECRET, body)), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });

  it('ignores tags, deletions and pings', () => {
    const tag = edited('generic-push.json', (p) => (p.ref = 'refs/tags/v1.8.0'));
    expect(verify(tag, signBody('generic', SECRET, tag))).toMatchObject({ kind: 'ignored', reason: 'tag push (refs/tags/v1.8.0)' });
    const deletion = edited('generic-push.json', (p) => (p.deleted = true));
    expect(verify(deletion, signBody('generic', SECRET, deletion))).toMatchObject({ kind: 'ignored', reason: 'branch deletion (release/1.8)' });
    expect(verify(body, signBody('generic', SECRET, body, { event: 'ping' }))).toMatchObject({ kind: 'ignored', reason: 'ping', verified: true });
  });

  it.each([
    ['no after', { repoUrl: 'https://git.internal.example/team/payments', ref: 'main' }],
    ['an abbreviated after', { repoUrl: 'https://git.internal.example/team/payments', ref: 'main', after: '46ca5cf' }],
    ['no ref', { repoUrl: 'https://git.internal.example/team/payments', after: '46ca5cf30a9c2bd277dad0884f90dda2a26be494' }],
  ])('answers 400 for %s', (_name, payload) => {
    const raw = json(payload);
    expectSlipwayError(() => verify(raw, signBody('generic', SECRET, raw)), 400, 'SLIPWAY_WEBHOOK_BAD_PAYLOAD');
  });

  it('answers 400 for no repoUrl, a non-JSON body and a JSON non-object', () => {
    for (const raw of [json({ ref: 'main', after: '46ca5cf30a9c2bd277dad0884f90dda2a26be494' }), Buffer.from('not json'), json(['a']), json(null)]) {
      expectSlipwayError(() => verify(raw, signBody('generic', SECRET, raw)), 400, 'SLIPWAY_WEBHOOK_BAD_PAYLOAD');
    }
  });

  it('detects a replayed X-Slipway-Delivery; no delivery id means no replay detection', () => {
    const log = createDeliveryLog();
    const headers = signBody('generic', SECRET, body, { deliveryId: 'ci-run-9001' });
    expect(log.seen('generic', verify(body, headers).deliveryId)).toBe(false);
    expect(log.seen('generic', verify(body, headers).deliveryId)).toBe(true);
    const anonymous = signBody('generic', SECRET, body);
    expect(log.seen('generic', verify(body, anonymous).deliveryId)).toBe(false);
    expect(log.seen('generic', verify(body, anonymous).deliveryId)).toBe(false);
  });
});
