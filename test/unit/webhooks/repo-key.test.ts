import { describe, expect, it } from 'vitest';
import { normalizeRepoKey, tryNormalizeRepoKey } from '../../../server/webhooks/index.js';
import { expectSlipwayError } from './helpers.js';

describe('normalizeRepoKey', () => {
  const table: [string, string][] = [
    ['https://github.com/acme/rocket', 'github.com/acme/rocket'],
    ['https://github.com/acme/rocket.git', 'github.com/acme/rocket'],
    ['https://github.com/acme/rocket/', 'github.com/acme/rocket'],
    ['https://github.com/acme/rocket.git/', 'github.com/acme/rocket'],
    ['HTTPS://GitHub.COM/Acme/Rocket.git', 'github.com/Acme/Rocket'],
    ['http://github.com/acme/rocket', 'github.com/acme/rocket'],
    ['https://user:p%40ss@github.com/acme/rocket.git', 'github.com/acme/rocket'],
    ['https://x-access-token:ghs_abc@github.com/acme/rocket', 'github.com/acme/rocket'],
    ['https://github.com:443/acme/rocket', 'github.com/acme/rocket'],
    ['https://github.com/acme/rocket.git?ref=main#readme', 'github.com/acme/rocket'],
    ['https://github.com//acme//rocket', 'github.com/acme/rocket'],
    ['git@github.com:acme/rocket.git', 'github.com/acme/rocket'],
    ['git@GITHUB.com:acme/rocket', 'github.com/acme/rocket'],
    ['github.com:acme/rocket.git', 'github.com/acme/rocket'],
    ['ssh://git@github.com/acme/rocket.git', 'github.com/acme/rocket'],
    ['ssh://git@github.com:22/acme/rocket.git', 'github.com/acme/rocket'],
    ['git+ssh://git@github.com/acme/rocket.git', 'github.com/acme/rocket'],
    ['git://github.com/acme/rocket.git', 'github.com/acme/rocket'],
    ['  https://github.com/acme/rocket  ', 'github.com/acme/rocket'],
    // GitLab subgroups, self-managed host with SSH on another port
    ['https://gitlab.example.org/platform/tools/demo.git', 'gitlab.example.org/platform/tools/demo'],
    ['ssh://git@gitlab.example.org:2222/platform/tools/demo.git', 'gitlab.example.org/platform/tools/demo'],
    ['https://gitlab.example.org:8443/platform/tools/demo', 'gitlab.example.org/platform/tools/demo'],
    // Bitbucket web URL with the user Bitbucket puts in clone URLs
    ['https://priya@bitbucket.org/acme-team/billing-api.git', 'bitbucket.org/acme-team/billing-api'],
    // IPv6 host
    ['http://[::1]:3000/ops/infra.git', '[::1]/ops/infra'],
    // local repositories (integration tests, generic webhooks from the same machine)
    ['/srv/git/demo.git', '/srv/git/demo'],
    ['/srv/git/demo/', '/srv/git/demo'],
    ['file:///srv/git/demo.git', '/srv/git/demo'],
    ['file://localhost/srv/git/demo', '/srv/git/demo'],
    // an already normalized key is its own key
    ['github.com/acme/rocket', 'github.com/acme/rocket'],
  ];

  it.each(table)('%s → %s', (url, key) => {
    expect(normalizeRepoKey(url)).toBe(key);
  });

  it('is idempotent on every key of the table', () => {
    for (const [url] of table) {
      const key = normalizeRepoKey(url);
      expect(normalizeRepoKey(key), url).toBe(key);
    }
  });

  it('keeps the path case (some servers are case-sensitive) but not the host case', () => {
    expect(normalizeRepoKey('https://Git.Example.NET/Ops/Infra')).toBe('git.example.net/Ops/Infra');
    expect(normalizeRepoKey('https://github.com/acme/Rocket')).not.toBe(normalizeRepoKey('https://github.com/acme/rocket'));
  });

  it.each(['', '   ', 'rocket', 'https://github.com', 'https://github.com/', 'git@github.com:', 'not a url at all', 'file://', '/'])('rejects %j', (url) => {
    expect(tryNormalizeRepoKey(url)).toBeNull();
    expectSlipwayError(() => normalizeRepoKey(url), 400, 'SLIPWAY_WEBHOOK_BAD_REPO_URL');
  });
});
