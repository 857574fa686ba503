import { describe, expect, it } from 'vitest';
import { isValidBranchName, parseContextUrl, pullRequestRef, type ContextRef } from '../../../server/git/context-url.js';
import { SlipwayError } from '../../../server/core/errors.js';
import { mirrorKey } from '../../../server/git/identity.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const DEF = { kind: 'default' } as const;
const gh = (ref: ContextRef['ref']): ContextRef => ({
  repoUrl: 'https://github.com/acme/slipway.git',
  host: 'github.com',
  owner: 'acme',
  repo: 'slipway',
  repoName: 'slipway',
  ref,
  provider: 'github',
});

const accepted: [string, ContextRef][] = [
  // GitHub
  ['https://github.com/acme/slipway', gh(DEF)],
  ['https://github.com/acme/slipway/', gh(DEF)],
  ['https://github.com/acme/slipway.git', gh(DEF)],
  ['#https://github.com/acme/slipway', gh(DEF)],
  ['  https://GitHub.com/acme/slipway  ', gh(DEF)],
  ['https://github.com/acme/slipway?tab=readme#top', gh(DEF)],
  ['https://github.com/acme/slipway/tree/main', gh({ kind: 'branch', name: 'main' })],
  ['https://github.com/acme/slipway/tree/feature/x/y', gh({ kind: 'branch', name: 'feature/x/y' })],
  ['https://github.com/acme/slipway/tree/feature%2Fenc', gh({ kind: 'branch', name: 'feature/enc' })],
  [`https://github.com/acme/slipway/commit/${SHA.toUpperCase()}`, gh({ kind: 'commit', sha: SHA })],
  ['https://github.com/acme/slipway/commit/abc1234', gh({ kind: 'commit', sha: 'abc1234' })],
  ['https://github.com/acme/slipway/pull/42', gh({ kind: 'pull', number: 42, provider: 'github' })],
  ['https://github.com/acme/slipway/pull/42/files', gh({ kind: 'pull', number: 42, provider: 'github' })],
  // GitLab, with subgroups
  [
    'https://gitlab.com/grp/sub/app',
    { repoUrl: 'https://gitlab.com/grp/sub/app.git', host: 'gitlab.com', owner: 'grp/sub', repo: 'app', repoName: 'app', ref: DEF, provider: 'gitlab' },
  ],
  [
    'https://gitlab.com/grp/app/-/tree/dev/next',
    {
      repoUrl: 'https://gitlab.com/grp/app.git',
      host: 'gitlab.com',
      owner: 'grp',
      repo: 'app',
      repoName: 'app',
      ref: { kind: 'branch', name: 'dev/next' },
      provider: 'gitlab',
    },
  ],
  [
    `https://gitlab.com/grp/app/-/commit/${SHA}`,
    {
      repoUrl: 'https://gitlab.com/grp/app.git',
      host: 'gitlab.com',
      owner: 'grp',
      repo: 'app',
      repoName: 'app',
      ref: { kind: 'commit', sha: SHA },
      provider: 'gitlab',
    },
  ],
  [
    'https://gitlab.com/grp/app/-/merge_requests/7',
    {
      repoUrl: 'https://gitlab.com/grp/app.git',
      host: 'gitlab.com',
      owner: 'grp',
      repo: 'app',
      repoName: 'app',
      ref: { kind: 'pull', number: 7, provider: 'gitlab' },
      provider: 'gitlab',
    },
  ],
  // self-hosted GitLab, recognized by /-/
  [
    'https://git.corp.example:8443/a/b/c/-/merge_requests/3/diffs',
    {
      repoUrl: 'https://git.corp.example:8443/a/b/c.git',
      host: 'git.corp.example:8443',
      owner: 'a/b',
      repo: 'c',
      repoName: 'c',
      ref: { kind: 'pull', number: 3, provider: 'gitlab' },
      provider: 'gitlab',
    },
  ],
  // Gitea / Forgejo
  [
    'https://codeberg.org/me/tool',
    { repoUrl: 'https://codeberg.org/me/tool.git', host: 'codeberg.org', owner: 'me', repo: 'tool', repoName: 'tool', ref: DEF, provider: 'gitea' },
  ],
  [
    'https://codeberg.org/me/tool/src/branch/fix/it',
    {
      repoUrl: 'https://codeberg.org/me/tool.git',
      host: 'codeberg.org',
      owner: 'me',
      repo: 'tool',
      repoName: 'tool',
      ref: { kind: 'branch', name: 'fix/it' },
      provider: 'gitea',
    },
  ],
  [
    `https://gitea.com/me/tool/commit/${SHA}`,
    {
      repoUrl: 'https://gitea.com/me/tool.git',
      host: 'gitea.com',
      owner: 'me',
      repo: 'tool',
      repoName: 'tool',
      ref: { kind: 'commit', sha: SHA },
      provider: 'gitea',
    },
  ],
  [
    `https://codeberg.org/me/tool/src/commit/${SHA}`,
    {
      repoUrl: 'https://codeberg.org/me/tool.git',
      host: 'codeberg.org',
      owner: 'me',
      repo: 'tool',
      repoName: 'tool',
      ref: { kind: 'commit', sha: SHA },
      provider: 'gitea',
    },
  ],
  [
    'https://codeberg.org/me/tool/pulls/9',
    {
      repoUrl: 'https://codeberg.org/me/tool.git',
      host: 'codeberg.org',
      owner: 'me',
      repo: 'tool',
      repoName: 'tool',
      ref: { kind: 'pull', number: 9, provider: 'gitea' },
      provider: 'gitea',
    },
  ],
  // self-hosted Gitea, recognized by /src/branch/ and /pulls/
  [
    'http://forge.lan/me/tool/src/branch/main',
    {
      repoUrl: 'http://forge.lan/me/tool.git',
      host: 'forge.lan',
      owner: 'me',
      repo: 'tool',
      repoName: 'tool',
      ref: { kind: 'branch', name: 'main' },
      provider: 'gitea',
    },
  ],
  [
    'http://forge.lan/me/tool/pulls/2',
    {
      repoUrl: 'http://forge.lan/me/tool.git',
      host: 'forge.lan',
      owner: 'me',
      repo: 'tool',
      repoName: 'tool',
      ref: { kind: 'pull', number: 2, provider: 'gitea' },
      provider: 'gitea',
    },
  ],
  // self-hosted GitHub Enterprise shape
  [
    'https://ghe.corp/team/svc/tree/release/1.x',
    {
      repoUrl: 'https://ghe.corp/team/svc.git',
      host: 'ghe.corp',
      owner: 'team',
      repo: 'svc',
      repoName: 'svc',
      ref: { kind: 'branch', name: 'release/1.x' },
      provider: 'github',
    },
  ],
  // Bitbucket
  [
    'https://bitbucket.org/team/site',
    { repoUrl: 'https://bitbucket.org/team/site.git', host: 'bitbucket.org', owner: 'team', repo: 'site', repoName: 'site', ref: DEF, provider: 'bitbucket' },
  ],
  [
    'https://bitbucket.org/team/site/src/feat/a',
    {
      repoUrl: 'https://bitbucket.org/team/site.git',
      host: 'bitbucket.org',
      owner: 'team',
      repo: 'site',
      repoName: 'site',
      ref: { kind: 'branch', name: 'feat/a' },
      provider: 'bitbucket',
    },
  ],
  [
    `https://bitbucket.org/team/site/commits/${SHA}`,
    {
      repoUrl: 'https://bitbucket.org/team/site.git',
      host: 'bitbucket.org',
      owner: 'team',
      repo: 'site',
      repoName: 'site',
      ref: { kind: 'commit', sha: SHA },
      provider: 'bitbucket',
    },
  ],
  // plain clone URLs
  [
    'git@github.com:acme/slipway.git',
    { repoUrl: 'git@github.com:acme/slipway.git', host: 'github.com', owner: 'acme', repo: 'slipway', repoName: 'slipway', ref: DEF, provider: 'github' },
  ],
  [
    'git@git.lan:team/sub/app',
    { repoUrl: 'git@git.lan:team/sub/app', host: 'git.lan', owner: 'team/sub', repo: 'app', repoName: 'app', ref: DEF, provider: 'generic' },
  ],
  [
    'ssh://git@gitlab.com:2222/grp/app.git',
    { repoUrl: 'ssh://git@gitlab.com:2222/grp/app.git', host: 'gitlab.com:2222', owner: 'grp', repo: 'app', repoName: 'app', ref: DEF, provider: 'gitlab' },
  ],
  [
    'git://git.kernel.org/pub/scm/git/git.git',
    {
      repoUrl: 'git://git.kernel.org/pub/scm/git/git.git',
      host: 'git.kernel.org',
      owner: 'pub/scm/git',
      repo: 'git',
      repoName: 'git',
      ref: DEF,
      provider: 'generic',
    },
  ],
  [
    'http://127.0.0.1:3000/app.git',
    { repoUrl: 'http://127.0.0.1:3000/app.git', host: '127.0.0.1:3000', repo: 'app', repoName: 'app', ref: DEF, provider: 'generic' },
  ],
  [
    'https://git.corp/scm/proj/repo/',
    { repoUrl: 'https://git.corp/scm/proj/repo', host: 'git.corp', owner: 'scm/proj', repo: 'repo', repoName: 'repo', ref: DEF, provider: 'generic' },
  ],
  [
    'http://[::1]:8080/team/app.git',
    { repoUrl: 'http://[::1]:8080/team/app.git', host: '[::1]:8080', owner: 'team', repo: 'app', repoName: 'app', ref: DEF, provider: 'generic' },
  ],
  [
    'https://git.corp:443/x/y.git',
    { repoUrl: 'https://git.corp/x/y.git', host: 'git.corp', owner: 'x', repo: 'y', repoName: 'y', ref: DEF, provider: 'generic' },
  ],
];

describe('parseContextUrl: accepted forms', () => {
  it.each(accepted)('%s', (input, expected) => {
    expect(parseContextUrl(input, { allowFileUrls: false })).toEqual(expected);
  });

  it('accepts file:// URLs only when allowed', () => {
    expect(parseContextUrl('file:///srv/git/app.git/', { allowFileUrls: true })).toEqual({
      repoUrl: 'file:///srv/git/app.git',
      host: null,
      repoName: 'app',
      ref: DEF,
      provider: 'generic',
    });
    expect(parseContextUrl('file://localhost/srv/app', { allowFileUrls: true }).repoUrl).toBe('file:///srv/app');
    expectRejected(() => parseContextUrl('file:///srv/git/app.git', { allowFileUrls: false }), /SLIPWAY_ALLOW_FILE_URLS=1/);
  });
});

function expectRejected(fn: () => unknown, message?: RegExp, code = 'SLIPWAY_GIT_BAD_URL'): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SlipwayError);
  const e = error as SlipwayError;
  expect(e.code).toBe(code);
  expect(e.status).toBe(400);
  if (message) expect(e.message).toMatch(message);
  if (code === 'SLIPWAY_GIT_BAD_URL') expect(e.message).toMatch(/Accepted: a clone URL/);
}

const rejected: [string, string, RegExp][] = [
  ['empty', '', /empty/],
  ['only #', '#', /empty/],
  ['random text', 'just-some-text', /not a Git repository URL/],
  ['ext:: transport', 'ext::sh -c touch% /tmp/pwned', /whitespace|transport/],
  ['ext:: without spaces', 'ext::sh', /transport/],
  ['fd:: transport', 'fd::17', /transport/],
  ['any <transport>:: form', 'foo+bar::https://x/y', /transport/],
  ['leading dash', '-oProxyCommand=evil', /start with "-"/],
  ['dash host in ssh', 'ssh://-oProxyCommand=evil/x/y', /host name/],
  ['dash user in ssh', 'ssh://-oProxyCommand=evil@host/x/y', /user name/],
  ['dash path segment', 'https://github.com/acme/-u', /start with "-"/],
  ['dash scp path', 'git@host:-repo', /start with "-"/],
  ['encoded dash segment', 'https://git.lan/a/%2Dx', /start with "-"/],
  ['--upload-pack', 'https://git.lan/a/b?--upload-pack=touch', /git options/],
  ['spaces', 'https://github.com/acme/sl ipway', /whitespace/],
  ['newline', 'https://github.com/acme/x\nfoo', /whitespace/],
  ['encoded control char', 'https://git.lan/a/b%0a', /whitespace/],
  ['credentials', 'https://user:ghp_secret@github.com/acme/slipway', /access token/],
  ['token as user', 'https://ghp_secret@github.com/acme/slipway', /access token/],
  ['ssh password', 'ssh://git:pw@host/a/b', /access token/],
  ['ftp scheme', 'ftp://host/a/b.git', /scheme "ftp:"/],
  ['javascript', 'javascript://alert(1)', /scheme/],
  ['github owner only', 'https://github.com/acme', /owner and a repository/],
  ['github issue page', 'https://github.com/acme/slipway/issues/3', /not a repository, branch, commit or pull request page/],
  ['github bad sha', 'https://github.com/acme/slipway/commit/xyz', /hexadecimal commit id/],
  ['github bad PR number', 'https://github.com/acme/slipway/pull/0', /number/],
  ['bad branch name', 'https://github.com/acme/slipway/tree/a..b', /not a valid branch name/],
  ['dot segment', 'https://git.lan/a/../b', /"\."/],
  ['backslash', 'https://git.lan/a\\b', /whitespace or control/],
  ['scheme-like scp', 'https:/github.com/a/b', /not a Git repository URL/],
  ['no host', 'https:///a/b', /host name/],
  ['no repository', 'https://git.lan/', /does not name a repository/],
];

describe('parseContextUrl: rejections', () => {
  it.each(rejected)('%s', (_name, input, message) => {
    expectRejected(() => parseContextUrl(input, { allowFileUrls: true }), message);
  });

  it('refuses Bitbucket pull requests with SLIPWAY_GIT_PR_UNSUPPORTED', () => {
    expectRejected(
      () => parseContextUrl('https://bitbucket.org/team/site/pull-requests/5', { allowFileUrls: false }),
      /source branch/,
      'SLIPWAY_GIT_PR_UNSUPPORTED',
    );
  });

  it('does not echo credentials in the message', () => {
    try {
      parseContextUrl('https://u:topsecret@github.com/a/b', { allowFileUrls: false });
    } catch (e) {
      expect(JSON.stringify(e)).not.toContain('topsecret');
      expect((e as Error).message).not.toContain('topsecret');
    }
  });
});

describe('pullRequestRef', () => {
  it.each([
    ['github', 'refs/pull/4/head'],
    ['gitea', 'refs/pull/4/head'],
    ['gitlab', 'refs/merge-requests/4/head'],
  ] as const)('%s', (provider, ref) => {
    expect(pullRequestRef(provider, 4)).toBe(ref);
  });
  it('has none for bitbucket and generic servers', () => {
    expectRejected(() => pullRequestRef('bitbucket', 4), /Bitbucket/, 'SLIPWAY_GIT_PR_UNSUPPORTED');
    expectRejected(() => pullRequestRef('generic', 4), undefined, 'SLIPWAY_GIT_PR_UNSUPPORTED');
  });
});

describe('isValidBranchName', () => {
  it.each(['main', 'feature/x', 'v1.2', 'a-b_c', 'user@x'])('accepts %s', (name) => {
    expect(isValidBranchName(name)).toBe(true);
  });
  it.each(['', '-x', '/a', 'a/', 'a..b', 'a b', 'a~1', 'a^', 'a:b', 'x.lock', 'a/.hidden', '@', 'a@{1}', 'a\\b', 'a.'])('rejects %j', (name) => {
    expect(isValidBranchName(name)).toBe(false);
  });
});

describe('mirrorKey (one mirror per repository and server)', () => {
  it.each([
    ['https://GitHub.com/acme/Slipway.git/', 'github.com/acme/Slipway'],
    ['http://github.com/acme/Slipway', 'github.com/acme/Slipway'],
    ['git@github.com:acme/Slipway.git', 'github.com/acme/Slipway'],
    ['ssh://git@github.com/acme/Slipway', 'github.com/acme/Slipway'],
    ['ssh://git@github.com:2222/acme/Slipway.git', 'github.com/acme/Slipway'],
    ['https://user:pw@github.com/acme/Slipway', 'github.com/acme/Slipway'],
    ['https://github.com:443/acme/Slipway', 'github.com/acme/Slipway'],
    ['http://127.0.0.1:3000/app.git', '127.0.0.1:3000/app'],
    ['git://Host.Example/a//b.git', 'host.example/a/b'],
    ['https://gitlab.com/grp/sub/app.git?x=1#y', 'gitlab.com/grp/sub/app'],
    ['file:///srv/git/app.git', 'file:///srv/git/app'],
    ['file://localhost/srv/git/app', 'file:///srv/git/app'],
  ])('%s → %s', (input, expected) => {
    expect(mirrorKey(input)).toBe(expected);
  });

  it('maps a forge page and its clone URLs to one key', () => {
    const pages = [
      'https://github.com/acme/slipway/tree/feature/x',
      'https://github.com/acme/slipway/pull/3',
      'git@github.com:acme/slipway.git',
      'ssh://git@github.com/acme/slipway',
    ];
    const keys = pages.map((p) => mirrorKey(parseContextUrl(p, { allowFileUrls: false }).repoUrl));
    expect(new Set(keys)).toEqual(new Set(['github.com/acme/slipway']));
  });
});
