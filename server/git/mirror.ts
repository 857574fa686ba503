/**
 * Bare mirrors of the repositories Slipway works with, one per repository
 * under `<dataDir>/mirrors/`. Everything the server reads from a repository
 * (definition files, Dockerfile contexts, tree ids, checkouts) comes from the
 * mirror, so the forge is contacted once per push, not once per read.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { slipwayError } from '../core/errors.js';
import { newId, sha256Hex } from '../core/ids.js';
import { assertBranchName, normalizeRepoUrl, parseContextUrl, pullRequestRef, type GitRef } from './context-url.js';
import { createMirrorReader, type FileLister } from './read.js';
import { httpOrigin, redact, runGit, type GitResult } from './run.js';

export interface GitLogger {
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
}

export interface GitMirrorsOptions {
  dataDir: string;
  logger?: GitLogger;
  /** Access token for an https repository, or null. "user:password" is used as is. */
  credentialsFor?: (repoUrl: string) => string | null;
  /** file:// repositories (SLIPWAY_ALLOW_FILE_URLS); refused by default. */
  allowFileUrls?: boolean;
  /** Limit for one clone/fetch/ls-remote, default 10 minutes. */
  networkTimeoutMs?: number;
}

export interface ResolvedRef {
  commit: string;
  branch: string | null;
}

export type { FileLister };

export interface GitMirrors {
  dirFor(repoUrl: string): string;
  ensure(repoUrl: string, opts?: { fetch?: boolean }): Promise<{ dir: string }>;
  resolve(repoUrl: string, ref: GitRef, opts?: { fetch?: boolean }): Promise<ResolvedRef>;
  listFiles(repoUrl: string, commit: string): Promise<string[]>;
  readFile(repoUrl: string, commit: string, path: string): Promise<Buffer | null>;
  lister(repoUrl: string, commit: string): FileLister;
  treeId(repoUrl: string, commit: string, dir: string): Promise<string>;
  objectId(repoUrl: string, commit: string, path: string): Promise<string | null>;
  archive(repoUrl: string, commit: string, dir: string): Promise<Readable>;
  createWorkingTree(repoUrl: string, commit: string, branch: string | null, destDir: string): Promise<void>;
  lsRemote(repoUrl: string): Promise<Map<string, string>>;
  /** Whether the repository can be read with no credentials at all (cached for a minute). */
  canReadAnonymously(repoUrl: string): Promise<boolean>;
  isAncestor(repoUrl: string, ancestor: string, descendant: string): Promise<boolean>;
  commitsBetween(repoUrl: string, ancestor: string, descendant: string): Promise<number>;
  log(repoUrl: string, branch: string, n: number): Promise<string[]>;
}

const HEADS = '+refs/heads/*:refs/heads/*';
const TAGS = '+refs/tags/*:refs/tags/*';
const REMOTE_HEAD = 'refs/slipway/remote-head';
const AUTH_FAILURE =
  /could not read (username|password)|authentication failed|terminal prompts disabled|returned error: 40[13]|HTTP 40[13]|permission denied \(publickey/i;

type NetOp = 'clone' | 'fetch' | 'ls-remote';

export function createGitMirrors(options: GitMirrorsOptions): GitMirrors {
  const { dataDir, logger, credentialsFor } = options;
  const mirrorsDir = join(dataDir, 'mirrors');
  const networkTimeoutMs = options.networkTimeoutMs ?? 600_000;
  const validated = new Set<string>();
  const queues = new Map<string, Promise<unknown>>();
  const refreshes = new Map<string, Promise<void>>();
  const danglingHead = new Set<string>();

  function dirFor(repoUrl: string): string {
    return join(mirrorsDir, `${sha256Hex(normalizeRepoUrl(repoUrl)).slice(0, 16)}.git`);
  }

  /** Defense in depth: callers should have parsed the URL already, but git must never see a hostile one. */
  function check(repoUrl: string): void {
    if (validated.has(repoUrl)) return;
    const parsed = parseContextUrl(repoUrl, { allowFileUrls: options.allowFileUrls ?? false });
    if (parsed.ref.kind !== 'default') {
      throw slipwayError('SLIPWAY_GIT_BAD_URL', `"${repoUrl}" is a web page URL, not a clone URL.`, { status: 400 });
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

  function auth(repoUrl: string): { config: [string, string][]; secrets: string[] } {
    const token = credentialsFor?.(repoUrl) ?? null;
    const origin = httpOrigin(repoUrl);
    if (!token || !origin) return { config: [], secrets: [] };
    const basic = Buffer.from(token.includes(':') ? token : `x-access-token:${token}`).toString('base64');
    // Scoped to the repository's server, so a redirect elsewhere does not carry the token.
    return { config: [[`http.${origin}/.extraheader`, `Authorization: Basic ${basic}`]], secrets: [token, basic] };
  }

  async function network(op: NetOp, repoUrl: string, args: string[], cwd?: string): Promise<GitResult> {
    const { config, secrets } = auth(repoUrl);
    const started = Date.now();
    const res = await runGit({ args, cwd, config, timeoutMs: networkTimeoutMs });
    const stderr = redact(res.stderr, secrets).trim();
    const repo = normalizeRepoUrl(repoUrl);
    if (res.code === 0) {
      logger?.info({ repo, op, ms: Date.now() - started }, `git ${op}`);
      return { ...res, stderr };
    }
    logger?.warn({ repo, op, ms: Date.now() - started, stderr }, `git ${op} failed`);
    return { ...res, stderr };
  }

  function networkError(op: NetOp, repoUrl: string, res: GitResult): Error {
    const detail = { repoUrl, stderr: res.stderr.slice(-4000) };
    if (AUTH_FAILURE.test(res.stderr)) {
      const hasToken = auth(repoUrl).config.length > 0;
      return slipwayError(
        'SLIPWAY_GIT_AUTH_FAILED',
        `Could not read ${repoUrl}: the server asked for credentials (a private repository, or one that does not exist) and ` +
          (hasToken ? 'refused the access token.' : 'no access token is set. Give the project an access token that can read it.'),
        { status: 403, detail },
      );
    }
    const notFound = /not found|does not exist|HTTP 404/i.test(res.stderr);
    const fatal = res.stderr.split('\n').find((l) => /^(fatal|error):/.test(l)) ?? res.stderr.split('\n').pop() ?? '';
    return slipwayError(
      op === 'clone' ? 'SLIPWAY_GIT_CLONE_FAILED' : 'SLIPWAY_GIT_FETCH_FAILED',
      `Could not ${op} ${repoUrl}: ${fatal.replace(/^(fatal|error):\s*/, '')}`,
      { status: notFound ? 404 : 502, detail },
    );
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

  async function clone(repoUrl: string, dir: string): Promise<void> {
    await mkdir(mirrorsDir, { recursive: true, mode: 0o700 });
    // Clone beside the final path and rename: a half-finished clone never looks like a mirror.
    const tmp = `${dir}.tmp-${newId()}`;
    const res = await network('clone', repoUrl, ['clone', '--bare', '--quiet', '--', repoUrl, tmp]);
    if (res.code !== 0) {
      await rm(tmp, { recursive: true, force: true });
      throw networkError('clone', repoUrl, res);
    }
    await rename(tmp, dir).catch(async (error: unknown) => {
      await rm(tmp, { recursive: true, force: true });
      if (!existsSync(dir)) throw error;
    });
  }

  async function fetch(repoUrl: string, dir: string): Promise<void> {
    const headRef = await git(dir, ['symbolic-ref', '--quiet', 'HEAD']);
    const headBranch = headRef.stdout.toString().trim();
    // Fetching the remote HEAD too tells us, in the same round trip, whether the
    // default branch moved. An empty remote has no HEAD to fetch, and a bare
    // repository made with `git init --bare` often has HEAD on a branch never pushed.
    let withHead = !danglingHead.has(dir) && (await branches(dir)).length > 0;
    const run = (): Promise<GitResult> => {
      const refspecs = withHead ? [HEADS, TAGS, `+HEAD:${REMOTE_HEAD}`] : [HEADS, TAGS];
      return network('fetch', repoUrl, ['fetch', '--prune', '--quiet', '--no-write-fetch-head', '--', repoUrl, ...refspecs], dir);
    };
    let res = await run();
    if (res.code !== 0 && withHead && /couldn't find remote ref HEAD/i.test(res.stderr)) {
      danglingHead.add(dir);
      withHead = false;
      res = await run();
    }
    if (res.code !== 0) throw networkError('fetch', repoUrl, res);
    const local = headBranch ? await revParse(dir, headBranch) : null;
    const remote = withHead ? await revParse(dir, REMOTE_HEAD) : null;
    if (!local || local !== remote) await refreshHead(repoUrl, dir);
  }

  /** Points the mirror's HEAD at the remote's default branch (renamed, or first push to an empty repository). */
  async function refreshHead(repoUrl: string, dir: string): Promise<void> {
    const res = await network('ls-remote', repoUrl, ['ls-remote', '--symref', '--', repoUrl, 'HEAD']);
    const m = /^ref: (refs\/heads\/\S+)\tHEAD$/m.exec(res.stdout.toString());
    if (res.code === 0 && m?.[1]) await git(dir, ['symbolic-ref', 'HEAD', m[1]]);
  }

  function ensure(repoUrl: string, opts: { fetch?: boolean } = {}): Promise<{ dir: string }> {
    try {
      check(repoUrl);
    } catch (error) {
      return Promise.reject(error);
    }
    const dir = dirFor(repoUrl);
    // Callers arriving while a clone or fetch runs share it rather than start another.
    const running = refreshes.get(dir);
    if (running) return running.then(() => ({ dir }));
    if (existsSync(dir) && !opts.fetch) return Promise.resolve({ dir });
    const job = serial(dir, async () => {
      if (!existsSync(dir)) await clone(repoUrl, dir);
      else await fetch(repoUrl, dir);
    });
    refreshes.set(dir, job);
    const done = (): void => {
      if (refreshes.get(dir) === job) refreshes.delete(dir);
    };
    job.then(done, done);
    return job.then(() => ({ dir }));
  }

  /** Fetches one extra ref into the mirror, serialized with the other writes. */
  function fetchRef(repoUrl: string, dir: string, src: string, dest: string): Promise<GitResult> {
    return serial(dir, () => network('fetch', repoUrl, ['fetch', '--quiet', '--no-write-fetch-head', '--', repoUrl, `+${src}:${dest}`], dir));
  }

  function unknownBranch(repoUrl: string, name: string, existing: string[]): Error {
    const shown = existing.slice(0, 10);
    const more = existing.length > shown.length ? ` and ${existing.length - shown.length} more` : '';
    return slipwayError(
      'SLIPWAY_GIT_UNKNOWN_BRANCH',
      `Branch "${name}" does not exist in ${repoUrl}. ` +
        (shown.length ? `Existing branches: ${shown.join(', ')}${more}.` : 'The repository has no branches.'),
      { status: 404, detail: { branch: name, branches: shown } },
    );
  }

  /** The full id of a commit, fetching once (and then by id) when the mirror lacks it. */
  async function commitOf(repoUrl: string, commit: string): Promise<{ dir: string; sha: string }> {
    if (!/^[0-9a-f]{4,64}$/i.test(commit)) {
      throw slipwayError('SLIPWAY_GIT_BAD_REF', `"${commit}" is not a commit id.`, { status: 400 });
    }
    const { dir } = await ensure(repoUrl);
    const peel = `${commit.toLowerCase()}^{commit}`;
    let sha = await revParse(dir, peel);
    if (!sha) {
      await ensure(repoUrl, { fetch: true });
      sha = await revParse(dir, peel);
    }
    if (!sha && /^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(commit)) {
      // Not on any branch (a deleted branch, a fork's PR): servers that allow it hand it out by id.
      await fetchRef(repoUrl, dir, commit.toLowerCase(), `refs/slipway/commits/${commit.toLowerCase()}`);
      sha = await revParse(dir, peel);
    }
    if (!sha) {
      throw slipwayError('SLIPWAY_GIT_UNKNOWN_COMMIT', `Commit ${commit} does not exist in ${repoUrl}.`, {
        status: 404,
        detail: { commit },
      });
    }
    return { dir, sha };
  }

  async function resolve(repoUrl: string, ref: GitRef, opts: { fetch?: boolean } = {}): Promise<ResolvedRef> {
    switch (ref.kind) {
      case 'commit':
        return { commit: (await commitOf(repoUrl, ref.sha)).sha, branch: null };
      case 'pull': {
        const src = pullRequestRef(ref.provider, ref.number);
        const { dir } = await ensure(repoUrl);
        const dest = `refs/slipway/pull/${ref.number}`;
        const res = await fetchRef(repoUrl, dir, src, dest);
        if (res.code !== 0 && /couldn't find remote ref/i.test(res.stderr)) {
          throw slipwayError('SLIPWAY_GIT_UNKNOWN_PULL_REQUEST', `Pull request #${ref.number} does not exist in ${repoUrl}.`, {
            status: 404,
            detail: { number: ref.number },
          });
        }
        if (res.code !== 0) throw networkError('fetch', repoUrl, res);
        const commit = await revParse(dir, dest);
        if (!commit) throw slipwayError('SLIPWAY_GIT_FETCH_FAILED', `Pull request #${ref.number} could not be read.`, { status: 502 });
        return { commit, branch: null };
      }
      case 'branch':
      case 'default': {
        const { dir } = await ensure(repoUrl, { fetch: opts.fetch ?? true });
        let name: string;
        if (ref.kind === 'branch') {
          name = assertBranchName(ref.name);
        } else {
          const head = (await git(dir, ['symbolic-ref', '--quiet', 'HEAD'])).stdout.toString().trim();
          name = head.replace(/^refs\/heads\//, '');
        }
        const commit = name ? await revParse(dir, `refs/heads/${name}^{commit}`) : null;
        if (commit) return { commit, branch: name };
        const existing = await branches(dir);
        if (ref.kind === 'default') {
          if (existing.length === 0) {
            throw slipwayError('SLIPWAY_GIT_EMPTY_REPOSITORY', `${repoUrl} has no commits yet: push a first commit.`, {
              status: 409,
            });
          }
          // The server's HEAD names a branch that does not exist: take the obvious default if there is one.
          const fallback = existing.length === 1 ? existing[0] : ['main', 'master'].find((b) => existing.includes(b));
          const fallbackCommit = fallback ? await revParse(dir, `refs/heads/${fallback}^{commit}`) : null;
          if (fallback && fallbackCommit) return { commit: fallbackCommit, branch: fallback };
        }
        throw unknownBranch(repoUrl, name, existing);
      }
    }
  }

  async function lsRemote(repoUrl: string): Promise<Map<string, string>> {
    check(repoUrl);
    const res = await network('ls-remote', repoUrl, ['ls-remote', '--heads', '--', repoUrl]);
    if (res.code !== 0) throw networkError('ls-remote', repoUrl, res);
    const heads = new Map<string, string>();
    for (const line of res.stdout.toString().split('\n')) {
      const m = /^([0-9a-f]{40,64})\trefs\/heads\/(.+)$/.exec(line);
      if (m?.[1] && m[2]) heads.set(m[2], m[1]);
    }
    return heads;
  }

  const anonymous = new Map<string, { readable: boolean; at: number }>();
  async function canReadAnonymously(repoUrl: string): Promise<boolean> {
    check(repoUrl);
    const key = normalizeRepoUrl(repoUrl);
    const cached = anonymous.get(key);
    if (cached && Date.now() - cached.at < 60_000) return cached.readable;
    // No `auth()` config here: exactly what a stranger to the repository would get.
    const res = await runGit({ args: ['ls-remote', '--heads', '--', repoUrl], timeoutMs: 30_000 });
    const readable = res.code === 0;
    anonymous.set(key, { readable, at: Date.now() });
    return readable;
  }

  async function createWorkingTree(repoUrl: string, commit: string, branch: string | null, destDir: string): Promise<void> {
    if (branch !== null) assertBranchName(branch);
    const { dir, sha } = await commitOf(repoUrl, commit);
    if (existsSync(destDir) && (await readdir(destDir)).length > 0) {
      throw slipwayError('SLIPWAY_GIT_CHECKOUT_FAILED', `${destDir} is not empty.`, { status: 500 });
    }
    const step = async (args: string[], cwd?: string): Promise<void> => {
      const res = await runGit({ args, cwd, timeoutMs: networkTimeoutMs });
      if (res.code !== 0) {
        throw slipwayError('SLIPWAY_GIT_CHECKOUT_FAILED', `git ${args[0]} failed while checking out ${repoUrl}.`, {
          status: 500,
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

  const reader = createMirrorReader({ commitOf, git });

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

  async function log(repoUrl: string, branch: string, n: number): Promise<string[]> {
    assertBranchName(branch);
    const { dir } = await ensure(repoUrl);
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
    ...reader,
    createWorkingTree,
    lsRemote,
    canReadAnonymously,
    isAncestor,
    commitsBetween,
    log,
  };
}
