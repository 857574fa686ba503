/**
 * Running the git binary. Every call goes through here so that every call gets
 * the same guarantees: no transport that runs programs (ext::, fd::), never a
 * prompt (a private repository without a token fails at once instead of
 * hanging a request), no inherited GIT_DIR & co. from the server's own
 * environment, and secrets passed through the environment rather than argv
 * (visible in `ps`) or the repository's config file.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** `-c` settings of every git command. */
const SAFE_CONFIG = [
  'protocol.ext.allow=never',
  'protocol.fd.allow=never',
  // An empty helper resets the list: only the token we pass is ever used, no keychain UI.
  'credential.helper=',
  'core.askPass=',
  // Abort a transfer that stalls below 1 KB/s for a minute rather than hang forever.
  'http.lowSpeedLimit=1000',
  'http.lowSpeedTime=60',
  // A redirect target would be connected to without the address check (egress.ts): never follow one.
  'http.followRedirects=false',
  // Files and folders git makes in a repository's git dir are the server's alone (0600/0700), whatever the umask.
  'core.sharedRepository=0600',
];

// Inherited GIT_* variables that only configure how to reach servers; all
// others (GIT_DIR, GIT_INDEX_FILE, GIT_CONFIG_COUNT, ...) would redirect our commands.
const KEEP_GIT_ENV = new Set([
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_SSH_VARIANT',
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'GIT_SSL_NO_VERIFY',
  'GIT_EXEC_PATH',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'GIT_CONFIG_NOSYSTEM',
]);

export interface GitCall {
  args: string[];
  cwd?: string;
  /** Extra config passed as GIT_CONFIG_KEY_n/VALUE_n: never on argv, never written to disk. */
  config?: [string, string][];
  input?: string;
  timeoutMs?: number;
  /** Options added to the default ssh command (egress.ts pins the checked address this way). */
  sshOptions?: string[];
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export function gitProcessEnv(config: [string, string][] = [], sshOptions: string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_') || KEEP_GIT_ENV.has(key)) env[key] = value;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  // Empty GIT_ASKPASS stops git falling back to SSH_ASKPASS (a GUI prompt).
  env.GIT_ASKPASS = '';
  delete env.SSH_ASKPASS;
  // English messages: errors are classified by their text.
  env.LC_ALL = 'C';
  env.LANGUAGE = '';
  env.GIT_SSH_COMMAND ??= 'ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=20';
  // git runs the command through a shell: options are quoted; a custom wrapper (not plain ssh) is left alone.
  if (sshOptions.length > 0 && /^ssh(\s|$)/.test(env.GIT_SSH_COMMAND)) {
    env.GIT_SSH_COMMAND += ' ' + sshOptions.map((o) => `'${o.replace(/'/g, `'\\''`)}'`).join(' ');
  }
  env.GIT_CONFIG_COUNT = String(config.length);
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

export function spawnGit(call: GitCall): ChildProcess {
  const args = SAFE_CONFIG.flatMap((c) => ['-c', c]).concat(call.args);
  return spawn('git', args, {
    cwd: call.cwd,
    env: gitProcessEnv(call.config, call.sshOptions),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs git to completion. Resolves with its exit code (-1 on timeout); rejects only if git cannot start. */
export function runGit(call: GitCall): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawnGit(call);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, call.timeoutMs ?? 120_000);
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      let stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) stderr += `\ngit timed out after ${Math.round((call.timeoutMs ?? 120_000) / 1000)}s`;
      resolve({ code: timedOut ? -1 : (code ?? -1), stdout: Buffer.concat(out), stderr });
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(call.input ?? '');
  });
}

/** Removes tokens, Authorization headers and URL credentials from text meant for logs or clients. */
export function redact(text: string, secrets: string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out.replace(/(authorization:\s*)\S+(\s+\S+)?/gi, '$1***').replace(/(\/\/)[^/@\s]+@/g, '$1***@');
}

/** The scheme://host[:port] of an http(s) URL, used to scope the token header to that server. */
export function httpOrigin(url: string): string | null {
  const m = /^(https?:\/\/[^/?#@]+)/i.exec(url);
  return m?.[1] ? m[1].toLowerCase() : null;
}
