/**
 * A repository's identity (git/identity.ts): the one answer every module gets
 * to "which repository, at which origin, under which key, in which mirror".
 */
import { describe, expect, it } from 'vitest';
import { isSlipwayError } from '../../../server/core/errors.js';
import { repoIdentity, repoKey, tryRepoIdentity, type RepoIdentity } from '../../../server/git/index.js';

type Expected = Omit<RepoIdentity, 'mirrorPath'>;

const https = (url: string, host: string, key: string, name: string, port = 443): Expected => {
  const origin = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { url, scheme: 'https', host, port, origin, credentialOrigin: origin, key, name };
};

const table: [string, Expected][] = [
  // https, as typed and as forges spell it; forge pages become the clone URL
  ['https://github.com/acme/rocket', https('https://github.com/acme/rocket.git', 'github.com', 'github.com/acme/rocket', 'rocket')],
  ['https://github.com/acme/rocket.git', https('https://github.com/acme/rocket.git', 'github.com', 'github.com/acme/rocket', 'rocket')],
  ['https://github.com/acme/rocket/tree/feature/x', https('https://github.com/acme/rocket.git', 'github.com', 'github.com/acme/rocket', 'rocket')],
  ['https://github.com/acme/rocket/pull/7', https('https://github.com/acme/rocket.git', 'github.com', 'github.com/acme/rocket', 'rocket')],
  // case: the host is lower-cased, the path keeps its case (some servers are case-sensitive)
  ['https://GitHub.com/Acme/Rocket.git/', https('https://github.com/Acme/Rocket.git', 'github.com', 'github.com/Acme/Rocket', 'Rocket')],
  // default ports: written or not, one origin with the port explicit
  ['https://git.example.com:443/team/app.git', https('https://git.example.com/team/app.git', 'git.example.com', 'git.example.com/team/app', 'app')],
  ['https://git.example.com/team/app.git/', https('https://git.example.com/team/app.git', 'git.example.com', 'git.example.com/team/app', 'app')],
  ['https://git.example.com:8443/team/app', https('https://git.example.com:8443/team/app', 'git.example.com', 'git.example.com/team/app', 'app', 8443)],
  // http with a port
  [
    'http://git.example.com:8080/team/app.git',
    {
      url: 'http://git.example.com:8080/team/app.git',
      scheme: 'http',
      host: 'git.example.com',
      port: 8080,
      origin: 'http://git.example.com:8080',
      credentialOrigin: 'http://git.example.com:8080',
      key: 'git.example.com/team/app',
      name: 'app',
    },
  ],
  [
    'http://git.example.com:80/team/app',
    {
      url: 'http://git.example.com/team/app',
      scheme: 'http',
      host: 'git.example.com',
      port: 80,
      origin: 'http://git.example.com:80',
      credentialOrigin: 'http://git.example.com:80',
      key: 'git.example.com/team/app',
      name: 'app',
    },
  ],
  [
    'http://[::1]:3000/ops/infra.git',
    {
      url: 'http://[::1]:3000/ops/infra.git',
      scheme: 'http',
      host: '::1',
      port: 3000,
      origin: 'http://[::1]:3000',
      credentialOrigin: 'http://[::1]:3000',
      key: '[::1]/ops/infra',
      name: 'infra',
    },
  ],
  // ssh, scp form and ssh://: an origin (egress) but never a token's
  [
    'git@github.com:acme/rocket.git',
    {
      url: 'git@github.com:acme/rocket.git',
      scheme: 'ssh',
      host: 'github.com',
      port: 22,
      origin: 'ssh://github.com:22',
      credentialOrigin: null,
      key: 'github.com/acme/rocket',
      name: 'rocket',
    },
  ],
  [
    'ssh://git@github.com/acme/rocket',
    {
      url: 'ssh://git@github.com/acme/rocket',
      scheme: 'ssh',
      host: 'github.com',
      port: 22,
      origin: 'ssh://github.com:22',
      credentialOrigin: null,
      key: 'github.com/acme/rocket',
      name: 'rocket',
    },
  ],
  [
    'ssh://git@gitlab.example.org:2222/platform/tools/demo.git',
    {
      url: 'ssh://git@gitlab.example.org:2222/platform/tools/demo.git',
      scheme: 'ssh',
      host: 'gitlab.example.org',
      port: 2222,
      origin: 'ssh://gitlab.example.org:2222',
      credentialOrigin: null,
      key: 'gitlab.example.org/platform/tools/demo',
      name: 'demo',
    },
  ],
  [
    'git://Host.Example/a/b.git',
    {
      url: 'git://Host.Example/a/b.git',
      scheme: 'git',
      host: 'host.example',
      port: 9418,
      origin: 'git://host.example:9418',
      credentialOrigin: null,
      key: 'host.example/a/b',
      name: 'b',
    },
  ],
  // GitLab subgroups, on gitlab.com and self-managed (pages recognized by their /-/ shape)
  ['https://gitlab.com/platform/tools/demo', https('https://gitlab.com/platform/tools/demo.git', 'gitlab.com', 'gitlab.com/platform/tools/demo', 'demo')],
  [
    'https://gitlab.com/platform/tools/demo/-/tree/main',
    https('https://gitlab.com/platform/tools/demo.git', 'gitlab.com', 'gitlab.com/platform/tools/demo', 'demo'),
  ],
  [
    'https://gitlab.example.org/platform/tools/demo/-/merge_requests/4',
    https('https://gitlab.example.org/platform/tools/demo.git', 'gitlab.example.org', 'gitlab.example.org/platform/tools/demo', 'demo'),
  ],
  // local repositories: no origin at all
  [
    'file:///srv/git/demo.git/',
    { url: 'file:///srv/git/demo.git', scheme: 'file', host: null, port: null, origin: null, credentialOrigin: null, key: '/srv/git/demo', name: 'demo' },
  ],
  [
    'file://localhost/srv/git/demo',
    { url: 'file:///srv/git/demo', scheme: 'file', host: null, port: null, origin: null, credentialOrigin: null, key: '/srv/git/demo', name: 'demo' },
  ],
];

describe('repoIdentity', () => {
  it.each(table)('%s', (input, expected) => {
    const identity = repoIdentity(input);
    expect({ ...identity, mirrorPath: undefined }).toEqual({ ...expected, mirrorPath: undefined });
    expect(identity.mirrorPath).toMatch(/^mirrors\/[0-9a-f]{16}\.git$/);
  });

  it('is a fixed point: the identity of its own clone URL is itself', () => {
    for (const [input] of table) {
      const identity = repoIdentity(input);
      expect(repoIdentity(identity.url), input).toEqual(identity);
    }
  });

  it('has the key webhooks and projects match on: repoKey of any clone form is the identity key', () => {
    for (const [input] of table) {
      if (/\/(tree|pull|-)\//.test(input)) continue; // a page's key is its repository's, repoKey reads a URL as written
      expect(repoKey(input), input).toBe(repoIdentity(input).key);
    }
  });

  it('one repository over https, its web page and ssh: one key, one mirror; the token origin only for https', () => {
    const forms = [
      'https://github.com/acme/rocket',
      'https://github.com/acme/rocket/tree/main',
      'git@github.com:acme/rocket.git',
      'ssh://git@github.com:22/acme/rocket',
    ];
    const ids = forms.map(repoIdentity);
    expect(new Set(ids.map((i) => i.key))).toEqual(new Set(['github.com/acme/rocket']));
    expect(new Set(ids.map((i) => i.mirrorPath)).size).toBe(1);
    expect(ids.map((i) => i.credentialOrigin)).toEqual(['https://github.com:443', 'https://github.com:443', null, null]);
  });

  it('origins keep the scheme and the port: another port or scheme is another server', () => {
    const origin = (url: string) => repoIdentity(url).credentialOrigin;
    expect(origin('https://h.example/r')).toBe(origin('https://h.example:443/r'));
    expect(origin('https://h.example:8443/r')).not.toBe(origin('https://h.example/r'));
    expect(origin('http://h.example/r')).not.toBe(origin('https://h.example/r'));
    expect(origin('http://h.example/r')).toBe('http://h.example:80');
    // ...while the key, which only selects candidates, is the same for all four.
    expect(new Set(['https://h.example/r', 'https://h.example:8443/r', 'http://h.example/r', 'git@h.example:r'].map((u) => repoIdentity(u).key))).toEqual(
      new Set(['h.example/r']),
    );
  });

  it('mirror paths stay where earlier versions put them (a change would re-clone every mirror)', () => {
    // sha256("<mirror key>\0"), first 16 hex digits, as mirror.ts has always named them.
    expect(repoIdentity('https://github.com/acme/rocket').mirrorPath).toBe('mirrors/0288d706c60f60d4.git');
    expect(repoIdentity('http://127.0.0.1:3000/app.git').mirrorPath).toBe('mirrors/72e849c9d2257943.git');
    // Two servers on one host (http ports) are two mirrors; an ssh port is not part of the mirror.
    expect(repoIdentity('http://127.0.0.1:3001/app.git').mirrorPath).not.toBe(repoIdentity('http://127.0.0.1:3000/app.git').mirrorPath);
    expect(repoIdentity('ssh://git@github.com:2222/acme/rocket').mirrorPath).toBe(repoIdentity('https://github.com/acme/rocket').mirrorPath);
  });

  it.each([
    '',
    'rocket',
    'not a url',
    'ext::sh -c touch% /tmp/x',
    '-u/x:y',
    'https://u:secret@github.com/acme/rocket',
    'ftp://h.example/a/b',
    'https://github.com/acme',
  ])('refuses %j with SLIPWAY_GIT_BAD_URL', (input) => {
    let caught: unknown;
    try {
      repoIdentity(input);
    } catch (error) {
      caught = error;
    }
    expect(isSlipwayError(caught) && caught.code === 'SLIPWAY_GIT_BAD_URL' && caught.status === 400).toBe(true);
    expect(tryRepoIdentity(input)).toBeNull();
  });
});
