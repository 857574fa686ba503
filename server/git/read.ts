/**
 * Reading a repository's content at a commit, straight from the bare mirror:
 * no checkout is needed to find the definition file, hash a Docker context or
 * stream it to the image builder.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { slipwayError } from '../core/errors.js';
import { assertBranchName } from './context-url.js';
import { runGit, spawnGit, type GitResult } from './run.js';

/** The definition parser's discovery interface. */
export interface FileLister {
  list(): Promise<string[]>;
  read(path: string): Promise<string | Buffer>;
  /** Size in bytes without reading (null when absent): a huge definition is refused before it is read. */
  size(path: string): Promise<number | null>;
}

/** Largest file `readFile` hands out by default: files read whole are small (definitions, Dockerfiles). */
export const DEFAULT_MAX_READ_BYTES = 16 * 1024 * 1024;

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
    detail: { path },
  });
}

/** Parses `cat-file --batch(-check)` header lines: "<oid> <type> <size>" or "<name> missing". */
function objectHeader(line: string): { oid: string; type: string; size: number } | null {
  const m = /^([0-9a-f]{40,64}) (\w+) (\d+)$/.exec(line);
  return m?.[1] && m[2] && m[3] ? { oid: m[1], type: m[2], size: Number(m[3]) } : null;
}

/**
 * Streams one blob out of `git cat-file --batch`: its size (the header) is
 * known before any content arrives, and git is killed when it exceeds
 * `maxBytes`. Null: no such blob; a number: the size, over the limit.
 */
function readBlob(dir: string, spec: string, maxBytes: number): Promise<Buffer | null | number | 'too-large'> {
  return new Promise((resolve, reject) => {
    const child = spawnGit({ args: ['cat-file', '--batch'], cwd: dir });
    let head = Buffer.alloc(0);
    let body: Buffer | null = null;
    let filled = 0;
    let settled = false;
    const finish = (value: Buffer | null | number | 'too-large' | Error) => {
      if (settled) return;
      settled = true;
      if (child.exitCode === null) child.kill('SIGKILL');
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (body === null) {
        head = Buffer.concat([head, chunk]);
        const nl = head.indexOf(0x0a);
        if (nl < 0) {
          if (head.length > 1024) finish(null);
          return;
        }
        const header = objectHeader(head.subarray(0, nl).toString());
        if (!header || header.type !== 'blob') return finish(null);
        if (header.size > maxBytes) return finish(header.size);
        body = Buffer.alloc(header.size);
        chunk = head.subarray(nl + 1);
        head = Buffer.alloc(0);
      }
      const take = Math.min(chunk.length, body.length - filled);
      chunk.copy(body, filled, 0, take);
      filled += take;
      if (filled === body.length) finish(body);
    });
    child.stderr?.resume();
    child.on('error', (error) => finish(error));
    child.on('close', () => {
      if (body !== null && filled === body.length) finish(body);
      else if (body === null) finish(null);
      else finish(slipwayError('SLIPWAY_GIT_FAILED', `git cat-file ended before the end of ${spec}`));
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(`${spec}\n`);
  });
}

export function createMirrorReader({ commitOf, git }: MirrorReaderDeps) {
  async function listFiles(repoUrl: string, commit: string): Promise<string[]> {
    const { dir, sha } = await commitOf(repoUrl, commit);
    // -z: names verbatim, no C-style quoting of unusual characters.
    const res = await git(dir, ['ls-tree', '-r', '--name-only', '-z', sha]);
    if (res.code !== 0) throw slipwayError('SLIPWAY_GIT_FAILED', `git ls-tree failed: ${res.stderr}`);
    return res.stdout.toString('utf8').split('\0').filter(Boolean);
  }

  async function fileSize(repoUrl: string, commit: string, path: string): Promise<number | null> {
    const clean = cleanRepoPath(path);
    if (clean === '') return null;
    const { dir, sha } = await commitOf(repoUrl, commit);
    const header = objectHeader((await git(dir, ['cat-file', '--batch-check'], `${sha}:${clean}\n`)).stdout.toString().trim());
    return header && header.type === 'blob' ? header.size : null;
  }

  /**
   * A file's content, or null when absent. The object's size comes first (the
   * `--batch` header): above `maxBytes` git is stopped before its content is
   * read, so a 300 MB file in a repository costs nothing (SLIPWAY_GIT_FILE_TOO_LARGE).
   */
  async function readFile(repoUrl: string, commit: string, path: string, opts: { maxBytes?: number } = {}): Promise<Buffer | null> {
    const clean = cleanRepoPath(path);
    if (clean === '') return null;
    const { dir, sha } = await commitOf(repoUrl, commit);
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_READ_BYTES;
    const result = await readBlob(dir, `${sha}:${clean}`, maxBytes);
    if (result === 'too-large' || typeof result === 'number') {
      const size = typeof result === 'number' ? result : null;
      throw slipwayError(
        'SLIPWAY_GIT_FILE_TOO_LARGE',
        `${clean} is ${size ?? 'over'} bytes at commit ${sha.slice(0, 12)}; files read by the server are limited to ${maxBytes} bytes.`,
        {
          detail: { path: clean, size, limit: maxBytes },
        },
      );
    }
    return result;
  }

  function lister(repoUrl: string, commit: string): FileLister {
    return {
      list: () => listFiles(repoUrl, commit),
      size: (path: string) => fileSize(repoUrl, commit, path),
      read: async (path: string) => {
        const content = await readFile(repoUrl, commit, path);
        if (content === null) {
          throw slipwayError('SLIPWAY_GIT_PATH_NOT_FOUND', `${path} does not exist at commit ${commit}.`, {
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
        detail: { path: folder, commit: sha },
      });
    }
    // A symlink is a blob: following it could leave the repository, so it is not a folder here.
    if (header.type !== 'tree') {
      throw slipwayError('SLIPWAY_GIT_BAD_PATH', `"${folder}" is not a folder at commit ${sha}.`, {
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

  /** A standalone working tree of a commit (history, real origin, tracking), cloned from the mirror. */
  async function createWorkingTree(repoUrl: string, commit: string, branch: string | null, destDir: string): Promise<void> {
    if (branch !== null) assertBranchName(branch);
    const { dir, sha } = await commitOf(repoUrl, commit);
    if (existsSync(destDir) && (await readdir(destDir)).length > 0) {
      throw slipwayError('SLIPWAY_GIT_CHECKOUT_FAILED', `${destDir} is not empty.`);
    }
    const step = async (args: string[], cwd?: string): Promise<void> => {
      const res = await runGit({ args, cwd, timeoutMs: 600_000 });
      if (res.code !== 0) {
        throw slipwayError('SLIPWAY_GIT_CHECKOUT_FAILED', `git ${args[0]} failed while checking out ${repoUrl}.`, {
          detail: { stderr: res.stderr.slice(-4000) },
        });
      }
    };
    // A plain local clone: objects are hard-linked (or copied across file systems),
    // never borrowed through alternates, so the tree stands alone once moved into a container.
    await step(['clone', '--no-checkout', '--quiet', '--', dir, destDir]);
    await step(['remote', 'set-url', 'origin', repoUrl], destDir);
    if (branch === null) {
      await step(['checkout', '--quiet', '--detach', sha], destDir);
      return;
    }
    await step(['checkout', '--quiet', '-B', branch, sha], destDir);
    // Tracking set through config: works even before origin/<branch> exists (a branch not pushed yet).
    await step(['config', `branch.${branch}.remote`, 'origin'], destDir);
    await step(['config', `branch.${branch}.merge`, `refs/heads/${branch}`], destDir);
  }

  async function isAncestor(repoUrl: string, ancestor: string, descendant: string): Promise<boolean> {
    const a = await commitOf(repoUrl, ancestor);
    const d = await commitOf(repoUrl, descendant);
    const res = await git(a.dir, ['merge-base', '--is-ancestor', a.sha, d.sha]);
    if (res.code > 1 || res.code < 0) throw slipwayError('SLIPWAY_GIT_FAILED', `git merge-base failed: ${res.stderr}`);
    return res.code === 0;
  }

  async function commitsBetween(repoUrl: string, ancestor: string, descendant: string): Promise<number> {
    const a = await commitOf(repoUrl, ancestor);
    const d = await commitOf(repoUrl, descendant);
    const res = await git(a.dir, ['rev-list', '--count', `${a.sha}..${d.sha}`]);
    if (res.code !== 0) throw slipwayError('SLIPWAY_GIT_FAILED', `git rev-list failed: ${res.stderr}`);
    return Number(res.stdout.toString().trim());
  }

  return { listFiles, readFile, fileSize, lister, treeId, objectId, archive, createWorkingTree, isAncestor, commitsBetween };
}
