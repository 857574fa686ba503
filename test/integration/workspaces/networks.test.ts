/**
 * Issue 12 item 7: shared Docker objects are made once. Concurrent first
 * opens on a fresh engine used to create duplicate `slipway` networks, after
 * which every open failed with "network is ambiguous". Now each container's
 * network is made once (one in-flight promise per name, found by label,
 * adopted when present, joined by id), and duplicates left by older versions
 * are repaired at server start.
 */
import Docker from 'dockerode';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

const docker = new Docker();
const LEGACY = `slipway-legacy-dup-${process.pid}`;

let git: GitServer;
let repoUrl: string;
const servers: TestServer[] = [];
const madeNetworks: string[] = [];
const madeContainers: string[] = [];

async function server(env: Record<string, string> = {}, options: { dataDir?: string } = {}) {
  const s = await startSlipway({ SLIPWAY_NETWORK: LEGACY, ...env }, options);
  servers.push(s);
  return s;
}

async function named(name: string) {
  return (await docker.listNetworks()).filter((n) => n.Name === name);
}

async function makeNetwork(name: string, labels: Record<string, string>): Promise<string> {
  // No CheckDuplicate: exactly what older versions raced into.
  const network = await docker.createNetwork({ Name: name, Driver: 'bridge', Labels: labels });
  madeNetworks.push(network.id);
  return network.id;
}

beforeAll(async () => {
  git = await startGitServer();
  repoUrl = (await git.createRepo('networks', { 'README.md': 'x' })).url;
});

afterAll(async () => {
  for (const s of servers.reverse()) await s.close().catch(() => {});
  for (const id of madeContainers)
    await docker
      .getContainer(id)
      .remove({ force: true })
      .catch(() => {});
  for (const id of madeNetworks)
    await docker
      .getNetwork(id)
      .remove()
      .catch(() => {});
  for (const n of await named(LEGACY))
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => {});
  await git?.close();
});

describe('networks are made once', () => {
  it('five opens at once on a server with no network yet: all run, each on one network of its own, no name twice', async () => {
    const s = await server();
    for (const n of await named(LEGACY))
      await docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => {});
    const created = await Promise.all(Array.from({ length: 5 }, () => s.api('POST', '/api/workspaces', { contextUrl: repoUrl })));
    const workspaces = await Promise.all(created.map((c) => s.waitForStatus(c.body.id, ['running', 'failed'])));
    for (const w of workspaces) expect(w.status, w.statusReason).toBe('running');
    // This server's networks and the legacy name (other tools' networks on the engine are not ours to judge).
    const all = await docker.listNetworks();
    const names = all.filter((n) => n.Labels?.['slipway.instance'] === s.app.services.runtime.instanceId || n.Name === LEGACY).map((n) => n.Name);
    expect(names.length).toBe(new Set(names).size);
    for (const w of workspaces) {
      const [c] = await s.app.services.runtime.listContainers({ 'slipway.workspace': w.id });
      const info = await docker.getContainer(c!.id).inspect();
      const own = info.Name.slice(1);
      expect(Object.keys(info.NetworkSettings.Networks ?? {})).toEqual([own]);
      expect(names.filter((n) => n === own)).toHaveLength(1);
    }
    expect(await named(LEGACY)).toHaveLength(0);
  });

  it('five concurrent ensures of one network make one, and a present one is adopted', async () => {
    const s = servers[0] ?? (await server());
    const runtime = s.app.services.runtime;
    const name = `slipway-ensure-${process.pid}`;
    const results = await Promise.all(Array.from({ length: 5 }, () => runtime.ensureNetwork(name)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await named(name)).toHaveLength(1);
    madeNetworks.push(results[0]!.id);
    // A later call (a restart, another start) finds it by its labels.
    expect((await runtime.ensureNetwork(name)).id).toBe(results[0]!.id);
    expect(await named(name)).toHaveLength(1);
  });
});

describe('duplicates are repaired at start', () => {
  it('removes the empty duplicates, keeps the one in use, and opens work afterwards', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'slipway-dup-'));
    const instance = `slw-${'0123456789abcdef'}`;
    await writeFile(path.join(dataDir, 'instance-id'), `${instance}\n`, { mode: 0o600 });
    // An older version's shared network, twice, both empty; a workspace made on the first was moved
    // off it already (its NetworkMode still names it: that does not count as using it).
    const legacy = await makeNetwork(LEGACY, { 'slipway.kind': 'network' });
    const moved = await docker.createContainer({
      name: `${LEGACY}-moved`,
      Image: 'slipway/workspace-base',
      Cmd: ['true'],
      HostConfig: { NetworkMode: LEGACY },
    });
    madeContainers.push(moved.id);
    const elsewhere = await makeNetwork(`${LEGACY}-elsewhere`, {});
    await docker.getNetwork(elsewhere).connect({ Container: moved.id });
    await docker.getNetwork(legacy).disconnect({ Container: moved.id, Force: true });
    await makeNetwork(LEGACY, { 'slipway.kind': 'network' });
    // One of this server's own networks, twice: the second has a (stopped) container attached.
    const own = `slipway-dup-${process.pid}`;
    const labels = { 'slipway.kind': 'workspace-network', 'slipway.network': own, 'slipway.instance': instance };
    const empty = await makeNetwork(own, labels);
    const used = await makeNetwork(own, labels);
    const container = await docker.createContainer({ name: `${own}-c`, Image: 'slipway/workspace-base', Cmd: ['true'], HostConfig: { NetworkMode: used } });
    madeContainers.push(container.id);
    expect(await named(LEGACY)).toHaveLength(2);
    expect(await named(own)).toHaveLength(2);

    const s = await server({}, { dataDir });
    expect(await named(LEGACY)).toHaveLength(1);
    const left = await named(own);
    expect(left.map((n) => n.Id)).toEqual([used]);
    expect(left.map((n) => n.Id)).not.toContain(empty);

    const created = await s.api('POST', '/api/workspaces', { contextUrl: repoUrl });
    expect((await s.waitForStatus(created.body.id, ['running', 'failed'])).status).toBe('running');
  });
});
