import { describe, expect, it } from 'vitest';
import { createDeliveryLog, signBody, verifyAndParseWebhook, type WebhookHeaders } from '../../../server/webhooks/index.js';
import { edited, expectSlipwayError, fixture, registry, ZERO_SHA } from './helpers.js';

const SECRET = 'glpat-like-webhook-token-93be1';
const KEY = 'gitlab.example.org/platform/tools/slipway-demo';
const EVENT_UUID = '3b5b4f8e-2bcd-4c3e-9a51-6f0d3c1f7e21';

function verify(rawBody: Buffer, headers: WebhookHeaders, table: Record<string, string[]> = { [KEY]: [SECRET] }) {
  return verifyAndParseWebhook({ provider: 'gitlab', headers, rawBody, secretsFor: registry(table).secretsFor });
}

function signed(rawBody: Buffer, secret = SECRET, event = 'Push Hook'): WebhookHeaders {
  return signBody('gitlab', secret, rawBody, { event, deliveryId: EVENT_UUID });
}

describe('GitLab webhooks', () => {
  const body = fixture('gitlab-push.json');

  it('accepts a push with the right X-Gitlab-Token', () => {
    const result = verify(body, signed(body));
    expect(result).toMatchObject({
      kind: 'push',
      provider: 'gitlab',
      deliveryId: EVENT_UUID,
      repoKey: KEY,
      branch: 'main',
      ref: 'refs/heads/main',
      after: 'ca7414cf9361e757bd930da4adf815a3d1c2b908',
      before: 'd0298c8e3fb96f5caab9468600dfe5a2ef9abb59',
      matchedSecretIndex: 0,
    });
    // every URL the payload names, deduplicated, HTTP clone URL first
    expect(result.kind === 'push' && result.repoUrls).toEqual([
      'https://gitlab.example.org/platform/tools/slipway-demo.git',
      'ssh://git@gitlab.example.org:2222/platform/tools/slipway-demo.git',
      'https://gitlab.example.org/platform/tools/slipway-demo',
    ]);
  });

  it('prefers Idempotency-Key (stable across retries) over X-Gitlab-Event-UUID as delivery id', () => {
    const headers = { ...signed(body), 'idempotency-key': 'f0e1d2c3-aaaa-4bbb-8ccc-0123456789ab' };
    expect(verify(body, headers).deliveryId).toBe('f0e1d2c3-aaaa-4bbb-8ccc-0123456789ab');
  });

  it('rejects a wrong token with 401', () => {
    expectSlipwayError(() => verify(body, signed(body, 'glpat-like-webhook-token-93be2')), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });

  it('rejects tokens of another length without throwing from timingSafeEqual', () => {
    for (const token of ['x', `${SECRET}-and-more`, SECRET.slice(0, -1)]) {
      expectSlipwayError(() => verify(body, signed(body, token)), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
    }
  });

  it('rejects a request with no token with 401', () => {
    const headers = signed(body);
    delete headers['x-gitlab-token'];
    const error = expectSlipwayError(() => verify(body, headers), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
    expect(error.message).toMatch(/X-Gitlab-Token header is missing/);
  });

  it('cannot detect a tampered body: GitLab sends a token, not a signature (documented limit)', () => {
    const headers = signed(body);
    const tampered = Buffer.from(body.toString('utf8').replaceAll('ca7414cf9361e757bd930da4adf815a3d1c2b908', 'b2280e60f4a4276ff65fd7c3a6af21eedf8dd6c8'));
    expect(verify(tampered, headers)).toMatchObject({ kind: 'push', after: 'b2280e60f4a4276ff65fd7c3a6af21eedf8dd6c8' });
  });

  it('rejects a tampered repository: the token of one project does not open another', () => {
    const other = 'gitlab.example.org/platform/tools/other-service';
    const retargeted = Buffer.from(body.toString('utf8').replaceAll('slipway-demo', 'other-service'));
    expectSlipwayError(() => verify(retargeted, signed(retargeted), { [KEY]: [SECRET], [other]: ['other-token'] }), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });

  it('ignores a Tag Push Hook', () => {
    const tag = fixture('gitlab-tag-push.json');
    expect(verify(tag, signed(tag, SECRET, 'Tag Push Hook'))).toMatchObject({ kind: 'ignored', reason: 'tag push', verified: true });
  });

  it('ignores a tag push even when sent as a Push Hook', () => {
    const tag = fixture('gitlab-tag-push.json');
    expect(verify(tag, signed(tag))).toMatchObject({ kind: 'ignored', reason: 'tag push' });
  });

  it('ignores a branch deletion (after all zeros)', () => {
    const deletion = edited('gitlab-push.json', (p) => {
      p.before = p.after;
      p.after = ZERO_SHA;
      p.checkout_sha = null;
      p.commits = [];
      p.total_commits_count = 0;
    });
    expect(verify(deletion, signed(deletion))).toMatchObject({ kind: 'ignored', reason: 'branch deletion (main)' });
  });

  it('ignores unrelated events, verified', () => {
    expect(verify(body, signed(body, SECRET, 'Merge Request Hook'))).toMatchObject({
      kind: 'ignored',
      reason: 'event "Merge Request Hook" is not a push',
      verified: true,
    });
    expectSlipwayError(() => verify(body, signed(body, 'wrong', 'Merge Request Hook')), 401, 'SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });

  it('accepts a push delivered through a System Hook, ignores other system events', () => {
    expect(verify(body, signed(body, SECRET, 'System Hook'))).toMatchObject({ kind: 'push', branch: 'main' });
    const created = edited('gitlab-push.json', (p) => {
      p.object_kind = 'repository_update';
      p.event_name = 'repository_update';
    });
    expect(verify(created, signed(created, SECRET, 'System Hook'))).toMatchObject({
      kind: 'ignored',
      reason: 'system hook event "repository_update" is not a push',
    });
  });

  it('finds the project from project.* alone (no legacy repository object)', () => {
    const modern = edited('gitlab-push.json', (p) => delete p.repository);
    expect(verify(modern, signed(modern))).toMatchObject({ kind: 'push', repoKey: KEY });
  });

  it('answers 400 for a body that is not JSON', () => {
    const junk = Buffer.from('{"object_kind": "push", ');
    expectSlipwayError(() => verify(junk, signed(junk)), 400, 'SLIPWAY_WEBHOOK_BAD_PAYLOAD');
  });

  it('answers 400 for a push that names no project', () => {
    const orphan = edited('gitlab-push.json', (p) => {
      delete p.project;
      delete p.repository;
    });
    expectSlipwayError(() => verify(orphan, signed(orphan)), 400, 'SLIPWAY_WEBHOOK_BAD_PAYLOAD');
  });

  it('detects a replayed delivery', () => {
    const log = createDeliveryLog({ max: 100 });
    expect(log.seen('gitlab', verify(body, signed(body)).deliveryId)).toBe(false);
    expect(log.seen('gitlab', verify(body, signed(body)).deliveryId)).toBe(true);
  });
});
