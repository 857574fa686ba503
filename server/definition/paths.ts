/**
 * Repository paths and image references. A Dockerfile and its build context
 * are read from the repository at a commit (`git archive`, DESIGN §4), so a
 * path that leaves the repository is refused here, before anything reads it.
 */
import path from 'node:path';

export type RepoPath = { ok: true; path: string } | { ok: false; reason: 'absolute' | 'escapes' | 'empty' };

/** Folder of a repository-relative file, `.` for the root. */
export function repoDirname(file: string): string {
  const dir = path.posix.dirname(file.replace(/\\/g, '/'));
  return dir === '' ? '.' : dir;
}

/**
 * Resolves `p` (as written in a definition) against `baseDir` (repository
 * relative, `.` for the root) to a normalized POSIX path from the repository
 * root without a leading `./` (`.` for the root itself).
 */
export function resolveRepoPath(baseDir: string, p: string): RepoPath {
  if (p.trim() === '') return { ok: false, reason: 'empty' };
  if (p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p)) return { ok: false, reason: 'absolute' };
  const joined = path.posix.normalize(path.posix.join(baseDir, p));
  const trimmed = joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
  if (trimmed === '..' || trimmed.startsWith('../')) return { ok: false, reason: 'escapes' };
  return { ok: true, path: trimmed === '' ? '.' : trimmed };
}

/** The message for a refused path; `where` is the key, `what` e.g. "Dockerfile". */
export function repoPathMessage(where: string, what: string, written: string, reason: 'absolute' | 'escapes' | 'empty'): string {
  switch (reason) {
    case 'empty':
      return `\`${where}\` is empty; give the ${what} path`;
    case 'absolute':
      return `\`${where}\` must be a path inside the repository, relative to it, got the absolute path ${JSON.stringify(written)}`;
    case 'escapes':
      return `\`${where}\` points outside the repository (${JSON.stringify(written)}); the ${what} must be inside it`;
  }
}

// Docker's reference grammar (distribution/reference), written out:
// [host[:port]/]component(/component)*[:tag][@digest]
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`);

/** True for a name Docker can pull, like `node:20`, `gitpod/workspace-full` or `ghcr.io/o/i@sha256:…`. */
export function isImageReference(ref: string): boolean {
  return ref.length <= 255 + 128 + 80 && REFERENCE.test(ref);
}

/** An error message for a bad image name, with a fix where one is guessable. */
export function imageReferenceMessage(where: string, ref: string): string {
  const base = `\`${where}\` must be an image name like \`node:20\` or \`ghcr.io/owner/image:tag\`, got ${JSON.stringify(ref)}`;
  const hub = /^https?:\/\/hub\.docker\.com\/(?:r\/)?(?:_\/)?([^?#]+?)\/?(?:[?#].*)?$/.exec(ref);
  if (hub?.[1]) return `${base}; that is a web page, not an image: write \`${hub[1].replace(/\/tags$/, '')}\``;
  if (/^[a-z]+:\/\//i.test(ref)) return `${base}; an image name has no scheme (drop ${JSON.stringify(ref.split('//')[0] + '//')})`;
  if (/[A-Z]/.test(repositoryPart(ref))) return `${base}; image names are lowercase`;
  if (/\s/.test(ref)) return `${base}; image names contain no spaces`;
  return base;
}

/** The repository path of a reference, without registry host, tag or digest. */
function repositoryPart(ref: string): string {
  const parts = ref.split('@')[0]!.split('/');
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) parts.shift();
  const last = parts.pop() ?? '';
  parts.push(last.split(':')[0] ?? '');
  return parts.join('/');
}
