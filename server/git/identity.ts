/**
 * A repository's identity: the one place that knows how a URL names a
 * repository. Every other module asks here (`repoIdentity`, `repoKey`) and
 * never parses a repository URL itself; test/unit/git/identity-boundary.test.ts
 * fails when one does. Pure: no I/O.
 *
 * A repository is compared in three ways, each on purpose:
 * - `origin` (scheme://host:port, the port always written): where git connects.
 *   A stored access token goes only to the exact `credentialOrigin` (the origin
 *   of an http(s) URL) it was saved for: another scheme or port is another server.
 * - `key` (host + path, no scheme, port, credentials, query or `.git`): the same
 *   repository whichever form names it, so a forge's https clone URL, its web
 *   URL and its ssh `git@host:owner/repo` match one project. Webhooks and
 *   projects match on it; it only selects candidates (a webhook's signature, a
 *   credential's origin still have to match), so dropping the port is harmless.
 *   The path keeps its case: some servers are case-sensitive.
 * - `mirrorPath`: one bare mirror per repository and server. Its key keeps a
 *   non-default http(s)/git port (two servers on one host are two repositories)
 *   but not an ssh port (forges serve ssh on another port than the web), so a
 *   repository fetched over https and over ssh shares one mirror.
 */
import { slipwayError } from '../core/errors.js';
import { sha256Hex } from '../core/ids.js';
import { DEFAULT_PORTS, parseContextUrl } from './context-url.js';

export type RepoScheme = 'https' | 'http' | 'ssh' | 'git' | 'file';

export interface RepoIdentity {
  /** The clone URL Slipway stores and fetches (a forge page becomes its clone URL); repoIdentity(url).url is a fixed point. */
  url: string;
  scheme: RepoScheme;
  /** Lower case, IPv6 without brackets; null for file URLs. */
  host: string | null;
  /** Always explicit (the scheme's default when the URL names none); null for file URLs. */
  port: number | null;
  /** `scheme://host:port`, port always written; null for file URLs. */
  origin: string | null;
  /** `origin` of an http(s) URL, the only schemes a stored token travels over; null otherwise. */
  credentialOrigin: string | null;
  /** The comparison key: `github.com/owner/repo`, `/srv/git/repo` for local repositories. */
  key: string;
  /** The repository's name: the checkout folder `/workspace/<name>`. */
  name: string;
  /** The bare mirror, relative to the data directory: `mirrors/<16 hex>.git`. */
  mirrorPath: string;
}

/**
 * The identity of a repository URL (a clone URL in any form, or a forge's page
 * of the repository). Throws SLIPWAY_GIT_BAD_URL (400) for anything else.
 * Whether file URLs are allowed is the caller's policy (parseContextUrl's
 * `allowFileUrls`), not part of the identity.
 */
export function repoIdentity(input: string): RepoIdentity {
  const url = parseContextUrl(input, { allowFileUrls: true });
  const endpoint = remoteEndpoint(url.repoUrl);
  const key = repoKey(url.repoUrl);
  if (key === null) throw slipwayError('SLIPWAY_GIT_BAD_URL', `"${input}" does not name a repository.`);
  const origin = endpoint ? `${endpoint.scheme}://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}` : null;
  return {
    url: url.repoUrl,
    scheme: endpoint?.scheme ?? 'file',
    host: endpoint?.host ?? null,
    port: endpoint?.port ?? null,
    origin,
    credentialOrigin: endpoint && (endpoint.scheme === 'http' || endpoint.scheme === 'https') ? origin : null,
    key,
    name: url.repoName,
    mirrorPath: `mirrors/${sha256Hex(mirrorKey(url.repoUrl)).slice(0, 16)}.git`,
  };
}

/**
 * `owner/repo` of a repository URL: the last two segments of its key's path
 * (a group's subgroups are left out: `gitlab.com/g/sub/r` is `sub/r`); null
 * for a local repository, a path of one segment, or no repository. What user
 * environment variables' repository patterns match.
 */
export function repoOwnerAndRepo(input: string): string | null {
  const identity = tryRepoIdentity(input);
  if (!identity || identity.host === null) return null;
  const segments = identity.key.split('/').slice(1);
  return segments.length >= 2 ? segments.slice(-2).join('/') : null;
}

/** Like `repoIdentity`, null instead of throwing. */
export function tryRepoIdentity(input: string): RepoIdentity | null {
  try {
    return repoIdentity(input);
  } catch {
    return null;
  }
}

/**
 * One string per mirror: lower-case host, no scheme, credentials, trailing `/`
 * or `.git`; non-default http(s)/git ports kept, ssh ports dropped (see above).
 *   https://GitHub.com/o/r.git/ → github.com/o/r;  git@github.com:o/r → github.com/o/r
 * Changing it moves every mirror on disk: test/unit/git/identity.test.ts pins a hash.
 */
export function mirrorKey(url: string): string {
  const text = url.trim().replace(/[?#].*$/s, '');
  let host: string;
  let path: string;
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(.*)$/i.exec(text);
  const scp = /^(?:[^@/:]+@)?(\[[^\]]+\]|[^/:@]+):(.*)$/.exec(text);
  if (m) {
    const scheme = (m[1] ?? '').toLowerCase();
    const authority = (m[2] ?? '').replace(/^.*@/, '');
    path = m[3] ?? '';
    if (scheme === 'file') return `file://${tidyPath(authority.toLowerCase() === 'localhost' ? path : authority + path)}`;
    const hp = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(authority);
    host = (hp?.[1] ?? authority).toLowerCase();
    const port = hp?.[2];
    if (port && scheme !== 'ssh' && port !== DEFAULT_PORTS[scheme]) host += `:${port}`;
  } else if (scp) {
    host = (scp[1] ?? '').toLowerCase();
    path = scp[2] ?? '';
  } else {
    return tidyPath(text);
  }
  return host + tidyPath(path.startsWith('/') ? path : `/${path}`);
}

function tidyPath(path: string): string {
  return path
    .replace(/\/+/g, '/')
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/\/+$/, '');
}

export interface RemoteEndpoint {
  scheme: 'http' | 'https' | 'ssh' | 'git';
  /** Lower case; IPv6 without brackets. */
  host: string;
  /** Always explicit: the scheme's default when the URL names none. */
  port: number;
}

/**
 * Where git connects for a clone URL (scp-like `host:path` is ssh), or null
 * for file URLs and anything unparsable. Lenient on purpose: the egress check
 * runs on exactly the URL git is given.
 */
export function remoteEndpoint(url: string): RemoteEndpoint | null {
  const text = url.trim();
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(text);
  let scheme: string;
  let authority: string;
  if (m) {
    scheme = (m[1] ?? '').toLowerCase();
    authority = (m[2] ?? '').replace(/^.*@/, '');
  } else {
    const scp = /^(?:[^@/:]+@)?(\[[^\]]+\]|[^/:@]+):/.exec(text);
    if (!scp) return null;
    scheme = 'ssh';
    authority = scp[1] ?? '';
  }
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'ssh' && scheme !== 'git') return null;
  const hp = m ? /^(\[[^\]]+\]|[^:]*)(?::(\d{1,5}))?$/.exec(authority) : [authority, authority, undefined];
  if (!hp || !hp[1]) return null;
  const port = Number(hp[2] || DEFAULT_PORTS[scheme]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { scheme, host: hp[1].toLowerCase().replace(/^\[|\]$/g, ''), port };
}

/**
 * `scheme://host:port` of an http(s) clone URL with the port always written
 * out, so https://h/ and https://h:443/ are one origin and http://h/ another;
 * null for other schemes (tokens travel only over http(s)).
 */
export function repoOrigin(url: string): string | null {
  return tryRepoIdentity(url)?.credentialOrigin ?? null;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
// scp-like `[user@]host:path` (what `git clone git@host:owner/repo` uses).
const SCP_LIKE = /^(?:[^@/]+@)?(\[[^\]]+\]|[^:/@[]+):(?!\/\/)(.*)$/;
// An already-made key, or a URL written without a scheme.
const BARE = /^(\[[^\]]+\]|[^/]+)\/(.+)$/;

/**
 * The comparison key of a repository URL as written anywhere (a forge's
 * payload, a stored project, a key itself), or null when it names no
 * repository. Lenient on purpose: it reads forms Slipway would not clone
 * (credentials in the URL, `git+ssh://`, a bare path); it never reaches git.
 *
 *   https://user:pw@GitHub.com/owner/repo.git/   → github.com/owner/repo
 *   git@github.com:owner/repo.git                → github.com/owner/repo
 *   ssh://git@github.com:22/owner/repo           → github.com/owner/repo
 *   file:///srv/git/repo.git, /srv/git/repo.git  → /srv/git/repo
 *
 * Scheme, credentials, port, query and fragment are dropped; the host is
 * lower-cased; the path keeps its case, loses repeated, leading and trailing
 * slashes and one trailing `.git`. Idempotent: a key is its own key.
 */
export function repoKey(url: string): string | null {
  if (typeof url !== 'string') return null;
  const text = url.trim();
  if (text === '' || /\s/.test(text)) return null;

  const scheme = SCHEME.exec(text);
  if (scheme) {
    const rest = text.slice(scheme[0].length).replace(/[?#].*$/s, '');
    if ((scheme[1] ?? '').toLowerCase() === 'file') {
      // file:///path and file://localhost/path
      const path = rest.startsWith('/') ? rest : rest.replace(/^localhost(?=\/)/i, '');
      return path.startsWith('/') ? localKey(path) : null;
    }
    const slash = rest.indexOf('/');
    if (slash < 0) return null;
    const authority = rest.slice(0, slash);
    const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
    return remoteKey(stripPort(hostPort), rest.slice(slash));
  }
  if (text.startsWith('/')) return localKey(text);

  const scp = SCP_LIKE.exec(text);
  if (scp) return remoteKey(scp[1] ?? '', scp[2] ?? '');
  const bare = BARE.exec(text);
  if (bare) return remoteKey(bare[1] ?? '', bare[2] ?? '');
  return null;
}

function stripPort(hostPort: string): string {
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    return end < 0 ? '' : hostPort.slice(0, end + 1);
  }
  const colon = hostPort.indexOf(':');
  return colon < 0 ? hostPort : hostPort.slice(0, colon);
}

function keyPath(path: string): string {
  return path
    .replace(/\/{2,}/g, '/')
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/i, '')
    .replace(/\/+$/, '');
}

function remoteKey(host: string, path: string): string | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === '' || /[/@\s]/.test(h)) return null;
  const p = keyPath(path);
  return p === '' ? null : `${h}/${p}`;
}

function localKey(path: string): string | null {
  const p = keyPath(path);
  return p === '' ? null : `/${p}`;
}
