import { describe, expect, it } from 'vitest';
import os from 'node:os';
import { defaultMemoryBytes, loadConfig, parseBytes } from '../../server/config/config.js';

describe('config', () => {
  it('has documented defaults', () => {
    const config = loadConfig({}, '/srv/slipway');
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/srv/slipway/data',
      publicUrl: 'http://localhost:8080',
      domain: null,
      defaultImage: 'slipway/workspace-full',
      allowFileUrls: false,
      idleTimeoutMs: 30 * 60_000,
      // Default limits (issue 12 item 13): the host's cores, 8 GiB or 3/4 of the host's memory, 4096 processes.
      limits: {
        cpus: os.availableParallelism(),
        memoryBytes: Math.min(8 * 1024 ** 3, Math.floor((os.totalmem() * 0.75) / 256 / 1024 ** 2) * 256 * 1024 ** 2),
        pids: 4096,
      },
      extraCaCerts: null,
      prebuildConcurrency: 1,
    });
  });

  it.each([
    ['SLIPWAY_PORT', 'eighty', /SLIPWAY_PORT must be a whole number/],
    ['SLIPWAY_PUBLIC_URL', 'ftp://x', /SLIPWAY_PUBLIC_URL must be an http\(s\) URL/],
    ['SLIPWAY_DOMAIN', 'bad domain!', /SLIPWAY_DOMAIN/],
    ['SLIPWAY_ALLOW_FILE_URLS', 'maybe', /true or false/],
    ['SLIPWAY_WORKSPACE_MEMORY', 'lots', /size like 4g/],
    ['SLIPWAY_WORKSPACE_CPUS', '-1', /number of CPUs/],
    ['SLIPWAY_EXTRA_CA_CERTS', '/no/such/file.pem', /cannot be read/],
    ['SLIPWAY_NETWORK_POOL', '10.213.0.0', /SLIPWAY_NETWORK_POOL must be an IPv4 range/],
    ['SLIPWAY_NETWORK_POOL', '10.300.0.0/16', /SLIPWAY_NETWORK_POOL must be an IPv4 range/],
    ['SLIPWAY_NETWORK_SUBNET_PREFIX', '30', /SLIPWAY_NETWORK_SUBNET_PREFIX must be a whole number from 16 to 29/],
  ])('%s=%s stops the start with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('cuts each workspace network from the pool: 10.213.0.0/16 in /28 by default; a subnet wider than the pool is refused', () => {
    expect(loadConfig({}).networkPool).toEqual({ cidr: '10.213.0.0/16', prefix: 28 });
    expect(loadConfig({ SLIPWAY_NETWORK_POOL: '172.30.0.0/20', SLIPWAY_NETWORK_SUBNET_PREFIX: '26' }).networkPool).toEqual({
      cidr: '172.30.0.0/20',
      prefix: 26,
    });
    expect(() => loadConfig({ SLIPWAY_NETWORK_POOL: '10.213.0.0/24', SLIPWAY_NETWORK_SUBNET_PREFIX: '20' })).toThrow(
      /SLIPWAY_NETWORK_SUBNET_PREFIX \(20\) must be at least the prefix of SLIPWAY_NETWORK_POOL/,
    );
  });

  it('limits by default; 0 means no limit, explicitly', () => {
    expect(loadConfig({}).limits.memoryBytes).toBeGreaterThan(0);
    expect(defaultMemoryBytes(4 * 1024 ** 3)).toBe(3 * 1024 ** 3);
    expect(defaultMemoryBytes(64 * 1024 ** 3)).toBe(8 * 1024 ** 3);
    expect(loadConfig({ SLIPWAY_WORKSPACE_CPUS: '0', SLIPWAY_WORKSPACE_MEMORY: '0', SLIPWAY_WORKSPACE_PIDS: '0' }).limits).toEqual({
      cpus: 0,
      memoryBytes: 0,
      pids: 0,
    });
  });

  it('parses sizes', () => {
    expect(parseBytes('X', '4g')).toBe(4 * 1024 ** 3);
    expect(parseBytes('X', '512m')).toBe(512 * 1024 ** 2);
    expect(parseBytes('X', '1024')).toBe(1024);
    expect(parseBytes('X', undefined)).toBe(0);
  });

  it('reads limits, the public URL without a trailing slash, and fractional idle minutes', () => {
    const config = loadConfig({
      SLIPWAY_PUBLIC_URL: 'https://dev.example.com/',
      SLIPWAY_WORKSPACE_CPUS: '1.5',
      SLIPWAY_WORKSPACE_MEMORY: '2g',
      SLIPWAY_IDLE_TIMEOUT_MINUTES: '0.5',
      SLIPWAY_DOMAIN: 'LOCALHOST:8080',
    });
    expect(config.publicUrl).toBe('https://dev.example.com');
    expect(config.limits).toEqual({ cpus: 1.5, memoryBytes: 2 * 1024 ** 3, pids: 4096 });
    expect(config.idleTimeoutMs).toBe(30_000);
    expect(config.domain).toBe('localhost:8080');
  });
});
