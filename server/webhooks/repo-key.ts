/**
 * Repository keys: one string per repository, whatever URL form names it, so
 * that a webhook payload's URLs can be matched to a project's `repoUrl`.
 *
 *   https://user:pw@GitHub.com/owner/repo.git/   → github.com/owner/repo
 *   git@github.com:owner/repo.git                → github.com/owner/repo
 *   ssh://git@github.com:22/owner/repo           → github.com/owner/repo
 *   file:///srv/git/repo.git, /srv/git/repo.git  → /srv/git/repo
 *
 * Rules: scheme, credentials, port, query and fragment are dropped; the host
 * is lower-cased; the path keeps its case (some servers are case-sensitive),
 * loses repeated, leading and trailing slashes and one trailing `.git`.
 * Ports are dropped because forges put the SSH port in one URL and the HTTPS
 * port in another for the same repository; two servers on one host told apart
 * only by port share keys, which is harmless: the key only selects candidate
 * secrets, and the signature still has to match one of them.
 *
 * The function is idempotent (a key normalizes to itself) and pure: no
 * imports from `git/` (which has its own `normalizeRepoUrl` for cloning).
 */
import { slipwayError } from '../core/errors.js';

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
// scp-like `[user@]host:path` (what `git clone git@host:owner/repo` uses).
const SCP_LIKE = /^(?:[^@/]+@)?(\[[^\]]+\]|[^:/@[]+):(?!\/\/)(.*)$/;
// An already-normalized key, or a URL written without a scheme.
const BARE = /^(\[[^\]]+\]|[^/]+)\/(.+)$/;

/** Returns the key of a repository URL, or null when `url` is not a repository URL. */
export function tryNormalizeRepoKey(url: string): string | null {
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

/** Like `tryNormalizeRepoKey`, but throws a 400 SlipwayError for a non-URL. */
export function normalizeRepoKey(url: string): string {
  const key = tryNormalizeRepoKey(url);
  if (key === null) {
    throw slipwayError('SLIPWAY_WEBHOOK_BAD_REPO_URL', `Not a repository URL: ${JSON.stringify(url)}`, {
      status: 400,
      detail: { url },
    });
  }
  return key;
}

function stripPort(hostPort: string): string {
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    return end < 0 ? '' : hostPort.slice(0, end + 1);
  }
  const colon = hostPort.indexOf(':');
  return colon < 0 ? hostPort : hostPort.slice(0, colon);
}

function normalizePath(path: string): string {
  let p = path.replace(/\/{2,}/g, '/').replace(/^\/+|\/+$/g, '');
  p = p.replace(/\.git$/i, '').replace(/\/+$/, '');
  return p;
}

function remoteKey(host: string, path: string): string | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === '' || /[/@\s]/.test(h)) return null;
  const p = normalizePath(path);
  if (p === '') return null;
  return `${h}/${p}`;
}

function localKey(path: string): string | null {
  const p = normalizePath(path);
  return p === '' ? null : `/${p}`;
}
