import { describe, expect, it } from 'vitest';
import { isSlipwayError } from '../../../server/core/errors.js';
import { signBody, verifyAndParseWebhook, type WebhookProvider } from '../../../server/webhooks/index.js';
import { edited, expectSlipwayError, fixture, registry } from './helpers.js';

const GH_KEY = 'github.com/acme-labs/rocket-shop';
const body = fixture('github-push.json');

describe('verifyAndParseWebhook, across providers', () => {
  describe('a repository no project matches', () => {
    it('answers 401 by default, the same answer as a wrong secret, with the real reason only in `cause`', () => {
      const unknown = expectSlipwayError(
        () => verifyAndParseWebhook({ provider: 'github', headers: signBody('github', 's3cret', body), rawBody: body, secretsFor: () => [] }),
        401,
        'SLIPWAY_WEBHOOK_BAD_SIGNATURE',
      );
      const wrong = expectSlipwayError(
        () =>
          verifyAndParseWebhook({
            provider: 'github',
            headers: signBody('github', 's3cret', body),
            rawBody: body,
            secretsFor: registry({ [GH_KEY]: ['other'] }).secretsFor,
          }),
        401,
        'SLIPWAY_WEBHOOK_BAD_SIGNATURE',
      );
      expect(unknown.toJSON()).toEqual(wrong.toJSON());
      expect(JSON.stringify(unknown)).not.toContain('rocket-shop');
      expect(isSlipwayError(unknown.cause) && unknown.cause.code).toBe('SLIPWAY_WEBHOOK_UNKNOWN_REPO');
      expect(wrong.cause).toBeUndefined();
    });

    it('answers 404 SLIPWAY_WEBHOOK_UNKNOWN_REPO with revealUnknownRepo', () => {
      const error = expectSlipwayError(
        () =>
          verifyAndParseWebhook(
            { provider: 'github', headers: signBody('github', 's3cret', body), rawBody: body, secretsFor: () => [] },
            { revealUnknownRepo: true },
          ),
        404,
        'SLIPWAY_WEBHOOK_UNKNOWN_REPO',
      );
      expect(error.detail).toEqual({ repoKeys: [GH_KEY] });
    });

    it('answers 401 for a missing signature on an unknown repository too (no oracle)', () => {
      const headers = signBody('github', 's3cret', body);
      delete headers['x-hub-signature-256'];
      const unknown = expectSlipwayError(
        () => verifyAndParseWebhook({ provider: 'github', headers, rawBody: body, secretsFor: () => [] }),
        401,
        'SLIPWAY_WEBHOOK_BAD_SIGNATURE',
      );
      const known = expectSlipwayError(
        () => verifyAndParseWebhook({ provider: 'github', headers, rawBody: body, secretsFor: () => ['s3cret'] }),
        401,
        'SLIPWAY_WEBHOOK_BAD_SIGNATURE',
      );
      expect(unknown.toJSON()).toEqual(known.toJSON());
    });
  });

  it('never accepts an empty secret, even with a valid HMAC keyed with ""', () => {
    const headers = signBody('github', '', body);
    expectSlipwayError(
      () => verifyAndParseWebhook({ provider: 'github', headers, rawBody: body, secretsFor: () => [''] }),
      401,
      'SLIPWAY_WEBHOOK_BAD_SIGNATURE',
    );
    const gitlab = fixture('gitlab-push.json');
    expectSlipwayError(
      () =>
        verifyAndParseWebhook({
          provider: 'gitlab',
          headers: { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': '' },
          rawBody: gitlab,
          secretsFor: () => [''],
        }),
      401,
      'SLIPWAY_WEBHOOK_BAD_SIGNATURE',
    );
  });

  it('skips empty secrets but keeps indices into the caller list', () => {
    const result = verifyAndParseWebhook({ provider: 'github', headers: signBody('github', 'b', body), rawBody: body, secretsFor: () => ['', 'a', 'b'] });
    expect(result.kind === 'push' && result.matchedSecretIndex).toBe(2);
  });

  it('looks up every distinct key the payload URLs give, and reports the one that matched', () => {
    // GitLab behind two host names: HTTPS on gitlab.example.org, SSH on ssh.example.org
    const raw = edited('gitlab-push.json', (p) => {
      p.project.git_ssh_url = 'git@ssh.example.org:platform/tools/slipway-demo.git';
      p.repository.git_ssh_url = p.project.git_ssh_url;
      p.repository.url = p.project.git_ssh_url;
      p.project.url = p.project.git_ssh_url;
      p.project.ssh_url = p.project.git_ssh_url;
    });
    const reg = registry({ 'ssh.example.org/platform/tools/slipway-demo': ['tok'] });
    const result = verifyAndParseWebhook({
      provider: 'gitlab',
      headers: { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'tok' },
      rawBody: raw,
      secretsFor: reg.secretsFor,
    });
    expect(result).toMatchObject({ kind: 'push', repoKey: 'ssh.example.org/platform/tools/slipway-demo' });
    expect(reg.calls).toEqual(['gitlab.example.org/platform/tools/slipway-demo', 'ssh.example.org/platform/tools/slipway-demo']);
  });

  it('calls secretsFor once when all payload URLs give the same key', () => {
    const reg = registry({ [GH_KEY]: ['s'] });
    verifyAndParseWebhook({ provider: 'github', headers: signBody('github', 's', body), rawBody: body, secretsFor: reg.secretsFor });
    expect(reg.calls).toEqual([GH_KEY]);
  });

  it('ignores, unverified, an event that names no repository (organization-level ping)', () => {
    const orgPing = edited('github-ping.json', (p) => {
      delete p.repository;
      p.hook.type = 'Organization';
    });
    const reg = registry({});
    const result = verifyAndParseWebhook({ provider: 'github', headers: { 'x-github-event': 'ping' }, rawBody: orgPing, secretsFor: reg.secretsFor });
    expect(result).toMatchObject({ kind: 'ignored', reason: 'ping (names no repository)', verified: false });
    expect(reg.calls).toEqual([]);
  });

  it('answers 400 for a push that names no repository and for unreadable repository URLs', () => {
    const noRepo = edited('github-push.json', (p) => delete p.repository);
    expectSlipwayError(
      () => verifyAndParseWebhook({ provider: 'github', headers: signBody('github', 's', noRepo), rawBody: noRepo, secretsFor: () => ['s'] }),
      400,
      'SLIPWAY_WEBHOOK_BAD_PAYLOAD',
    );
    const junkUrl = Buffer.from(JSON.stringify({ repoUrl: 'not a url', ref: 'main', after: 'a'.repeat(40) }));
    expectSlipwayError(
      () => verifyAndParseWebhook({ provider: 'generic', headers: signBody('generic', 's', junkUrl), rawBody: junkUrl, secretsFor: () => ['s'] }),
      400,
      'SLIPWAY_WEBHOOK_BAD_PAYLOAD',
    );
  });

  it('answers 404 for an unknown provider name coming from the URL', () => {
    expectSlipwayError(
      () => verifyAndParseWebhook({ provider: 'sourcehut' as WebhookProvider, headers: {}, rawBody: body, secretsFor: () => [] }),
      404,
      'SLIPWAY_WEBHOOK_UNKNOWN_PROVIDER',
    );
  });

  it('reads header arrays and odd-cased names', () => {
    const signed = signBody('github', 's', body, { deliveryId: 'd-1' });
    const headers = {
      'X-GitHub-Event': ['push'],
      'X-GitHub-Delivery': 'd-1',
      'x-hub-signature-256': [signed['x-hub-signature-256'] as string, 'sha256=junk'],
    };
    expect(verifyAndParseWebhook({ provider: 'github', headers, rawBody: body, secretsFor: () => ['s'] })).toMatchObject({
      kind: 'push',
      deliveryId: 'd-1',
    });
  });

  it('accepts a UTF-8 byte order mark before the JSON', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
    const result = verifyAndParseWebhook({ provider: 'github', headers: signBody('github', 's', withBom), rawBody: withBom, secretsFor: () => ['s'] });
    expect(result.kind).toBe('push');
  });

  it('round-trips signBody for every provider', () => {
    const bodies: Record<WebhookProvider, string> = {
      github: 'github-push.json',
      gitlab: 'gitlab-push.json',
      gitea: 'gitea-push.json',
      bitbucket: 'bitbucket-push.json',
      generic: 'generic-push.json',
    };
    for (const [provider, name] of Object.entries(bodies) as [WebhookProvider, string][]) {
      const raw = fixture(name);
      const result = verifyAndParseWebhook({ provider, headers: signBody(provider, 'k', raw), rawBody: raw, secretsFor: () => ['k'] });
      expect(result.kind, provider).toBe('push');
      expectSlipwayError(
        () => verifyAndParseWebhook({ provider, headers: signBody(provider, 'k', raw), rawBody: raw, secretsFor: () => ['K'] }),
        401,
        'SLIPWAY_WEBHOOK_BAD_SIGNATURE',
      );
    }
  });
});
