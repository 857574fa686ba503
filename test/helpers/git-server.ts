/**
 * A real Git server for tests: bare repositories served over HTTP by git's
 * own `git http-backend` (CGI) behind a node:http server on 127.0.0.1. Fetch
 * and push both work, so code under test talks smart HTTP exactly as it
 * would to a forge. Commits are made in a scratch clone and pushed.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

/** Environment for git in tests: deterministic identity and dates, no user or system config. */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  return {
    ...env,
    GIT_AUTHOR_NAME: 'Slipway Test',
    GIT_AUTHOR_EMAIL: 'test@slipway.invalid',
    GIT_AUTHOR_DATE: '2024-01-01T00:00:00+0000',
    GIT_COMMITTER_NAME: 'Slipway Test',
    GIT_COMMITTER_EMAIL: 'test@slipway.invalid',
    GIT_COMMITTER_DATE: '2024-01-01T00:00:00+0000',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  };
}

/** Runs git, resolving with stdout; rejects with git's stderr. */
export function runGitCommand(args: string[], cwd?: string, env: NodeJS.ProcessEnv = gitEnv()): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

export interface GitRequest {
  method: string;
  path: string;
  query: string;
  /** "<name>.git" */
  repo: string | null;
  status: number;
  /** The Authorization header as received (tests prove which credential reached which server). */
  authorization: string | null;
}

export interface CreateRepoOptions {
  branch?: string;
  /** Basic auth on this repository: any user name, the token as password. */
  private?: { token: string };
}

export interface GitServer {
  baseUrl: string;
  root: string;
  /** Every HTTP request served, in order (for counting fetches). */
  requests: GitRequest[];
  createRepo(name: string, files: Record<string, string>, opts?: CreateRepoOptions): Promise<{ url: string; dir: string }>;
  /** Writes (string) or deletes (null) files, commits and pushes; returns the new commit id. */
  commit(repoName: string, files: Record<string, string | null>, message: string, opts?: { branch?: string }): Promise<string>;
  /** Pushes a commit to any ref of the served repository, e.g. refs/pull/1/head. */
  pushRef(repoName: string, commit: string, ref: string): Promise<void>;
  /** Counts fetch-like negotiations (info/refs for upload-pack) of one repository. */
  countUploadPacks(repoName: string): number;
  close(): Promise<void>;
}

interface RepoState {
  dir: string;
  defaultBranch: string;
}

export async function startGitServer(): Promise<GitServer> {
  const base = await mkdtemp(join(tmpdir(), 'slipway-git-server-'));
  const root = join(base, 'repos');
  const work = join(base, 'work');
  await mkdir(root);
  await mkdir(work);
  const requests: GitRequest[] = [];
  const tokens = new Map<string, string>();
  const repos = new Map<string, RepoState>();
  // Each commit one minute after the previous one: deterministic, yet ordered.
  let clock = Date.parse('2024-01-01T00:00:00Z') / 1000;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = decodeURIComponent(url.pathname);
    const repo = /^\/([^/]+\.git)(?:\/|$)/.exec(path)?.[1] ?? null;
    const entry: GitRequest = {
      method: req.method ?? 'GET',
      path,
      query: url.search.slice(1),
      repo,
      status: 0,
      authorization: req.headers.authorization ?? null,
    };
    requests.push(entry);

    const token = repo ? tokens.get(repo) : undefined;
    if (token !== undefined) {
      const header = req.headers.authorization ?? '';
      const given = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString() : '';
      if (given.slice(given.indexOf(':') + 1) !== token) {
        entry.status = 401;
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="slipway-test"', 'Content-Type': 'text/plain' });
        res.end('authentication required\n');
        req.resume();
        return;
      }
    }

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: base,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      PATH_INFO: path,
      QUERY_STRING: entry.query,
      REQUEST_METHOD: entry.method,
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      REMOTE_USER: 'tester',
      SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    };
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
    // CGI passes request headers as HTTP_*; git needs HTTP_GIT_PROTOCOL (v2) and HTTP_CONTENT_ENCODING (gzip).
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') env[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] = value;
    }

    const cgi = spawn(HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(cgi.stdin);
    cgi.stdin.on('error', () => {});
    cgi.stderr.resume();
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const crlf = head.indexOf('\r\n\r\n');
      const lf = head.indexOf('\n\n');
      const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : -1;
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
        else headers[name] = value;
      }
      entry.status = status;
      res.writeHead(status, headers);
      res.write(head.subarray(end));
    });
    cgi.on('close', () => {
      if (!headersDone) {
        entry.status = 502;
        res.writeHead(502).end('bad CGI response\n');
      } else res.end();
    });
    cgi.on('error', () => res.destroy());
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const nextDate = (): Record<string, string> => {
    clock += 60;
    const date = `@${clock} +0000`;
    return { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  };

  async function writeFiles(dir: string, files: Record<string, string | null>): Promise<void> {
    for (const [file, content] of Object.entries(files)) {
      const target = join(dir, file);
      if (content === null) await rm(target, { force: true });
      else {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    }
  }

  function state(repoName: string): RepoState {
    const repo = repos.get(repoName);
    if (!repo) throw new Error(`no repository ${repoName} on this git server`);
    return repo;
  }

  async function commitIn(dir: string, message: string): Promise<string> {
    await runGitCommand(['add', '-A'], dir);
    await runGitCommand(['commit', '--quiet', '--allow-empty', '-m', message], dir, gitEnv(nextDate()));
    return (await runGitCommand(['rev-parse', 'HEAD'], dir)).trim();
  }

  async function createRepo(name: string, files: Record<string, string>, opts: CreateRepoOptions = {}): Promise<{ url: string; dir: string }> {
    const branch = opts.branch ?? 'main';
    const bare = join(root, `${name}.git`);
    await runGitCommand(['init', '--bare', '--quiet', `--initial-branch=${branch}`, bare]);
    await runGitCommand(['config', 'http.receivepack', 'true'], bare);
    // Like GitHub: any commit can be fetched by id.
    await runGitCommand(['config', 'uploadpack.allowAnySHA1InWant', 'true'], bare);
    const url = `${baseUrl}/${name}.git`;
    const dir = join(work, name);
    await runGitCommand(['init', '--quiet', `--initial-branch=${branch}`, dir]);
    await runGitCommand(['remote', 'add', 'origin', url], dir);
    if (opts.private) {
      tokens.set(`${name}.git`, opts.private.token);
      const basic = Buffer.from(`tester:${opts.private.token}`).toString('base64');
      await runGitCommand(['config', 'http.extraHeader', `Authorization: Basic ${basic}`], dir);
    }
    repos.set(name, { dir, defaultBranch: branch });
    if (Object.keys(files).length > 0) {
      await writeFiles(dir, files);
      await commitIn(dir, 'Initial commit');
      await runGitCommand(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], dir);
    }
    return { url, dir };
  }

  async function commit(repoName: string, files: Record<string, string | null>, message: string, opts: { branch?: string } = {}): Promise<string> {
    const { dir, defaultBranch } = state(repoName);
    const branch = opts.branch ?? defaultBranch;
    const current = (await runGitCommand(['symbolic-ref', '--short', 'HEAD'], dir)).trim();
    if (current !== branch) {
      const exists = await runGitCommand(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], dir).then(
        () => true,
        () => false,
      );
      await runGitCommand(exists ? ['checkout', '--quiet', branch] : ['checkout', '--quiet', '-b', branch], dir);
    }
    await writeFiles(dir, files);
    const sha = await commitIn(dir, message);
    await runGitCommand(['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`], dir);
    return sha;
  }

  async function pushRef(repoName: string, sha: string, ref: string): Promise<void> {
    await runGitCommand(['push', '--quiet', '--force', 'origin', `${sha}:${ref}`], state(repoName).dir);
  }

  function countUploadPacks(repoName: string): number {
    return requests.filter((r) => r.repo === `${repoName}.git` && r.path.endsWith('/info/refs') && r.query.includes('service=git-upload-pack')).length;
  }

  async function close(): Promise<void> {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(base, { recursive: true, force: true });
  }

  return { baseUrl, root, requests, createRepo, commit, pushRef, countUploadPacks, close };
}
