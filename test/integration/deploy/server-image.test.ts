/**
 * Slipway in a container (docker/server/Dockerfile, docker/compose.yaml's
 * way of running it): the image builds from the repository root with the
 * classic builder, starts as the unprivileged user with the Docker socket's
 * group, answers /api/health with Docker ok, passes its own HEALTHCHECK, and
 * (host network, as compose runs it) opens a workspace and proxies a port of
 * it. The build is skipped when an image labelled with the hash of its
 * inputs exists, so a second run takes seconds.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const IMAGE = 'slipway/server:test';
const LABEL = 'slipway.server-inputs';
const ADMIN_TOKEN = 'slw_image_test_admin_token_0123456789';

const docker = async (args: string[], timeout = 60_000) => (await run('docker', args, { cwd: root, timeout, maxBuffer: 64 * 1024 * 1024 })).stdout.trim();

/** What the build reads: the allowlist in .dockerignore, walked the same way (no node_modules, no build output). */
const INPUTS = [
  '.dockerignore',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'bin',
  'schema',
  'server',
  'web',
  'bench',
  'test/helpers',
  'docker/server',
];
const SKIP = new Set(['node_modules', 'web/dist', 'bench/results']);

async function inputsHash(): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (rel: string): Promise<void> => {
    if (SKIP.has(rel) || rel.endsWith('/node_modules')) return;
    const full = path.join(root, rel);
    if ((await stat(full)).isDirectory()) {
      for (const entry of (await readdir(full)).sort()) await walk(path.posix.join(rel, entry));
    } else {
      hash
        .update(`${rel}\0`)
        .update(await readFile(full))
        .update('\0');
    }
  };
  for (const input of INPUTS) await walk(input);
  return hash.digest('hex').slice(0, 32);
}

/** The image for the current inputs: an existing one by label, else built now. */
async function ensureImage(): Promise<string> {
  // The build fetches Node and packages over HTTPS: trust what this host trusts (a TLS-inspecting proxy).
  const hostBundle = '/etc/ssl/certs/ca-certificates.crt';
  const copied = path.join(root, 'docker/server/certs/host-ca-certificates.crt');
  if (existsSync(hostBundle) && (!existsSync(copied) || !(await readFile(copied)).equals(await readFile(hostBundle)))) await copyFile(hostBundle, copied);
  const inputs = await inputsHash();
  const existing = await docker(['images', '-q', '--filter', `label=${LABEL}=${inputs}`]);
  if (existing) {
    await docker(['tag', existing.split('\n')[0]!, IMAGE]);
    return inputs;
  }
  await docker(['build', '--force-rm', '-q', '-f', 'docker/server/Dockerfile', '--label', `${LABEL}=${inputs}`, '-t', IMAGE, '.'], 15 * 60_000);
  // Images of older inputs go (each holds its own ~100 MB of node_modules and build output); one in use stays.
  const current = await docker(['images', '-q', '--no-trunc', '--filter', `label=${LABEL}=${inputs}`]);
  for (const id of new Set((await docker(['images', '-q', '--no-trunc', '--filter', `label=${LABEL}`])).split('\n').filter(Boolean))) {
    if (!current.includes(id)) await docker(['rmi', id]).catch(() => {});
  }
  return inputs;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not in ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

let git: GitServer;
let dataDir: string;
let container: string | null = null;
let baseUrl: string;
const workspaceIds: string[] = [];
const api = async (method: string, url: string, body?: unknown) => {
  const response = await fetch(baseUrl + url, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    json: (() => {
      try {
        return JSON.parse(text);
      } catch {
        return null;
      }
    })(),
  };
};

beforeAll(async () => {
  await ensureImage();
  git = await startGitServer();
  dataDir = await mkdtemp(path.join(tmpdir(), 'slipway-image-test-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  // As compose runs it: host network, the socket, a data dir; the HEALTHCHECK sooner than its 30 s.
  container = await docker([
    'run',
    '-d',
    '--name',
    `slipway-image-test-${port}`,
    '--network',
    'host',
    '-v',
    '/var/run/docker.sock:/var/run/docker.sock',
    '-v',
    `${dataDir}:/data`,
    '-e',
    `SLIPWAY_PORT=${port}`,
    '-e',
    'SLIPWAY_HOST=127.0.0.1',
    '-e',
    `SLIPWAY_PUBLIC_URL=${baseUrl}`,
    '-e',
    `SLIPWAY_ADMIN_TOKEN=${ADMIN_TOKEN}`,
    '-e',
    'SLIPWAY_ADMIN_PASSWORD=admin-password-1',
    '-e',
    'SLIPWAY_DEFAULT_IMAGE=slipway/workspace-base',
    '-e',
    'SLIPWAY_GIT_HOSTS_ALLOW=127.0.0.1',
    '--health-interval',
    '2s',
    '--health-start-period',
    '60s',
    IMAGE,
  ]);
}, 20 * 60_000);

afterAll(async () => {
  for (const id of workspaceIds) await api('DELETE', `/api/workspaces/${id}`).catch(() => {});
  if (container) {
    const logs = await docker(['logs', '--tail', '30', container]).catch(() => '');
    if (process.env.SLIPWAY_TEST_LOGS) console.log(logs);
    await docker(['rm', '-f', container]).catch(() => {});
  }
  // Whatever the API could not delete goes too (the server labels its containers with the workspace id).
  for (const id of workspaceIds) {
    const left = await docker(['ps', '-aq', '--filter', `label=slipway.workspace=${id}`]).catch(() => '');
    if (left) await docker(['rm', '-f', ...left.split('\n')]).catch(() => {});
  }
  await git?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the server image', () => {
  it('answers /api/health with Docker ok and reports healthy', async () => {
    const health = await until('health', async () => {
      const r = await fetch(`${baseUrl}/api/health`);
      return r.status === 200 ? ((await r.json()) as { ok: boolean; docker: { ok: boolean; version: string | null } }) : null;
    });
    expect(health).toMatchObject({ ok: true, docker: { ok: true } });
    expect(health.docker.version).toMatch(/^\d+\./);
    await until('HEALTHCHECK healthy', async () => (await docker(['inspect', '--format', '{{.State.Health.Status}}', container!])) === 'healthy');
    // The web UI is in the image.
    const page = await fetch(`${baseUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script type="module"/);
  });

  it('runs node as the unprivileged slipway user with the socket group, and keeps its data in the volume', async () => {
    const status = await docker(['exec', container!, 'cat', '/proc/1/status']);
    expect(status).toMatch(/^Uid:\s+10001\s+10001\s+10001\s+10001$/m);
    const socketGid = (await stat('/var/run/docker.sock')).gid;
    expect(status.match(/^Groups:\s*(.*)$/m)![1]!.split(/\s+/)).toContain(String(socketGid));
    expect(await docker(['exec', container!, 'cat', '/proc/1/cmdline'])).toMatch(/^node\0bin\/slipway\.js\0serve/);
    expect((await stat(path.join(dataDir, 'slipway.db'))).uid).toBe(10001);
    // git at run time; no docker CLI in the image.
    expect(await docker(['exec', container!, 'git', '--version'])).toMatch(/^git version/);
    await expect(docker(['exec', container!, 'sh', '-c', 'command -v docker'])).rejects.toThrow();
  });

  it('opens a workspace and proxies its port over the workspace network (host network mode)', async () => {
    const { url } = await git.createRepo('image-test', {
      '.gitpod.yml': 'ports:\n  - port: 8000\ntasks:\n  - command: python3 -m http.server 8000 --directory "$GITPOD_REPO_ROOT"\n',
      'hello.txt': 'from the workspace\n',
    });
    const created = await api('POST', '/api/workspaces', { contextUrl: url });
    expect(created.status, created.text).toBe(202);
    workspaceIds.push(created.json.id);
    const workspace = await until('running', async () => {
      const w = (await api('GET', `/api/workspaces/${created.json.id}`)).json;
      if (w?.status === 'failed') throw new Error(`open failed: ${w.statusReason}`);
      return w?.status === 'running' ? w : null;
    });
    expect(workspace.startedFrom).toBe('cold');
    const served = await until(
      'the port',
      async () => {
        const r = await api('GET', `/ports/${workspace.id}/8000/hello.txt`);
        return r.status === 200 ? r.text : null;
      },
      60_000,
    );
    expect(served).toBe('from the workspace\n');
  });
});
