import { describe, expect, it } from 'vitest';
import { createDeliveryLog, signBody, verifyAndParseWebhook, type WebhookHeaders } from '../../../server/webhooks/index.js';
import { edited, expectSlipwayError, fixture, registry } from './helpers.js';

const SECRET = 'gh-webhook-secret-4f9c';
const KEY = 'github.com/acme-labs/rocket-shop';
const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

function verify(rawBody: Buffer, headers: WebhookHeaders, table: Record<string, string[]> = { [KEY]: [SECRET] }) {
  return verifyAndParseWebhook({ provider: 'github', headers, rawBody, secretsFor: registry(table).secretsFor });
}

function signed(rawBody: Buffer, secret = SECRET, event = 'push', deliveryId = DELIVERY): WebhookHeaders {
  return signBody('github', secret, rawBody, { event, deliveryId });
}

describe('GitHub webhooks', () => {
  const body = fixture('github-push.json');

  it('accepts a push signed with the project secret', () => {
    const result = verify(body, signed(body));
    expect(result).toEqual({
      kind: 'push',
      provider: 'github',
      deliveryId: DELIVERY,
      repoUrls: [
        'https://github.com/acme-labs/rocket-shop.git',
        'https://github.com/acme-labs/rocket-shop',
        'git@github.com:acme-labs/rocket-shop.git',
        'git://github.com/acme-labs/rocket-shop.git',
      ],
      repoKey: KEY,
      matchedSecretIndex: 0,
      branch: 'feature/checkout-flow',
      ref: 'refs/heads/feature/checkout-flow',
      after: '9fa4c52d4bdd76c922cddf74539d29d3d24fa510',
      before: '06087980685d9459016dcdeccd6173680bb7a6f4',
      pushes: [
        {
          branch: 'feature/checkout-flow',
          ref: 'refs/heads/feature/checkout-flow',
          after: '9fa4c52d4bdd76c922cddf74539d29d3d24fa510',
          before: '06087980685d9459016dcdeccd6173680bb7a6f4',
        },
      ],
    });
  });

  it('reports which candidate secret matched (secret rotation, two projects on one repo)', () => {
    const result = verify(body, signed(body, 'new-secret'), { [KEY]: ['old-secret', 'new-secret'] });
    expect(result.kind === 'push' && result.matchedSecretIndex).toBe(1);
  });

  it('rejects a wrong secret with 401', () => {
    const error = expectSlipwayError(() => verify(body, signed(body, 'not-the-secret')), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
    expect(error.message).toMatch(/does not match/);
  });

  it('rejects a request with no signature with 401', () => {
    const headers = signed(body);
    delete headers['x-hub-signature-256'];
    const error = expectSlipwayError(() => verify(body, headers), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
    expect(error.message).toMatch(/X-Hub-Signature-256 header is missing/);
  });

  it('does not accept the legacy SHA-1 X-Hub-Signature alone', () => {
    const headers = signed(body);
    delete headers['x-hub-signature-256'];
    headers['x-hub-signature'] = 'sha1=0123456789abcdef0123456789abcdef01234567';
    expectSlipwayError(() => verify(body, headers), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });

  it.each([
    ['a truncated digest', (h: string) => h.slice(0, -2)],
    ['no sha256= prefix', (h: string) => h.slice('sha256='.length)],
    ['a non-hex digest', () => `sha256=${'z'.repeat(64)}`],
    ['an empty value', () => ''],
  ])('rejects a malformed signature: %s', (_name, mangle) => {
    const headers = signed(body);
    headers['x-hub-signature-256'] = mangle(headers['x-hub-signature-256'] as string);
    expectSlipwayError(() => verify(body, headers), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });

  it('accepts an upper-case hex digest (the same bytes)', () => {
    const headers = signed(body);
    headers['x-hub-signature-256'] = `sha256=${(headers['x-hub-signature-256'] as string).slice(7).toUpperCase()}`;
    expect(verify(body, headers).kind).toBe('push');
  });

  it('rejects a tampered body: another commit under the original signature', () => {
    const headers = signed(body);
    const tampered = Buffer.from(body.toString('utf8').replace('9fa4c52d4bdd76c922cddf74539d29d3d24fa510', 'bb8bd565d125d58830d1fa4ff1e4429e9f98afdb'));
    expectSlipwayError(() => verify(tampered, headers), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });

  it('rejects the same JSON re-serialized: the signature covers the raw bytes', () => {
    const headers = signed(body);
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
    expectSlipwayError(() => verify(reserialized, headers), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });

  it('checks the signature before reading the push: a broken push with a bad signature is 401, not 400', () => {
    const broken = edited('github-push.json', (p) => delete p.after);
    expectSlipwayError(() => verify(broken, signed(broken, 'wrong')), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
    expectSlipwayError(() => verify(broken, signed(broken)), 400, 'SLIPWAY_WEBHOOK_BAD_PAYLOAD');
  });

  it('rejects a short sha in after with 400', () => {
    const broken = edited('github-push.json', (p) => (p.after = '9fa4c52'));
    expectSlipwayError(() => verify(broken, signed(broken)), 400, 'SLIPWAY_WEBHOOK_BAD_PAYLOAD');
  });

  it('ignores a ping, after checking its signature', () => {
    const ping = fixture('github-ping.json');
    expect(verify(ping, signed(ping, SECRET, 'ping'))).toEqual({
      kind: 'ignored',
      provider: 'github',
      deliveryId: DELIVERY,
      reason: 'ping',
      verified: true,
    });
    expectSlipwayError(() => verify(ping, signed(ping, 'wrong', 'ping')), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });

  it('ignores an unrelated event', () => {
    const result = verify(body, signed(body, SECRET, 'issues'));
    expect(result).toMatchObject({ kind: 'ignored', reason: 'event "issues" is not a push', verified: true });
  });

  it('ignores a tag push', () => {
    const tag = fixture('github-tag-push.json');
    expect(verify(tag, signed(tag))).toMatchObject({ kind: 'ignored', reason: 'tag push (refs/tags/v2.4.0)' });
  });

  it('ignores a branch deletion (deleted: true, after all zeros)', () => {
    const deletion = fixture('github-branch-delete.json');
    expect(verify(deletion, signed(deletion))).toMatchObject({ kind: 'ignored', reason: 'branch deletion (feature/old-cart)' });
    const zerosOnly = edited('github-branch-delete.json', (p) => delete p.deleted);
    expect(verify(zerosOnly, signed(zerosOnly))).toMatchObject({ kind: 'ignored', reason: 'branch deletion (feature/old-cart)' });
  });

  it('gives before = null for a new branch (before all zeros)', () => {
    const created = edited('github-push.json', (p) => {
      p.before = '0000000000000000000000000000000000000000';
      p.created = true;
    });
    const result = verify(created, signed(created));
    expect(result.kind === 'push' && result.before).toBeNull();
  });

  it('answers 400 for a body that is not JSON, even when signed', () => {
    const junk = Buffer.from('payload is <html>not json</html>');
    expectSlipwayError(() => verify(junk, signed(junk)), 400, 'SLIPWAY_WEBHOOK_BAD_PAYLOAD');
  });

  it('answers 400 when the X-GitHub-Event header is missing', () => {
    const headers = signed(body);
    delete headers['x-github-event'];
    expectSlipwayError(() => verify(body, headers), 400, 'SLIPWAY_WEBHOOK_BAD_PAYLOAD');
  });

  it('accepts the form-encoded content type (payload=<json>) GitHub can be set to send', () => {
    const form = Buffer.from(new URLSearchParams({ payload: body.toString('utf8') }).toString());
    const headers = { ...signed(form), 'content-type': 'application/x-www-form-urlencoded' };
    expect(verify(form, headers)).toMatchObject({ kind: 'push', branch: 'feature/checkout-flow' });
  });

  it('detects a redelivery of the same X-GitHub-Delivery', () => {
    const log = createDeliveryLog();
    const first = verify(body, signed(body));
    const again = verify(body, signed(body));
    expect(log.seen('github', first.deliveryId)).toBe(false);
    expect(log.seen('github', again.deliveryId)).toBe(true);
    const other = verify(body, signed(body, SECRET, 'push', 'a0b1c2d3-0000-4000-8000-000000000001'));
    expect(log.seen('github', other.deliveryId)).toBe(false);
  });
});
