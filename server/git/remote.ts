/**
 * Talking to the Git server of a repository: every clone, fetch and
 * ls-remote goes through `run` here, which
 * - checks (and pins) where it connects (egress.ts);
 * - sends the one credential of the principal it runs for, and only to the
 *   exact origin that credential was saved for. A user's open carries a token
 *   of a project that user owns; a project's prebuild or poll carries that
 *   project's own token; nothing else ever borrows a token. A refused token
 *   is an error that says which project's token to fix, never a retry with
 *   another token or with none;
 * - remembers, per repository and credential, that reading worked a moment
 *   ago, so the shared mirror serves a caller only after that caller's own
 *   credentials (or none, for a public repository) were accepted.
 */
import { createHash } from 'node:crypto';
import { slipwayError } from '../core/errors.js';
import { unreachableError, UNREACHABLE_STDERR, type EgressGuard } from './egress.js';
import { mirrorKey, tryRepoIdentity } from './identity.js';
import { redact, runGit, type GitResult } from './run.js';

/** On whose behalf git contacts a server. */
export type GitPrincipal = { user: string } | { project: string } | 'anonymous';

/** A stored access token and where it may go. */
export interface GitCredential {
  /** "user:password" is sent as is, anything else as x-access-token:<token>. */
  token: string;
  /** repoIdentity(url).credentialOrigin of the URL it was saved for. */
  origin: string;
  projectId: string;
  projectName: string;
}

/** The projects service answers this; null = no credential (anonymous). */
export type CredentialsFor = (repoUrl: string, as: GitPrincipal) => GitCredential | null;

export type NetOp = 'clone' | 'fetch' | 'ls-remote';

export interface GitLogger {
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
}

const AUTH_FAILURE =
  /could not read (username|password)|authentication failed|terminal prompts disabled|returned error: 40[13]|HTTP 40[13]|permission denied \(publickey/i;
const REDIRECT = /returned error: 30[12378]/i;
/** How long a successful read vouches for the same credential (a user's open right after the access check). */
const PROOF_MS = 60_000;

interface Auth {
  config: [string, string][];
  secrets: string[];
  credential: GitCredential | null;
  /** Identifies the credential (a hash, never the token) for caches and shared fetches. */
  key: string;
}

export function createRemote(options: { credentialsFor?: CredentialsFor; egress: EgressGuard; logger?: GitLogger; networkTimeoutMs: number }) {
  const { egress, logger } = options;
  const proofs = new Map<string, { at: number; error: Error | null }>();

  function auth(repoUrl: string, as: GitPrincipal): Auth {
    const credential = as === 'anonymous' ? null : (options.credentialsFor?.(repoUrl, as) ?? null);
    const origin = tryRepoIdentity(repoUrl)?.credentialOrigin ?? null;
    if (!credential) return { config: [], secrets: [], credential: null, key: 'anonymous' };
    // Defense in depth: the projects service matches origins too, but a token must never leave its origin.
    if (!origin || credential.origin !== origin) {
      throw slipwayError(
        'SLIPWAY_GIT_FAILED',
        `The access token of project ${credential.projectId} was saved for ${credential.origin}, not for ${origin ?? repoUrl}.`,
      );
    }
    const token = credential.token;
    const basic = Buffer.from(token.includes(':') ? token : `x-access-token:${token}`).toString('base64');
    // git matches http.<url>.* by scheme, host, port (a default port written or not) and path prefix: this origin only.
    return {
      config: [[`http.${origin}/.extraheader`, `Authorization: Basic ${basic}`]],
      secrets: [token, basic],
      credential,
      key: `${credential.projectId}:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`,
    };
  }

  function remember(key: string, error: Error | null): void {
    // Entries expire after a minute: drop the stale ones now and then rather than keep every repository forever.
    if (proofs.size > 1000) for (const [k, v] of proofs) if (Date.now() - v.at >= PROOF_MS) proofs.delete(k);
    proofs.set(key, { at: Date.now(), error });
  }

  function proofKey(repoUrl: string, key: string): string {
    return `${tryRepoIdentity(repoUrl)?.credentialOrigin ?? ''}|${mirrorKey(repoUrl)}|${key}`;
  }

  async function run(
    op: NetOp,
    repoUrl: string,
    as: GitPrincipal,
    args: string[],
    opts: { cwd?: string; timeoutMs?: number } = {},
  ): Promise<GitResult & { auth: Auth }> {
    const a = auth(repoUrl, as);
    const plan = await egress.plan(repoUrl);
    const started = Date.now();
    const res = await runGit({
      args,
      cwd: opts.cwd,
      config: [...plan.config, ...a.config],
      sshOptions: plan.sshOptions,
      timeoutMs: opts.timeoutMs ?? options.networkTimeoutMs,
    });
    const stderr = redact(res.stderr, a.secrets).trim();
    const repo = mirrorKey(repoUrl);
    if (res.code === 0) {
      remember(proofKey(repoUrl, a.key), null);
      logger?.info({ repo, op, ms: Date.now() - started }, `git ${op}`);
    } else {
      logger?.warn({ repo, op, ms: Date.now() - started, stderr }, `git ${op} failed`);
    }
    return { ...res, stderr, auth: a };
  }

  function fixHint(as: GitPrincipal, credential: GitCredential | null): string {
    if (credential) {
      return (
        `the Git server refused the access token of project "${credential.projectName}" (${credential.projectId}). ` +
        `Fix that project's access token (PATCH /api/projects/${credential.projectId} {"accessToken": "..."}) with one that can read the repository.`
      );
    }
    if (as !== 'anonymous' && 'project' in as) {
      return `project ${as.project} has no access token. Give it one that can read the repository (PATCH /api/projects/${as.project} {"accessToken": "..."}).`;
    }
    if (as !== 'anonymous') {
      return 'you have no access token for it. Register the repository as your own project with an access token that can read it (POST /api/projects).';
    }
    return 'no access token was sent.';
  }

  function error(op: NetOp, repoUrl: string, as: GitPrincipal, res: GitResult & { auth?: Auth }): Error {
    const detail = { repoUrl, stderr: res.stderr.slice(-4000) };
    const credential = res.auth?.credential ?? null;
    if (AUTH_FAILURE.test(res.stderr)) {
      return slipwayError(
        'SLIPWAY_GIT_AUTH_FAILED',
        `Could not read ${repoUrl}: the server asked for credentials (a private repository, or one that does not exist) and ${fixHint(as, credential)}`,
        { detail: { ...detail, ...(credential ? { projectId: credential.projectId } : {}) } },
      );
    }
    // Same text whatever the reason: "refused" must not be told apart from "did not answer".
    if (UNREACHABLE_STDERR.test(res.stderr)) return unreachableError();
    if (REDIRECT.test(res.stderr)) {
      return slipwayError(
        'SLIPWAY_GIT_REDIRECTED',
        `The Git server redirects ${repoUrl} elsewhere, and redirects are not followed (their target would not be checked). Use the repository's current URL.`,
        { detail },
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

  /**
   * Resolves when `as` may read `repoUrl` with its own credentials: a read with
   * them worked within the last minute, or an `ls-remote` with them works now.
   * Throws the error that read gave (auth failed, unreachable, ...).
   */
  async function prove(repoUrl: string, as: GitPrincipal): Promise<void> {
    const key = proofKey(repoUrl, auth(repoUrl, as).key);
    const known = proofs.get(key);
    if (known && Date.now() - known.at < PROOF_MS) {
      if (known.error) throw known.error;
      return;
    }
    const res = await run('ls-remote', repoUrl, as, ['ls-remote', '--heads', '--', repoUrl], { timeoutMs: 30_000 });
    if (res.code === 0) return;
    const failure = error('ls-remote', repoUrl, as, res);
    // A refusal is remembered like a success (a new token is a new key); a network hiccup is not.
    if ((failure as { code?: string }).code === 'SLIPWAY_GIT_AUTH_FAILED') remember(key, failure);
    throw failure;
  }

  return {
    run,
    error,
    prove,
    /** The credential's identity (never the token) for `as`: callers sharing one fetch must share it. */
    credentialKey: (repoUrl: string, as: GitPrincipal) => auth(repoUrl, as).key,
    hasCredential: (repoUrl: string, as: GitPrincipal) => auth(repoUrl, as).credential !== null,
  };
}

export type Remote = ReturnType<typeof createRemote>;
