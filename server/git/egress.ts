/**
 * The check in front of every connection git makes for the server: resolve
 * the host, refuse internal addresses unless SLIPWAY_GIT_HOSTS_ALLOW admits
 * them (addresses.ts decides), then pin git to the addresses that were
 * checked, so a name that resolves differently a moment later (DNS
 * rebinding) still reaches only what was allowed:
 * - http(s): `http.curloptResolve` (git ≥ 2.37) hands curl the checked
 *   addresses; redirects are not followed at all (run.ts), since a redirect
 *   target would be connected to unchecked;
 * - ssh: `-o HostName=<address> -o HostKeyAlias=<host>` on the default ssh
 *   command (a custom GIT_SSH_COMMAND wrapper is checked but not pinned);
 * - git://: checked, not pinned (git resolves the name itself).
 *
 * Refused and unreachable share one error text and status, so the answer
 * tells an attacker nothing about which internal ports are open.
 */
import { lookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import { slipwayError } from '../core/errors.js';
import { decideEgress, parseAllowList, parseCidr, parseIp, type AllowEntry, type Cidr, type IpAddress } from './addresses.js';
import { remoteEndpoint } from './identity.js';

export interface EgressOptions {
  /** The raw SLIPWAY_GIT_HOSTS_ALLOW value. */
  allow?: string | null;
  /** Ports this server listens on (read at check time: a test server learns its port after start). */
  ownPorts?: () => number[];
  /** CIDR ranges of the Docker networks, when the runtime can tell. */
  internalRanges?: () => string[] | Promise<string[]>;
  /** Host name → addresses; defaults to the system resolver (the one git and curl use). */
  resolve?: (host: string) => Promise<string[]>;
  log?: (obj: Record<string, unknown>, msg: string) => void;
}

export interface EgressPlan {
  /** Extra git config for this call. */
  config: [string, string][];
  /** Extra ssh options (the address to connect to). */
  sshOptions: string[];
}

export const UNREACHABLE_MESSAGE =
  'Could not connect to the Git server of this URL: it did not answer, or its address is internal ' +
  '(loopback, a private or link-local network, a Docker network or this server itself), which this server does not connect to. ' +
  'An administrator admits an internal Git server by listing it in SLIPWAY_GIT_HOSTS_ALLOW (hosts, host:port or CIDR ranges).';

/** The one error for "refused" and "did not answer"; nothing in it depends on the URL. */
export function unreachableError(): Error {
  return slipwayError('SLIPWAY_GIT_HOST_UNREACHABLE', UNREACHABLE_MESSAGE);
}

/** git/curl/ssh messages that mean "no connection was made". */
export const UNREACHABLE_STDERR =
  /could not resolve host|couldn't resolve|resolving timed out|failed to connect|couldn't connect to server|connection refused|connection timed out|operation timed out|no route to host|network is unreachable|unable to look up|unable to connect to|could not resolve hostname|name or service not known|temporary failure in name resolution/i;

const LOOKUP_TIMEOUT_MS = 20_000;

async function systemResolve(host: string): Promise<string[]> {
  const answers = await lookup(host, { all: true, verbatim: true });
  return answers.map((a) => a.address);
}

function ownAddresses(): IpAddress[] {
  return Object.values(networkInterfaces())
    .flat()
    .map((i) => (i ? parseIp(i.address) : null))
    .filter((a): a is IpAddress => a !== null);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000}s`)), ms);
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export function createEgressGuard(options: EgressOptions = {}) {
  let allow: AllowEntry[];
  try {
    allow = parseAllowList(options.allow);
  } catch (error) {
    throw slipwayError(
      'SLIPWAY_CONFIG_INVALID',
      `SLIPWAY_GIT_HOSTS_ALLOW: ${(error as Error).message}; give comma-separated hosts, host:port, addresses or CIDR ranges, or * for all`,
    );
  }
  const resolveHost = options.resolve ?? systemResolve;
  // `*`: the operator trusts every destination; git resolves names itself (a setup where only an HTTP proxy can resolve them).
  const allowAll = allow.some((e) => e.kind === 'any');

  function refuse(repoUrl: string, reason: string): never {
    // The real reason goes to the operator's log, never to the caller.
    options.log?.({ url: repoUrl.replace(/[?#].*$/s, ''), reason }, 'git connection refused or unreachable');
    throw unreachableError();
  }

  return {
    /** Checks where git would connect for `repoUrl`; returns how to pin it there, or throws the unreachable error. */
    async plan(repoUrl: string): Promise<EgressPlan> {
      const endpoint = remoteEndpoint(repoUrl);
      if (!endpoint || allowAll) return { config: [], sshOptions: [] }; // file:// is governed by SLIPWAY_ALLOW_FILE_URLS
      const literal = parseIp(endpoint.host);
      let answers: string[];
      if (literal) answers = [endpoint.host];
      else {
        try {
          answers = await withTimeout(resolveHost(endpoint.host), LOOKUP_TIMEOUT_MS);
        } catch (error) {
          return refuse(repoUrl, `DNS: ${(error as Error).message}`);
        }
      }
      const addresses = answers.map((a) => parseIp(a)).filter((a): a is IpAddress => a !== null);
      if (addresses.length !== answers.length) return refuse(repoUrl, `unparsable address among ${answers.join(', ')}`);
      let extraInternal: Cidr[] = [];
      try {
        extraInternal = ((await options.internalRanges?.()) ?? []).map((c) => parseCidr(c)).filter((c): c is Cidr => c !== null);
      } catch {
        // The private ranges still cover Docker's default pools.
      }
      const decision = decideEgress(
        { host: endpoint.host, port: endpoint.port, addresses },
        { allow, ownPorts: options.ownPorts?.() ?? [], ownAddresses: ownAddresses(), extraInternal },
      );
      if (!decision.ok) return refuse(repoUrl, decision.reason);
      if (literal) return { config: [], sshOptions: [] };
      if (endpoint.scheme === 'http' || endpoint.scheme === 'https') {
        const list = answers.map((a) => (a.includes(':') ? `[${a.replace(/%.*$/, '')}]` : a)).join(',');
        return { config: [['http.curloptResolve', `${endpoint.host}:${endpoint.port}:${list}`]], sshOptions: [] };
      }
      if (endpoint.scheme === 'ssh') {
        return { config: [], sshOptions: ['-o', `HostName=${answers[0]!.replace(/%.*$/, '')}`, '-o', `HostKeyAlias=${endpoint.host}`] };
      }
      return { config: [], sshOptions: [] };
    },
  };
}

export type EgressGuard = ReturnType<typeof createEgressGuard>;
