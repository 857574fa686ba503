/**
 * Bare mirrors of the repositories Slipway works with, one per repository
 * under `<dataDir>/mirrors/`. Everything the server reads from a repository
 * (definition files, Dockerfile contexts, tree ids, checkouts) comes from the
 * mirror, so the forge is contacted once per push, not once per read.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { slipwayError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { assertBranchName, parseContextUrl, pullRequestRef, type GitRef } from './context-url.js';
import { createEgressGuard, type EgressOptions } from './egress.js';
import { repoIdentity } from './identity.js';
import { createMirrorReader, type FileLister } from './read.js';
import { createRemote, type CredentialsFor, type GitLogger, type GitPrincipal, type NetOp } from './remote.js';
import { runGit, type GitResult } from './run.js';

export type { GitLogger, GitPrincipal };

export interface GitMirrorsOptions {
  dataDir: string;
  logger?: GitLogger;
  /** The access token `as` may use for a repository, or null (remote.ts). */
  credentialsFor?: CredentialsFor;
  /** file:// repositories (SLIPWAY_ALLOW_FILE_URLS); refused by default. */
  allowFileUrls?: boolean;
  /** Limit for one clone/fetch/ls-remote, default 10 minutes. */
  networkTimeoutMs?: number;
  /** Where git may connect (SLIPWAY_GIT_HOSTS_ALLOW, the server's own ports, Docker subnets): egress.ts. */
  egress?: Omit<EgressOptions, 'log'>;
}

/** Every operation that may contact the Git server says on whose behalf (`as`): that picks the credential. */
export interface RemoteOptions {
  as: GitPrincipal;
  fetch?: boolean;
}

export interface ResolvedRef {
  commit: string;
  branch: string | null;
}

export type { FileLister };

export interface GitMirrors {
  dirFor(repoUrl: string): string;
  /** Clones the mirror if absent, fetches when asked; with no contact, `as` must have proven access within a minute. */
  ensure(repoUrl: string, opts: RemoteOptions): Promise<{ dir: string }>;
  /** The commit of a ref, fetching what it needs as `as`; a commit already mirrored still needs `as`'s proven access. */
  resolve(repoUrl: string, ref: GitRef, opts: RemoteOptions): Promise<ResolvedRef>;
  /** The mirror's default branch (no network); null before the first clone. */
  defaultBranch(repoUrl: string): Promise<string | null>;
  // The reads below use the mirror only, never the network: resolve the commit first.
  listFiles(repoUrl: string, commit: string): Promise<string[]>;
  /** Null when absent; SLIPWAY_GIT_FILE_TOO_LARGE above `maxBytes` (default 16 MiB), checked before reading. */
  readFile(repoUrl: string, commit: string, path: string, opts?: { maxBytes?: number }): Promise<Buffer | null>;
  /** The size of a file at a commit, without reading it; null when absent. */
  fileSize(repoUrl: string, commit: string, path: string): Promise<number | null>;
  lister(repoUrl: string, commit: string): FileLister;
  treeId(repoUrl: string, commit: string, dir: string): Promise<string>;
  objectId(repoUrl: string, commit: string, path: string): Promise<string | null>;
  archive(repoUrl: string, commit: string, dir: string): Promise<Readable>;
  createWorkingTree(repoUrl: string, commit: string, branch: string | null, destDir: string): Promise<void>;
  lsRemote(repoUrl: string, as: GitPrincipal): Promise<Map<string, string>>;
  /** Resolves when `as` can read the repository with its own credentials (remembered for a minute); throws why not. */
  proveAccess(repoUrl: string, as: GitPrincipal): Promise<void>;
  /** Whether `as` has a stored credential for this repository's exact origin (else it reads anonymously). */
  hasCredential(repoUrl: string, as: GitPrincipal): boolean;
  isAncestor(repoUrl: string, ancestor: string, descendant: string): Promise<boolean>;
  commitsBetween(repoUrl: string, ancestor: string, descendant: string): Promise<number>;
  log(repoUrl: string, branch: string, n: number): Promise<string[]>;
}

const HEADS = '+refs/heads/*:refs/heads/*';
const TAGS = '+refs/tags/*:refs/tags/*';
const REMOTE_HEAD = 'refs/slipway/remote-head';

export function createGitMirrors(options: GitMirrorsOptions): GitMirrors {
  const { dataDir, logger } = options;
  const mirrorsDir = join(dataDir, 'mirrors');
  const networkTimeoutMs = options.networkTimeoutMs ?? 600_000;
  const egress = createEgressGuard({ ...options.egress, log: (obj, msg) => logger?.warn(obj, msg) });
  const remote = createRemote({ credentialsFor: options.credentialsFor, egress, logger, networkTimeoutMs });
  const validated = new Set<string>();
  const queues = new Map<string, Promise<unknown>>();
  const refreshes = new Map<string, Promise<void>>();
  const danglingHead = new Set<string>();

  function dirFor(repoUrl: string): string {
    return join(dataDir, repoIdentity(repoUrl).mirrorPath);
  }

  /** Defense in depth: callers should have parsed the URL already, but git must never see a hostile one. */
  function check(repoUrl: string): void {
    if (validated.has(repoUrl)) return;
    const parsed = parseContextUrl(repoUrl, { allowFileUrls: options.allowFileUrls ?? false });
    if (parsed.ref.kind !== 'default') {
      throw slipwayError('SLIPWAY_GIT_BAD_URL', `"${repoUrl}" is a web page URL, not a clone URL.`);
    }
    validated.add(repoUrl);
  }

  /** Runs one write operation per mirror at a time (concurrent fetches race on ref locks). */
  function serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    queues.set(key, tail);
    void tail.then(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
    return run;
  }

  function network(op: NetOp, repoUrl: string, as: GitPrincipal, args: string[], cwd?: string) {
    return remote.run(op, repoUrl, as, args, { cwd });
  }

  async function git(dir: string, args: string[], input?: string): Promise<GitResult> {
    return runGit({ args, cwd: dir, input });
  }

  async function revParse(dir: string, rev: string): Promise<string | null> {
    const res = await git(dir, ['rev-parse', '--verify', '--quiet', rev]);
    return res.code === 0 ? res.stdout.toString().trim() : null;
  }

  async function branches(dir: string): Promise<string[]> {
    const res = await git(dir, ['for-each-ref', '--format=%(refname:strip=2)', '--sort=-committerdate', 'refs/heads/']);
    return res.stdout.toString().split('\n').filter(Boolean);
  }

  async function clone(repoUrl: string, dir: string, as: GitPrincipal): Promise<void> {
    await mkdir(mirrorsDir, { recursive: true, mode: 0o700 });
    // Clone beside the final path and rename: a half-finished clone never looks like a mirror.
    const tmp = `${dir}.tmp-${newId()}`;
    const res = await network('clone', repoUrl, as, ['clone', '--bare', '--quiet', '--', repoUrl, tmp]);
    if (res.code !== 0) {
      await rm(tmp, { recursive: true, force: true });
      throw remote.error('clone', repoUrl, as, res);
    }
    await rename(tmp, dir).catch(async (error: unknown) => {
      await rm(tmp, { recursive: true, force: true });
      if (!existsSync(dir)) throw error;
    });
  }

  async function fetch(repoUrl: string, dir: string, as: GitPrincipal): Promise<void> {
    const headRef = await git(dir, ['symbolic-ref', '--quiet', 'HEAD']);
    const headBranch = headRef.stdout.toString().trim();
    // Fetching the remote HEAD too tells us, in the same round trip, whether the
    // default branch moved. An empty remote has no HEAD to fetch, and a bare
    // repository made with `git init --bare` often has HEAD on a branch never pushed.
    let withHead = !danglingHead.has(dir) && (await branches(dir)).length > 0;
    const run = (): Promise<GitResult> => {
      const refspecs = withHead ? [HEADS, TAGS, `+HEAD:${REMOTE_HEAD}`] : [HEADS, TAGS];
      return network('fetch', repoUrl, as, ['fetch', '--prune', '--quiet', '--no-write-fetch-head', '--', repoUrl, ...refspecs], dir);
    };
    let res = await run();
    if (res.code !== 0 && withHead && /couldn't find remote ref HEAD/i.test(res.stderr)) {
      danglingHead.add(dir);
      withHead = false;
      res = await run();
    }
    if (res.code !== 0) throw remote.error('fetch', repoUrl, as, res);
    const local = headBranch ? await revParse(dir, headBranch) : null;
    const remoteHead = withHead ? await revParse(dir, REMOTE_HEAD) : null;
    if (!local || local !== remoteHead) await refreshHead(repoUrl, dir, as);
  }

  /** Points the mirror's HEAD at the remote's default branch (renamed, or first push to an empty repository). */
  async function refreshHead(repoUrl: string, dir: string, as: GitPrincipal): Promise<void> {
    const res = await network('ls-remote', repoUrl, as, ['ls-remote', '--symref', '--', repoUrl, 'HEAD']);
    const m = /^ref: (refs\/heads\/\S+)\tHEAD$/m.exec(res.stdout.toString());
    if (res.code === 0 && m?.[1]) await git(dir, ['symbolic-ref', 'HEAD', m[1]]);
  }

  /** The mirror, cloned or fetched as `as` when needed; `contacted` says whether the Git server was asked. */
  function refresh(repoUrl: string, as: GitPrincipal, wantFetch: boolean): Promise<{ dir: string; contacted: boolean }> {
    try {
      check(repoUrl);
    } catch (error) {
      return Promise.reject(error);
    }
    const dir = dirFor(repoUrl);
    if (existsSync(dir) && !wantFetch && !refreshes.has(`${dir}|${remote.credentialKey(repoUrl, as)}`)) {
      return Promise.resolve({ dir, contacted: false });
    }
    // Callers with the same credential arriving while a clone or fetch runs share it rather than
    // start another. Another credential's fetch proves nothing about this one: it waits its turn.
    const shareKey = `${dir}|${remote.credentialKey(repoUrl, as)}`;
    const running = refreshes.get(shareKey);
    if (running) return running.then(() => ({ dir, contacted: true }));
    const job = serial(dir, async () => {
      if (!existsSync(dir)) await clone(repoUrl, dir, as);
      else await fetch(repoUrl, dir, as);
    });
    refreshes.set(shareKey, job);
    const done = (): void => {
      if (refreshes.get(shareKey) === job) refreshes.delete(shareKey);
    };
    job.then(done, done);
    return job.then(() => ({ dir, contacted: true }));
  }

  async function ensure(repoUrl: string, opts: RemoteOptions): Promise<{ dir: string }> {
    const { dir, contacted } = await refresh(repoUrl, opts.as, opts.fetch ?? false);
    if (!contacted) await remote.prove(repoUrl, opts.as);
    return { dir };
  }

  /** Fetches one extra ref into the mirror as `as`, serialized with the other writes. */
  function fetchRef(repoUrl: string, dir: string, as: GitPrincipal, src: string, dest: string): Promise<GitResult> {
    return serial(dir, () => network('fetch', repoUrl, as, ['fetch', '--quiet', '--no-write-fetch-head', '--', repoUrl, `+${src}:${dest}`], dir));
  }

  function unknownBranch(repoUrl: string, name: string, existing: string[]): Error {
    const shown = existing.slice(0, 10);
    const more = existing.length > shown.length ? ` and ${existing.length - shown.length} more` : '';
    return slipwayError(
      'SLIPWAY_GIT_UNKNOWN_BRANCH',
      `Branch "${name}" does not exist in ${repoUrl}. ` + (shown.length ? `Existing branches: ${shown.join(', ')}${more}.` : 'The repository has no branches.'),
      { detail: { branch: name, branches: shown } },
    );
  }

  function unknownCommit(repoUrl: string, commit: string): Error {
    return slipwayError('SLIPWAY_GIT_UNKNOWN_COMMIT', `Commit ${commit} does not exist in ${repoUrl}.`, { detail: { commit } });
  }

  function assertCommitId(commit: string): void {
    if (!/^[0-9a-f]{4,64}$/i.test(commit)) {
      throw slipwayError('SLIPWAY_GIT_BAD_REF', `"${commit}" is not a commit id.`);
    }
  }

  /**
   * The full id of a commit already in the mirror. Reads never fetch: who a
   * fetch is for decides its credential, and a read does not know (resolve does).
   */
  async function commitOf(repoUrl: string, commit: string): Promise<{ dir: string; sha: string }> {
    assertCommitId(commit);
    check(repoUrl);
    const dir = dirFor(repoUrl);
    const sha = existsSync(dir) ? await revParse(dir, `${commit.toLowerCase()}^{commit}`) : null;
    if (!sha) throw unknownCommit(repoUrl, commit);
    return { dir, sha };
  }

  /** A commit by id: from the mirror after proving `as` may read, else fetched as `as` (then by id). */
  async function fetchCommit(repoUrl: string, commit: string, as: GitPrincipal): Promise<string> {
    assertCommitId(commit);
    const peel = `${commit.toLowerCase()}^{commit}`;
    let { dir, contacted } = await refresh(repoUrl, as, false);
    let sha = await revParse(dir, peel);
    if (!sha) {
      ({ dir, contacted } = await refresh(repoUrl, as, true));
      sha = await revParse(dir, peel);
    }
    if (!sha && /^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(commit)) {
      // Not on any branch (a deleted branch, a fork's PR): servers that allow it hand it out by id.
      // A refusal here means "no such commit": the fetch just above would have reported auth or network trouble.
      await fetchRef(repoUrl, dir, as, commit.toLowerCase(), `refs/slipway/commits/${commit.toLowerCase()}`);
      sha = await revParse(dir, peel);
    }
    if (!sha) throw unknownCommit(repoUrl, commit);
    if (!contacted) await remote.prove(repoUrl, as);
    return sha;
  }

  /** The mirror's default branch and its head: HEAD, or the obvious default when HEAD names a branch never pushed. */
  async function localDefault(dir: string): Promise<{ name: string; commit: string | null; existing: string[] }> {
    const head = (await git(dir, ['symbolic-ref', '--quiet', 'HEAD'])).stdout.toString().trim();
    const name = head.replace(/^refs\/heads\//, '');
    const commit = name ? await revParse(dir, `refs/heads/${name}^{commit}`) : null;
    if (commit) return { name, commit, existing: [] };
    const existing = await branches(dir);
    const fallback = existing.length === 1 ? existing[0] : ['main', 'master'].find((b) => existing.includes(b));
    const fallbackCommit = fallback ? await revParse(dir, `refs/heads/${fallback}^{commit}`) : null;
    if (fallback && fallbackCommit) return { name: fallback, commit: fallbackCommit, existing };
    return { name, commit: null, existing };
  }

  async function resolve(repoUrl: string, ref: GitRef, opts: RemoteOptions): Promise<ResolvedRef> {
    const { as } = opts;
    switch (ref.kind) {
      case 'commit':
        return { commit: await fetchCommit(repoUrl, ref.sha, as), branch: null };
      case 'pull': {
        const src = pullRequestRef(ref.provider, ref.number);
        const { dir } = await refresh(repoUrl, as, false);
        const dest = `refs/slipway/pull/${ref.number}`;
        const res = await fetchRef(repoUrl, dir, as, src, dest);
        if (res.code !== 0 && /couldn't find remote ref/i.test(res.stderr)) {
          throw slipwayError('SLIPWAY_GIT_UNKNOWN_PULL_REQUEST', `Pull request #${ref.number} does not exist in ${repoUrl}.`, {
            detail: { number: ref.number },
          });
        }
        if (res.code !== 0) throw remote.error('fetch', repoUrl, as, res);
        const commit = await revParse(dir, dest);
        if (!commit) throw slipwayError('SLIPWAY_GIT_FETCH_FAILED', `Pull request #${ref.number} could not be read.`);
        return { commit, branch: null };
      }
      case 'branch':
      case 'default': {
        const { dir, contacted } = await refresh(repoUrl, as, opts.fetch ?? true);
        if (!contacted) await remote.prove(repoUrl, as);
        if (ref.kind === 'branch') {
          const name = assertBranchName(ref.name);
          const commit = await revParse(dir, `refs/heads/${name}^{commit}`);
          if (commit) return { commit, branch: name };
          throw unknownBranch(repoUrl, name, await branches(dir));
        }
        const found = await localDefault(dir);
        if (found.commit) return { commit: found.commit, branch: found.name };
        if (found.existing.length === 0) {
          throw slipwayError('SLIPWAY_GIT_EMPTY_REPOSITORY', `${repoUrl} has no commits yet: push a first commit.`);
        }
        throw unknownBranch(repoUrl, found.name, found.existing);
      }
    }
  }

  async function defaultBranch(repoUrl: string): Promise<string | null> {
    check(repoUrl);
    const dir = dirFor(repoUrl);
    if (!existsSync(dir)) return null;
    const found = await localDefault(dir);
    return found.commit ? found.name : null;
  }

  async function lsRemote(repoUrl: string, as: GitPrincipal): Promise<Map<string, string>> {
    check(repoUrl);
    const res = await network('ls-remote', repoUrl, as, ['ls-remote', '--heads', '--', repoUrl]);
    if (res.code !== 0) throw remote.error('ls-remote', repoUrl, as, res);
    const heads = new Map<string, string>();
    for (const line of res.stdout.toString().split('\n')) {
      const m = /^([0-9a-f]{40,64})\trefs\/heads\/(.+)$/.exec(line);
      if (m?.[1] && m[2]) heads.set(m[2], m[1]);
    }
    return heads;
  }

  async function proveAccess(repoUrl: string, as: GitPrincipal): Promise<void> {
    check(repoUrl);
    await remote.prove(repoUrl, as);
  }

  const reader = createMirrorReader({ commitOf, git });

  async function log(repoUrl: string, branch: string, n: number): Promise<string[]> {
    assertBranchName(branch);
    check(repoUrl);
    const dir = dirFor(repoUrl);
    if (!existsSync(dir)) throw unknownBranch(repoUrl, branch, []);
    if (!(await revParse(dir, `refs/heads/${branch}`))) throw unknownBranch(repoUrl, branch, await branches(dir));
    const count = Math.max(1, Math.floor(n));
    const res = await git(dir, ['rev-list', `--max-count=${count}`, `refs/heads/${branch}`, '--']);
    if (res.code !== 0) throw slipwayError('SLIPWAY_GIT_FAILED', `git rev-list failed: ${res.stderr}`);
    return res.stdout.toString().split('\n').filter(Boolean);
  }

  return {
    dirFor,
    ensure,
    resolve,
    defaultBranch,
    ...reader,
    lsRemote,
    proveAccess,
    hasCredential: (repoUrl: string, as: GitPrincipal) => remote.hasCredential(repoUrl, as),
    log,
  };
}
