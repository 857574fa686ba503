/**
 * Issue 12 item 6: a workspace reaches no other workspace and not the
 * server's own port, while the server (its port proxy) still reaches every
 * port of every workspace. Real engine, real workspaces, real connections
 * made from inside the containers (bash /dev/tcp and curl). Also: the
 * network goes with its workspace or prebuild container, and a workspace
 * left on the shared network of an older version is moved at start.
 */
import Docker from 'dockerode';
import http from 'node:http';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

const docker = new Docker();
// A legacy shared network of this test's own: the real `slipway` one is never touched.
const LEGACY = `slipway-legacy-test-${process.pid}`;
const SERVE = 'python3 -m http.server 9000 --bind 0.0.0.0';

let git: GitServer;
let s: TestServer;
let port: number;
let owner: { id: string; token: string };
let repoUrl: string;
let a: string;
let b: string;
const extraServers: TestServer[] = [];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const p = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return p;
}

async function containerOf(server: TestServer, workspaceId: string) {
  const [c] = await server.app.services.runtime.listContainers({ 'slipway.workspace': workspaceId });
  if (!c) throw new Error(`no container for ${workspaceId}`);
  return (await docker.getContainer(c.id).inspect()) as Docker.ContainerInspectInfo;
}

async function sh(server: TestServer, workspaceId: string, script: string): Promise<string> {
  const c = await containerOf(server, workspaceId);
  return (await server.app.services.runtime.exec(c.Id, { cmd: ['bash', '-c', script] })).output;
}

/** OPEN or CLOSED: a TCP connection from inside the workspace, with bash's /dev/tcp. */
async function tcpFrom(server: TestServer, workspaceId: string, host: string, p: number): Promise<string> {
  const out = await sh(server, workspaceId, `timeout 4 bash -c 'exec 3<>/dev/tcp/${host}/${p}' 2>/dev/null && echo OPEN || echo CLOSED`);
  return out.trim();
}

/** The HTTP status curl got from inside the workspace (000: no answer at all). */
async function curlFrom(server: TestServer, workspaceId: string, url: string): Promise<string> {
  const out = await sh(server, workspaceId, `curl -s -m 5 -o /dev/null -w '%{http_code}' ${url}; echo " exit=$?"`);
  return out.trim();
}

function ipOf(info: Docker.ContainerInspectInfo): string {
  const ips = Object.values(info.NetworkSettings.Networks ?? {})
    .map((n) => n.IPAddress)
    .filter(Boolean);
  if (ips.length !== 1) throw new Error(`expected one address, got ${JSON.stringify(ips)}`);
  return ips[0]!;
}

function get(path: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      })
      .on('error', reject);
  });
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function open(server: TestServer, token: string): Promise<string> {
  const created = await server.api('POST', '/api/workspaces', { contextUrl: repoUrl }, token);
  expect(created.status, created.text).toBe(202);
  const w = await server.waitForStatus(created.body.id, ['running', 'failed'], token);
  expect(w.status, JSON.stringify(w)).toBe('running');
  await until(`port 9000 of ${w.id}`, async () => (await tcpFrom(server, w.id, '127.0.0.1', 9000)) === 'OPEN');
  return w.id;
}

async function networksNamed(name: string) {
  return (await docker.listNetworks()).filter((n) => n.Name === name);
}

beforeAll(async () => {
  git = await startGitServer();
  port = await freePort();
  // Listening on every address, as a real deployment does (SLIPWAY_HOST defaults to 0.0.0.0).
  s = await startSlipway({ SLIPWAY_DOMAIN: `localhost:${port}`, SLIPWAY_NETWORK: LEGACY }, { port, host: '0.0.0.0' });
  owner = await s.newUser('netowner');
  repoUrl = (await git.createRepo('isolated', { '.gitpod.yml': `ports:\n  - port: 9000\ntasks:\n  - command: ${SERVE}\n` })).url;
  a = await open(s, owner.token);
  b = await open(s, owner.token);
});

afterAll(async () => {
  for (const server of extraServers) await server.close().catch(() => {});
  await s?.close();
  await git?.close();
  for (const n of await networksNamed(LEGACY))
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => {});
});

describe('workspaces are isolated from each other', () => {
  it('a workspace cannot open a TCP connection to a port where another workspace listens', async () => {
    const infoB = await containerOf(s, b);
    const ipB = ipOf(infoB);
    // B listens there, B itself and the host reach it: the port is open.
    expect(await tcpFrom(s, b, ipB, 9000)).toBe('OPEN');
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: ipB, port: 9000 }, () => (socket.destroy(), resolve()));
      socket.once('error', reject);
    });
    // From A: no connection.
    expect(await tcpFrom(s, a, ipB, 9000)).toBe('CLOSED');
    expect(await curlFrom(s, a, `http://${ipB}:9000/`)).toMatch(/^000 exit=[1-9]/);
  });

  it('each workspace is on a network of its own, from the configured pool', async () => {
    const infoA = await containerOf(s, a);
    const infoB = await containerOf(s, b);
    const netsA = Object.keys(infoA.NetworkSettings.Networks ?? {});
    const netsB = Object.keys(infoB.NetworkSettings.Networks ?? {});
    expect(netsA).toEqual([infoA.Name.slice(1)]);
    expect(netsB).toEqual([infoB.Name.slice(1)]);
    expect(ipOf(infoA)).toMatch(/^10\.213\./);
  });
});

describe("a workspace cannot reach the server's port", () => {
  it('neither through its gateway nor through any address of the host', async () => {
    const info = await containerOf(s, a);
    const gateways = Object.values(info.NetworkSettings.Networks ?? {})
      .map((n) => n.Gateway)
      .filter(Boolean);
    const hostAddresses = Object.values(networkInterfaces())
      .flat()
      .filter((i): i is NonNullable<typeof i> => !!i && i.family === 'IPv4' && !i.internal)
      .map((i) => i.address);
    const targets = [...new Set([...gateways, ...hostAddresses])];
    expect(targets.length).toBeGreaterThan(1);
    for (const address of targets) {
      // The server does answer on that address, to anyone but a workspace.
      const fromHost = await fetch(`http://${address}:${port}/api/health`);
      expect(fromHost.status, address).toBe(200);
      expect(await curlFrom(s, a, `http://${address}:${port}/api/health`), address).toMatch(/^000 exit=[1-9]/);
    }
  });
});

describe('the proxy still reaches every port', () => {
  it('the owner reaches the port through the path form and the subdomain form', async () => {
    const headers = { authorization: `Bearer ${owner.token}` };
    const pathForm = await get(`/ports/${a}/9000/`, headers);
    expect(pathForm.status).toBe(200);
    expect(pathForm.text).toContain('Directory listing');
    const subdomain = await get('/', { ...headers, host: `9000-${a}.localhost:${port}` });
    expect(subdomain.status).toBe(200);
    expect(subdomain.text).toContain('Directory listing');
  });
});

describe('networks come and go with their containers', () => {
  it('deleting a workspace removes its network', async () => {
    const w = await open(s, owner.token);
    const name = (await containerOf(s, w)).Name.slice(1);
    expect(await networksNamed(name)).toHaveLength(1);
    expect((await s.api('DELETE', `/api/workspaces/${w}`, undefined, owner.token)).status).toBeLessThan(300);
    expect(await networksNamed(name)).toHaveLength(0);
  });

  it('a prebuild container runs on a network of its own, removed with the container', async () => {
    const prebuildRepo = (await git.createRepo('isolated-prebuild', { '.gitpod.yml': 'tasks:\n  - init: sleep 4\n' })).url;
    const project = await s.api('POST', '/api/projects', { repoUrl: prebuildRepo, pollIntervalSeconds: 0 });
    expect(project.status, project.text).toBe(201);
    const triggered = await s.api('POST', `/api/projects/${project.body.id}/prebuilds`, {});
    expect(triggered.status, triggered.text).toBeLessThan(300);
    const id = triggered.body.id as string;
    const name = `slipway-prebuild-${id}`;
    const running = await until('the prebuild container', async () => {
      const [c] = await docker.listContainers({ filters: { name: [name] } });
      return c ? ((await docker.getContainer(c.Id).inspect()) as Docker.ContainerInspectInfo) : null;
    });
    expect(Object.keys(running.NetworkSettings.Networks ?? {})).toEqual([name]);
    await until('the prebuild', async () => ['ready', 'failed'].includes((await s.api('GET', `/api/prebuilds/${id}`)).body.status));
    expect((await s.api('GET', `/api/prebuilds/${id}`)).body.status).toBe('ready');
    await until('the network gone', async () => (await networksNamed(name)).length === 0, 10_000);
  });
});

describe('upgrade from the shared network', () => {
  it('a workspace left on the shared network of an older version is moved to a network of its own at start', async () => {
    const dataDir = `${s.dataDir}-upgrade`;
    const first = await startSlipway({ SLIPWAY_NETWORK: LEGACY }, { dataDir, host: '0.0.0.0' });
    extraServers.push(first);
    const firstOwner = await first.newUser('upgradeowner');
    const w = await open(first, firstOwner.token);
    await first.stop();

    // What an older version left: the container on the shared network only, no network of its own.
    const info = await containerOf(first, w);
    const own = info.Name.slice(1);
    const legacy = (await networksNamed(LEGACY))[0] ?? (await docker.createNetwork({ Name: LEGACY, Driver: 'bridge', Labels: { 'slipway.kind': 'network' } }));
    const legacyId = 'Id' in legacy ? legacy.Id : (legacy as Docker.Network).id;
    await docker.getNetwork(legacyId).connect({ Container: info.Id });
    await docker.getNetwork(own).disconnect({ Container: info.Id, Force: true });
    await docker.getNetwork(own).remove();
    const before = (await docker.getContainer(info.Id).inspect()) as Docker.ContainerInspectInfo;
    expect(Object.keys(before.NetworkSettings.Networks ?? {})).toEqual([LEGACY]);
    const second = await startSlipway({ SLIPWAY_NETWORK: LEGACY }, { dataDir, host: '0.0.0.0' });
    extraServers.push(second);
    const after = (await docker.getContainer(info.Id).inspect()) as Docker.ContainerInspectInfo;
    expect(Object.keys(after.NetworkSettings.Networks ?? {})).toEqual([own]);
    expect(ipOf(after)).toMatch(/^10\.213\./);
    // Still served by the proxy at its new address, and isolated like any other.
    const served = await until('the proxy to the moved workspace', async () => {
      const response = await fetch(`${second.baseUrl}/ports/${w}/9000/`, { headers: { authorization: `Bearer ${firstOwner.token}` } });
      return response.status === 200 ? response : null;
    });
    expect(await served.text()).toContain('Directory listing');
    expect(await tcpFrom(second, w, ipOf(await containerOf(s, b)), 9000)).toBe('CLOSED');
  });
});
