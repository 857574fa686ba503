/**
 * Context URLs: what a user pastes after `/#` to open a workspace. Pure parsing,
 * no I/O. Everything that reaches `git` later comes through here, so this is
 * also where option and transport injection are refused: a URL starting with
 * `-`, an `ext::` transport or an embedded `--upload-pack` would make git run
 * commands of the sender's choosing.
 */
import { slipwayError } from '../core/errors.js';

export type GitProvider = 'github' | 'gitlab' | 'gitea' | 'bitbucket' | 'generic';

export type GitRef =
  { kind: 'default' } | { kind: 'branch'; name: string } | { kind: 'commit'; sha: string } | { kind: 'pull'; number: number; provider: GitProvider };

export interface ContextRef {
  /** The URL to clone. */
  repoUrl: string;
  /** Lower-case host (with a non-default port); null for file URLs. */
  host: string | null;
  owner?: string;
  repo?: string;
  /** Folder name for the checkout, e.g. "slipway". */
  repoName: string;
  ref: GitRef;
  provider: GitProvider;
}

export interface ParseContextUrlOptions {
  allowFileUrls: boolean;
}

const ACCEPTED =
  'Accepted: a clone URL (https://, http://, ssh://, git:// or git@host:owner/repo.git), or the web URL ' +
  'of a repository, branch (/tree/<branch>), commit (/commit/<sha>) or pull/merge request on GitHub, ' +
  'GitLab, Gitea/Forgejo or Bitbucket.';

function bad(reason: string): never {
  throw slipwayError('SLIPWAY_GIT_BAD_URL', `${reason} ${ACCEPTED}`);
}

const KNOWN_HOSTS: Record<string, GitProvider> = {
  'github.com': 'github',
  'www.github.com': 'github',
  'gitlab.com': 'gitlab',
  'bitbucket.org': 'bitbucket',
  'codeberg.org': 'gitea',
  'gitea.com': 'gitea',
};

/** Default port of each network scheme git speaks (identity.ts makes them explicit). */
export const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443', git: '9418', ssh: '22' };
const HOST_RE = /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])$/i;
const USER_RE = /^[a-z0-9._~+][a-z0-9._~+-]*$/i;
const SHA_RE = /^[0-9a-f]{7,64}$/i;
const PR_RE = /^[1-9][0-9]{0,9}$/;

/** Git's own ref name rules (git check-ref-format), plus no leading `-`. */
export function isValidBranchName(name: string): boolean {
  if (!name || name.length > 255 || name === '@') return false;
  if (/^[-/]|[/.]$|\.lock$|\.\.|\/\/|@\{/.test(name)) return false;
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  return name.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

/**
 * Throws unless `name` is a branch name git accepts. Used wherever a branch
 * coming from outside ends up on a git command line.
 */
export function assertBranchName(name: string): string {
  if (!isValidBranchName(name)) {
    throw slipwayError('SLIPWAY_GIT_BAD_REF', `"${name}" is not a valid branch name.`);
  }
  return name;
}

interface Segment {
  raw: string;
  text: string;
}

/** Splits a path into non-empty segments, each checked for what git would misread. */
function segments(path: string): Segment[] {
  const out: Segment[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    let text: string;
    try {
      text = decodeURIComponent(raw);
    } catch {
      bad('The URL has a malformed %-escape.');
    }
    if (/[\x00-\x20\x7f\\]/.test(text)) bad('The URL contains whitespace or control characters.');
    // A lone "-" is GitLab's separator between the project and its pages.
    if (text.startsWith('-') && text !== '-') bad('A URL part may not start with "-" (git would read it as an option).');
    if (text === '.' || text === '..') bad('The URL may not contain "." or ".." path parts.');
    out.push({ raw, text });
  }
  return out;
}

const stripGit = (name: string): string => name.replace(/\.git$/i, '');

interface WebMatch {
  provider: GitProvider;
  repoSegs: Segment[];
  ref: GitRef;
}

function branchRef(parts: Segment[]): GitRef {
  const name = parts.map((p) => p.text).join('/');
  if (!isValidBranchName(name)) bad(`"${name}" is not a valid branch name.`);
  return { kind: 'branch', name };
}

function commitRef(part: Segment | undefined): GitRef {
  if (!part || !SHA_RE.test(part.text)) bad('A commit URL must end in a hexadecimal commit id.');
  return { kind: 'commit', sha: part.text.toLowerCase() };
}

function pullRef(part: Segment | undefined, provider: GitProvider): GitRef {
  if (!part || !PR_RE.test(part.text)) bad('A pull/merge request URL must end in its number.');
  if (provider === 'bitbucket') {
    throw slipwayError(
      'SLIPWAY_GIT_PR_UNSUPPORTED',
      'Bitbucket does not publish pull request refs, so a pull request cannot be opened directly: open its source branch URL instead.',
    );
  }
  return { kind: 'pull', number: Number(part.text), provider };
}

/** Detects a self-hosted forge from the URL shape, when the host is unknown. */
function shapeOf(segs: Segment[]): GitProvider {
  const t = segs.map((s) => s.text);
  if (t.indexOf('-') >= 2) return 'gitlab';
  if (t.length >= 4 && ((t[2] === 'src' && (t[3] === 'branch' || t[3] === 'commit')) || t[2] === 'pulls')) return 'gitea';
  // GitHub Enterprise shape; /commit/ alone is shared by Gitea, so it stays generic.
  if (t.length >= 4 && (t[2] === 'tree' || t[2] === 'pull')) return 'github';
  return 'generic';
}

/** Interprets the path of a forge web URL (or a plain repository path). */
function matchWeb(provider: GitProvider, segs: Segment[]): WebMatch {
  const name = provider === 'generic' ? 'This' : provider.charAt(0).toUpperCase() + provider.slice(1);
  const notPage = (): never => bad(`${name} URL is not a repository, branch, commit or pull request page.`);
  if (provider === 'gitlab') {
    const dash = segs.findIndex((s) => s.text === '-');
    const repoSegs = dash >= 0 ? segs.slice(0, dash) : segs;
    if (repoSegs.length < 2) bad('A GitLab URL needs a group and a project.');
    if (dash < 0) return { provider, repoSegs, ref: { kind: 'default' } };
    const [kind, ...rest] = segs.slice(dash + 1);
    if (kind?.text === 'tree' && rest.length) return { provider, repoSegs, ref: branchRef(rest) };
    if (kind?.text === 'commit' && rest.length === 1) return { provider, repoSegs, ref: commitRef(rest[0]) };
    if (kind?.text === 'merge_requests' && rest.length >= 1) return { provider, repoSegs, ref: pullRef(rest[0], provider) };
    return notPage();
  }
  if (segs.length < 2) bad(`${name} URL needs an owner and a repository.`);
  const repoSegs = segs.slice(0, 2);
  const [kind, ...rest] = segs.slice(2);
  const k = kind?.text;
  const r0 = rest[0];
  if (k === undefined) return { provider, repoSegs, ref: { kind: 'default' } };
  if (k === 'commit' && rest.length === 1) return { provider, repoSegs, ref: commitRef(r0) };
  switch (provider) {
    case 'github':
      if (k === 'tree' && rest.length) return { provider, repoSegs, ref: branchRef(rest) };
      if (k === 'pull' && rest.length >= 1) return { provider, repoSegs, ref: pullRef(r0, provider) };
      break;
    case 'gitea':
      if (k === 'src' && r0?.text === 'branch' && rest.length >= 2) return { provider, repoSegs, ref: branchRef(rest.slice(1)) };
      if (k === 'src' && r0?.text === 'commit' && rest.length === 2) return { provider, repoSegs, ref: commitRef(rest[1]) };
      if (k === 'pulls' && rest.length >= 1) return { provider, repoSegs, ref: pullRef(r0, provider) };
      break;
    case 'bitbucket':
      if (k === 'src' && rest.length === 1 && /^[0-9a-f]{40}$/i.test(r0?.text ?? '')) {
        return { provider, repoSegs, ref: commitRef(r0) };
      }
      if ((k === 'src' || k === 'branch') && rest.length) return { provider, repoSegs, ref: branchRef(rest) };
      if (k === 'commits' && rest.length === 1) return { provider, repoSegs, ref: commitRef(r0) };
      if (k === 'pull-requests' && rest.length >= 1) return { provider, repoSegs, ref: pullRef(r0, provider) };
      break;
    default:
      break;
  }
  return notPage();
}

function finish(repoUrl: string, host: string | null, provider: GitProvider, repoSegs: Segment[], ref: GitRef): ContextRef {
  const last = repoSegs[repoSegs.length - 1];
  const repoName = last ? stripGit(last.text) : '';
  if (!repoName || repoName.startsWith('-') || repoName.startsWith('.')) bad('The URL does not name a repository.');
  const result: ContextRef = { repoUrl, host, repoName, ref, provider };
  if (host !== null) {
    const owner = repoSegs
      .slice(0, -1)
      .map((s) => s.text)
      .join('/');
    if (owner) result.owner = owner;
    result.repo = repoName;
  }
  return result;
}

/**
 * Parses a context URL into the repository to clone and the ref to open.
 * Throws SLIPWAY_GIT_BAD_URL (400) for anything else, and
 * SLIPWAY_GIT_PR_UNSUPPORTED (400) for a Bitbucket pull request.
 */
export function parseContextUrl(input: string, opts: ParseContextUrlOptions): ContextRef {
  let text = typeof input === 'string' ? input.trim() : '';
  if (text.startsWith('#')) text = text.slice(1);
  if (text === '') bad('The context URL is empty.');
  if (/[\x00-\x20\x7f\\]/.test(text)) bad('The context URL contains whitespace or control characters.');
  // git treats `<transport>::<address>` as "run git-remote-<transport>" (ext:: runs a shell command).
  if (/^[a-z0-9+.-]*::/i.test(text)) bad('Git transport prefixes such as "ext::" or "fd::" are not allowed.');
  if (/--(upload|receive)-pack/i.test(text)) bad('The URL may not carry git options.');
  if (text.startsWith('-')) bad('A URL may not start with "-" (git would read it as an option).');

  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme) return parseSchemeUrl((scheme[1] ?? '').toLowerCase(), text.slice(scheme[0].length), opts);

  // scp-like: [user@]host:path, which git reads as ssh.
  const scp = /^(?:([^@/:]+)@)?(\[[^\]]+\]|[^/:@]+):(.+)$/.exec(text);
  if (!scp) bad('This is not a Git repository URL.');
  const [, user, rawHost = '', path = ''] = scp;
  if (user !== undefined && !USER_RE.test(user)) bad('The user name in the URL is not valid.');
  const host = rawHost.toLowerCase();
  if (!HOST_RE.test(host) || /^(https?|ssh|git|file|ftps?|rsync)$/.test(host)) bad('This is not a Git repository URL.');
  const segs = segments(path);
  const provider = KNOWN_HOSTS[host] ?? 'generic';
  return finish(text.replace(/\/+$/, ''), host, provider, segs, { kind: 'default' });
}

function parseSchemeUrl(scheme: string, rest: string, opts: ParseContextUrlOptions): ContextRef {
  const body = rest.replace(/[?#].*$/s, '');
  if (scheme === 'file') {
    if (!opts.allowFileUrls) {
      bad('file:// URLs are disabled on this server; an administrator can enable them with SLIPWAY_ALLOW_FILE_URLS=1.');
    }
    const path = body.startsWith('/') ? body : body.replace(/^localhost(?=\/)/i, '');
    if (!path.startsWith('/')) bad('A file URL must be file:///absolute/path.');
    const segs = segments(path);
    return finish(`file://${path.replace(/\/+$/, '')}`, null, 'generic', segs, { kind: 'default' });
  }
  if (!['http', 'https', 'ssh', 'git'].includes(scheme)) bad(`The URL scheme "${scheme}:" is not supported.`);

  const slash = body.indexOf('/');
  const authority = slash < 0 ? body : body.slice(0, slash);
  const path = slash < 0 ? '' : body.slice(slash);
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostPort = authority.slice(at + 1);
  if (userinfo !== undefined) {
    // An ssh user name ("git@") is not a secret; anything in an http URL may be a token.
    if (scheme !== 'ssh' || userinfo.includes(':')) {
      bad('Credentials in the URL are not accepted: remove them and give the project an access token instead.');
    }
    if (!USER_RE.test(userinfo)) bad('The user name in the URL is not valid.');
  }
  const hp = /^(\[[^\]]+\]|[^:]+)(?::([0-9]{1,5}))?$/.exec(hostPort);
  if (!hp) bad('The host name in the URL is not valid.');
  const hostname = (hp[1] ?? '').toLowerCase();
  if (!HOST_RE.test(hostname)) bad('The host name in the URL is not valid.');
  const port = hp[2] && hp[2] !== DEFAULT_PORTS[scheme] ? hp[2] : undefined;
  const host = port ? `${hostname}:${port}` : hostname;

  const segs = segments(path);
  const known = KNOWN_HOSTS[hostname];
  const isWeb = scheme === 'http' || scheme === 'https';
  if (!isWeb) {
    return finish(`${scheme}://${authority}${path.replace(/\/+$/, '')}`, host, known ?? 'generic', segs, { kind: 'default' });
  }
  // Which forge page is this? Known hosts by name, self-hosted forges by path shape;
  // a path ending in .git, or with no recognizable shape, is a plain clone URL.
  const hasGitSuffix = /\.git$/i.test(segs[segs.length - 1]?.text ?? '');
  let provider: GitProvider | null = known ?? null;
  if (!provider && !hasGitSuffix) {
    const shape = shapeOf(segs);
    if (shape !== 'generic' || (segs.length === 4 && segs[2]?.text === 'commit')) provider = shape;
  }
  if (!provider) {
    return finish(`${scheme}://${host}${path.replace(/\/+$/, '')}`, host, 'generic', segs, { kind: 'default' });
  }
  const match = matchWeb(provider, segs);
  // A forge page becomes its canonical clone URL.
  const repoPath = match.repoSegs.map((s, i, all) => (i === all.length - 1 ? stripGit(s.raw) : s.raw)).join('/');
  const repoUrl = `${scheme}://${host}/${repoPath}.git`;
  return finish(repoUrl, host, match.provider, match.repoSegs, match.ref);
}

/** The fetch refspec source of a pull/merge request head, per forge. */
export function pullRequestRef(provider: GitProvider, number: number): string {
  if (!Number.isInteger(number) || number < 1) {
    throw slipwayError('SLIPWAY_GIT_BAD_REF', `"${number}" is not a pull request number.`);
  }
  switch (provider) {
    case 'github':
    case 'gitea':
      return `refs/pull/${number}/head`;
    case 'gitlab':
      return `refs/merge-requests/${number}/head`;
    default:
      throw slipwayError(
        'SLIPWAY_GIT_PR_UNSUPPORTED',
        `${provider === 'bitbucket' ? 'Bitbucket' : 'This Git server'} does not publish pull request refs: open the source branch instead.`,
      );
  }
}
