/**
 * Server configuration, read from environment variables once at start and
 * validated there, so a typo fails the start with a message instead of
 * misbehaving later. Every variable is documented in the README.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { slipwayError } from '../core/errors.js';
import { loadImageAliases, type ImageAlias } from './image-aliases.js';

export interface ResourceLimits {
  /** CPUs per workspace (fractional), 0 = no limit. */
  cpus: number;
  /** Memory per workspace in bytes, 0 = no limit. */
  memoryBytes: number;
  /** Max processes per workspace, 0 = no limit. */
  pids: number;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Public base URL of the server, no trailing slash (used in links and GITPOD_WORKSPACE_URL). */
  publicUrl: string;
  /** Domain for port subdomains (`<port>-<id>.<domain>`), or null. May include a port: `localhost:8080`. */
  domain: string | null;
  defaultImage: string;
  allowFileUrls: boolean;
  /** SLIPWAY_GIT_HOSTS_ALLOW as given: internal Git hosts the server may connect to (parsed and checked by git/egress.ts at start). */
  gitHostsAllow: string | null;
  limits: ResourceLimits;
  /** PEM bundle made trusted inside workspaces, or null. */
  extraCaCerts: string | null;
  extraCaCertsPath: string | null;
  /** The operator's image alias map (SLIPWAY_IMAGE_ALIASES), in file order. */
  imageAliases: ImageAlias[];
  idleTimeoutMs: number;
  reconcileIntervalMs: number;
  adminPassword: string | null;
  adminToken: string | null;
  /** The shared Docker network of older versions: workspaces still on it are moved to a network of their own at start. */
  network: string;
  /** Each workspace gets its own network with a `/prefix` subnet cut from `cidr` (runtime/network.ts). */
  networkPool: { cidr: string; prefix: number };
  logLevel: string;
  prebuildConcurrency: number;
  prebuildTimeoutMs: number;
  prebuildWaitMs: number;
  prebuildsKeepPerBranch: number;
  /** Where the built web UI lives. */
  webDir: string;
  /** Largest request body accepted, in bytes (413 above it, checked while it streams in). */
  bodyLimitBytes: number;
  /** fastify's trustProxy: false (default: the socket address is the client), true, or the proxies' addresses/CIDRs. */
  trustProxy: boolean | string[];
  /** A bearer token that may read /metrics besides admins, or null. */
  metricsToken: string | null;
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw slipwayError('SLIPWAY_CONFIG_INVALID', `${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function numberVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw slipwayError('SLIPWAY_CONFIG_INVALID', `${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw slipwayError('SLIPWAY_CONFIG_INVALID', `${name} must be true or false (1/0), got "${raw}"`);
}

/** Parses sizes like `4g`, `512m`, `1073741824`. */
export function parseBytes(name: string, raw: string | undefined): number {
  if (raw === undefined || raw === '' || raw === '0') return 0;
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(raw.trim());
  if (!match) throw slipwayError('SLIPWAY_CONFIG_INVALID', `${name} must be a size like 4g or 512m, got "${raw}"`);
  const units: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.round(Number(match[1]) * (units[(match[2] ?? '').toLowerCase()] ?? 1));
}

/** Default memory per workspace: 8 GiB, or 3/4 of the host's memory when that is less (the rest keeps the server and engine alive). */
export function defaultMemoryBytes(totalBytes = os.totalmem()): number {
  const quarterGib = 256 * 1024 ** 2;
  return Math.min(8 * 1024 ** 3, Math.floor((totalBytes * 0.75) / quarterGib) * quarterGib);
}

function metricsTokenVar(env: Env): string | null {
  const raw = env.SLIPWAY_METRICS_TOKEN;
  if (!raw) return null;
  if (raw.length < 16)
    throw slipwayError('SLIPWAY_CONFIG_INVALID', 'SLIPWAY_METRICS_TOKEN must be at least 16 characters (a random secret, e.g. `openssl rand -hex 32`)');
  return raw;
}

/** SLIPWAY_TRUST_PROXY: true/false, or comma-separated proxy addresses, CIDRs or proxy-addr's names (loopback, linklocal, uniquelocal). */
function trustProxyVar(env: Env): boolean | string[] {
  const raw = env.SLIPWAY_TRUST_PROXY?.trim();
  if (!raw) return false;
  if (/^(1|true|yes|on|0|false|no|off)$/i.test(raw)) return boolVar(env, 'SLIPWAY_TRUST_PROXY', false);
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of list) {
    const [address, bits, extra] = item.split('/');
    const family = isIP(address ?? '');
    const okBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!['loopback', 'linklocal', 'uniquelocal'].includes(item) && (family === 0 || !okBits || extra !== undefined)) {
      throw slipwayError(
        'SLIPWAY_CONFIG_INVALID',
        `SLIPWAY_TRUST_PROXY must be true, false or a comma-separated list of proxy addresses or CIDRs (10.0.0.1, 10.0.0.0/8, loopback), got "${item}"`,
      );
    }
  }
  return list;
}

/** SLIPWAY_NETWORK_POOL (an IPv4 CIDR) cut into SLIPWAY_NETWORK_SUBNET_PREFIX subnets, one per workspace. */
function networkPoolVar(env: Env): { cidr: string; prefix: number } {
  const cidr = env.SLIPWAY_NETWORK_POOL?.trim() || '10.213.0.0/16';
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match || match.slice(1, 5).some((o) => Number(o) > 255) || Number(match[5]) < 8 || Number(match[5]) > 29) {
    throw slipwayError(
      'SLIPWAY_CONFIG_INVALID',
      `SLIPWAY_NETWORK_POOL must be an IPv4 range from /8 to /29 that no other network of the host uses, like 10.213.0.0/16, got "${cidr}"`,
    );
  }
  const prefix = intVar(env, 'SLIPWAY_NETWORK_SUBNET_PREFIX', 28, 16, 29);
  if (prefix < Number(match[5])) {
    throw slipwayError(
      'SLIPWAY_CONFIG_INVALID',
      `SLIPWAY_NETWORK_SUBNET_PREFIX (${prefix}) must be at least the prefix of SLIPWAY_NETWORK_POOL (${cidr}): each workspace's subnet is cut from the pool`,
    );
  }
  return { cidr, prefix };
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const port = intVar(env, 'SLIPWAY_PORT', 8080, 0, 65535);
  const host = env.SLIPWAY_HOST || '0.0.0.0';
  const dataDir = path.resolve(cwd, env.SLIPWAY_DATA_DIR || './data');
  const rawPublic = env.SLIPWAY_PUBLIC_URL || `http://localhost:${port}`;
  let publicUrl: string;
  try {
    const url = new URL(rawPublic);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    publicUrl = url.toString().replace(/\/+$/, '');
  } catch {
    throw slipwayError('SLIPWAY_CONFIG_INVALID', `SLIPWAY_PUBLIC_URL must be an http(s) URL like https://slipway.example.com, got "${rawPublic}"`);
  }
  const domain = env.SLIPWAY_DOMAIN ? env.SLIPWAY_DOMAIN.trim().toLowerCase() : null;
  if (domain !== null && !/^[a-z0-9.-]+(:\d+)?$/.test(domain)) {
    throw slipwayError('SLIPWAY_CONFIG_INVALID', `SLIPWAY_DOMAIN must be a host name (optionally with :port) like dev.example.com, got "${domain}"`);
  }
  // Unset: a default limit (one workspace cannot take the host); 0 says "no limit" explicitly.
  const cpus = env.SLIPWAY_WORKSPACE_CPUS ? Number(env.SLIPWAY_WORKSPACE_CPUS) : os.availableParallelism();
  if (!Number.isFinite(cpus) || cpus < 0) {
    throw slipwayError('SLIPWAY_CONFIG_INVALID', `SLIPWAY_WORKSPACE_CPUS must be a number of CPUs like 2 or 0.5, got "${env.SLIPWAY_WORKSPACE_CPUS}"`);
  }
  const extraCaCertsPath = env.SLIPWAY_EXTRA_CA_CERTS || null;
  let extraCaCerts: string | null = null;
  if (extraCaCertsPath) {
    try {
      extraCaCerts = readFileSync(extraCaCertsPath, 'utf8');
    } catch (cause) {
      throw slipwayError('SLIPWAY_CONFIG_INVALID', `SLIPWAY_EXTRA_CA_CERTS names "${extraCaCertsPath}", which cannot be read`, { cause });
    }
    if (!extraCaCerts.includes('-----BEGIN CERTIFICATE-----')) {
      throw slipwayError('SLIPWAY_CONFIG_INVALID', `SLIPWAY_EXTRA_CA_CERTS file "${extraCaCertsPath}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    }
  }
  return {
    port,
    host,
    dataDir,
    publicUrl,
    domain,
    defaultImage: env.SLIPWAY_DEFAULT_IMAGE || 'slipway/workspace-full',
    allowFileUrls: boolVar(env, 'SLIPWAY_ALLOW_FILE_URLS', false),
    gitHostsAllow: env.SLIPWAY_GIT_HOSTS_ALLOW?.trim() || null,
    limits: {
      cpus,
      memoryBytes: env.SLIPWAY_WORKSPACE_MEMORY ? parseBytes('SLIPWAY_WORKSPACE_MEMORY', env.SLIPWAY_WORKSPACE_MEMORY) : defaultMemoryBytes(),
      pids: intVar(env, 'SLIPWAY_WORKSPACE_PIDS', 4096, 0, 1_000_000),
    },
    extraCaCerts,
    extraCaCertsPath,
    imageAliases: loadImageAliases(env.SLIPWAY_IMAGE_ALIASES),
    // Fractions are allowed (0.05 = 3 s), which tests use.
    idleTimeoutMs: Math.round(numberVar(env, 'SLIPWAY_IDLE_TIMEOUT_MINUTES', 30, 0, 10_080) * 60_000),
    reconcileIntervalMs: intVar(env, 'SLIPWAY_RECONCILE_SECONDS', 30, 1, 3600) * 1000,
    adminPassword: env.SLIPWAY_ADMIN_PASSWORD || null,
    adminToken: env.SLIPWAY_ADMIN_TOKEN || null,
    network: env.SLIPWAY_NETWORK || 'slipway',
    networkPool: networkPoolVar(env),
    logLevel: env.SLIPWAY_LOG_LEVEL || 'info',
    prebuildConcurrency: intVar(env, 'SLIPWAY_PREBUILD_CONCURRENCY', 1, 1, 64),
    prebuildTimeoutMs: intVar(env, 'SLIPWAY_PREBUILD_TIMEOUT_MINUTES', 60, 1, 1440) * 60_000,
    prebuildWaitMs: intVar(env, 'SLIPWAY_PREBUILD_WAIT_MINUTES', 10, 0, 1440) * 60_000,
    prebuildsKeepPerBranch: intVar(env, 'SLIPWAY_PREBUILDS_KEEP', 3, 1, 1000),
    webDir: path.resolve(cwd, env.SLIPWAY_WEB_DIR || 'web/dist'),
    bodyLimitBytes: intVar(env, 'SLIPWAY_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 1024 ** 3),
    trustProxy: trustProxyVar(env),
    metricsToken: metricsTokenVar(env),
  };
}
