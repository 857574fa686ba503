/**
 * Reading a repository's content at a commit, straight from the bare mirror:
 * no checkout is needed to find the definition file, hash a Docker context or
 * stream it to the image builder.
 */
import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { slipwayError } from '../core/errors.js';
import { spawnGit, type GitResult } from './run.js';

/** The definition parser's discovery interface. */
export interface FileLister {
  list(): Promise<string[]>;
  read(path: string): Promise<string | Buffer>;
}

export interface MirrorReaderDeps {
  commitOf(repoUrl: string, commit: string): Promise<{ dir: string; sha: string }>;
  git(dir: string, args: string[], input?: string): Promise<GitResult>;
}

/**
 * A repository-relative path, normalized: "" is the root. Absolute paths and
 * paths that climb out with ".." are refused (a Docker context outside the
 * repository would read the server's disk).
 */
export function cleanRepoPath(path: string): string {
  if (typeof path !== 'string' || /[\x00-\x1f\x7f]/.test(path) || path.startsWith('/')) {
    throw badPath(path);
  }
  const normal = posix.normalize(path === '' ? '.' : path).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../')) throw badPath(path);
  return normal === '.' ? '' : normal;
}

function badPath(path: string): Error {
  return slipwayError('SLIPWAY_GIT_BAD_PATH', `"${path}" is not a path inside the repository.`, {
    status: 400,
    detail: { path },
  });
}

/** Parses `cat-file --batch(-check)` header lines: "<oid> <type> <size>" or "<name> missing". */
function objectHeader(line: string): { oid: string; type: string; size: number } | null {
  const m = /^([0-9a-f]{40,64}) (\w+) (\d+)$/.exec(line);
  return m?.[1] && m[2] && m[3] ? { oid: m[1], type: m[2], size: Number(m[3]) } : null;
}

export function createMirrorReader({ commitOf, git }: MirrorReaderDeps) {
  async function listFiles(repoUrl: string, commit: string): Promise<string[]> {
    const { dir, sha } = await commitOf(repoUrl, commit);
    // -z: names verbatim, no C-style quoting of unusual characters.
    const res = await git(dir, ['ls-tree', '-r', '--name-only', '-z', sha]);
    if (res.code !== 0) throw slipwayError('SLIPWAY_GIT_FAILED', `git ls-tree failed: ${res.stderr}`);
    return res.stdout.toString('utf8').split('\0').filter(Boolean);
  }

  async function readFile(repoUrl: string, commit: string, path: string): Promise<Buffer | null> {
    const clean = cleanRepoPath(path);
    if (clean === '') return null;
    const { dir, sha } = await commitOf(repoUrl, commit);
    const res = await git(dir, ['cat-file', '--batch'], `${sha}:${clean}\n`);
    const nl = res.stdout.indexOf(0x0a);
    const header = objectHeader(res.stdout.subarray(0, nl < 0 ? 0 : nl).toString());
    if (res.code !== 0 || !header || header.type !== 'blob') return null;
    return res.stdout.subarray(nl + 1, nl + 1 + header.size);
  }

  function lister(repoUrl: string, commit: string): FileLister {
    return {
      list: () => listFiles(repoUrl, commit),
      read: async (path: string) => {
        const content = await readFile(repoUrl, commit, path);
        if (content === null) {
          throw slipwayError('SLIPWAY_GIT_PATH_NOT_FOUND', `${path} does not exist at commit ${commit}.`, {
            status: 404,
            detail: { path, commit },
          });
        }
        return content.toString('utf8');
      },
    };
  }

  async function treeOf(repoUrl: string, commit: string, folder: string): Promise<{ dir: string; tree: string }> {
    const clean = cleanRepoPath(folder);
    const { dir, sha } = await commitOf(repoUrl, commit);
    const res = await git(dir, ['cat-file', '--batch-check'], clean === '' ? `${sha}^{tree}\n` : `${sha}:${clean}\n`);
    const header = objectHeader(res.stdout.toString().trim());
    if (!header) {
      throw slipwayError('SLIPWAY_GIT_PATH_NOT_FOUND', `Folder "${folder}" does not exist at commit ${sha}.`, {
        status: 404,
        detail: { path: folder, commit: sha },
      });
    }
    // A symlink is a blob: following it could leave the repository, so it is not a folder here.
    if (header.type !== 'tree') {
      throw slipwayError('SLIPWAY_GIT_BAD_PATH', `"${folder}" is not a folder at commit ${sha}.`, {
        status: 400,
        detail: { path: folder, commit: sha },
      });
    }
    return { dir, tree: header.oid };
  }

  async function treeId(repoUrl: string, commit: string, folder: string): Promise<string> {
    return (await treeOf(repoUrl, commit, folder)).tree;
  }

  /** The object id of a file or folder at a commit (what a build can read from it), or null when absent. */
  async function objectId(repoUrl: string, commit: string, path: string): Promise<string | null> {
    const clean = cleanRepoPath(path);
    const { dir, sha } = await commitOf(repoUrl, commit);
    const res = await git(dir, ['cat-file', '--batch-check'], clean === '' ? `${sha}^{tree}\n` : `${sha}:${clean}\n`);
    return objectHeader(res.stdout.toString().trim())?.oid ?? null;
  }

  /** A tar stream of one folder at a commit, entries relative to that folder. */
  async function archive(repoUrl: string, commit: string, folder: string): Promise<Readable> {
    const { dir, tree } = await treeOf(repoUrl, commit, folder);
    const child = spawnGit({ args: ['archive', '--format=tar', tree], cwd: dir });
    const out = new PassThrough();
    const stderr: Buffer[] = [];
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin?.end();
    child.stdout?.pipe(out, { end: false });
    child.on('error', (error) => out.destroy(error));
    child.on('close', (code) => {
      if (code === 0) out.end();
      else {
        const message = `git archive failed: ${Buffer.concat(stderr).toString().trim()}`;
        out.destroy(slipwayError('SLIPWAY_GIT_FAILED', message));
      }
    });
    // A consumer that gives up (a failed build) must not leave git running.
    out.on('close', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    return out;
  }

  return { listFiles, readFile, lister, treeId, objectId, archive };
}
