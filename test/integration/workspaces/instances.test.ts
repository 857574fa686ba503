/**
 * Issue 12 item 20: two Slipway servers on one Docker engine (two data dirs)
 * leave each other alone. Each has an instance id (made at first start, kept
 * in its data dir), labels every container, network and image it makes with
 * it, and reconciles, reports orphans, lists and removes only its own.
 */
import Docker from 'dockerode';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

const docker = new Docker();

let git: GitServer;
let one: TestServer;
let two: TestServer;
const side = { one: { workspace: '', container: '' }, two: { workspace: '', container: '' } };
const cleanup: (() => Promise<unknown>)[] = [];

async function openOn(s: TestServer, url: string) {
  const created = await s.api('POST', '/api/workspaces', { contextUrl: url });
  const w = await s.waitForStatus(created.body.id, ['running', 'failed']);
  expect(w.status, w.statusReason).toBe('running');
  const [c] = await s.app.services.runtime.listContainers({ 'slipway.workspace': w.id });
  return { workspace: w.id as string, container: c!.id };
}

beforeAll(async () => {
  git = await startGitServer();
  const { url } = await git.createRepo('instances', { 'README.md': 'x' });
  one = await startSlipway();
  two = await startSlipway();
  side.one = await openOn(one, url);
  side.two = await openOn(two, url);
});

afterAll(async () => {
  for (const undo of cleanup) await undo().catch(() => {});
  await one?.close();
  await two?.close();
  await git?.close();
});

describe('each server has an instance id of its own', () => {
  it('made at first start in the data dir, kept across restarts, on everything it makes', async () => {
    const idOne = (await readFile(path.join(one.dataDir, 'instance-id'), 'utf8')).trim();
    const idTwo = (await readFile(path.join(two.dataDir, 'instance-id'), 'utf8')).trim();
    expect(idOne).toMatch(/^slw-[0-9a-f]{16}$/);
    expect(idTwo).not.toBe(idOne);
    expect(one.app.services.runtime.instanceId).toBe(idOne);
    const container = await docker.getContainer(side.one.container).inspect();
    expect(container.Config.Labels['slipway.instance']).toBe(idOne);
    const network = await docker.getNetwork(container.Name.slice(1)).inspect();
    expect(network.Labels?.['slipway.instance']).toBe(idOne);
  });
});

describe('neither touches the other', () => {
  it('reconcile reports no orphan of the other server, and still its own', async () => {
    // A real orphan of server one: labelled as its workspace, with no record.
    const orphan = await one.app.services.runtime.createContainer({
      name: `slipway-orphan-${process.pid}`,
      image: 'slipway/workspace-base',
      hostname: 'orphan',
      labels: { 'slipway.workspace': 'w-no-such-record' },
      env: {},
      limits: { cpus: 0, memoryBytes: 0, pids: 0 },
    });
    cleanup.push(() => one.app.services.runtime.removeContainer(orphan));
    const fromOne = await one.app.services.workspaces.reconcile();
    const fromTwo = await two.app.services.workspaces.reconcile();
    expect(fromOne.orphans).toEqual([orphan]);
    expect(fromTwo.orphans).toEqual([]);
    // And each lists only its own.
    expect(await one.app.services.runtime.listContainers({ 'slipway.workspace': side.two.workspace })).toEqual([]);
    expect((await two.app.services.runtime.listContainers({ 'slipway.workspace': '' })).map((c) => c.id)).toEqual([side.two.container]);
  });

  it("removing the other's container, image or network is refused; its own GC passes leave them in place", async () => {
    const runtimeOne = one.app.services.runtime;
    const runtimeTwo = two.app.services.runtime;
    // Server two's snapshot image and a network of two's whose container is gone.
    const snapshot = await runtimeTwo.commitContainer(side.two.container, {
      repo: 'slipway-test/instance-snapshot',
      tag: String(process.pid),
      labels: { 'slipway.kind': 'prebuild' },
    });
    cleanup.push(() => runtimeTwo.removeImage(snapshot));
    const leaked = await runtimeTwo.ensureNetwork(`slipway-leaked-${process.pid}`);
    cleanup.push(() => docker.getNetwork(leaked.id).remove());
    expect((await runtimeTwo.imageLabels(snapshot))?.['slipway.instance']).toBe(runtimeTwo.instanceId);

    await expect(runtimeOne.removeContainer(side.two.container)).rejects.toMatchObject({ code: 'SLIPWAY_RUNTIME_NOT_OURS' });
    await expect(runtimeOne.removeImage(snapshot)).rejects.toMatchObject({ code: 'SLIPWAY_RUNTIME_NOT_OURS' });
    expect(await runtimeOne.listImages({ 'slipway.kind': 'prebuild' })).not.toContainEqual(expect.objectContaining({ id: snapshot }));
    expect(await runtimeOne.collectNetworks(0)).not.toContain(leaked.name);
    await one.app.services.workspaces.reconcile();

    expect(await runtimeTwo.inspectContainer(side.two.container)).toMatchObject({ running: true });
    expect(await runtimeTwo.imageExists(snapshot)).toBe(true);
    expect((await docker.listNetworks()).map((n) => n.Id)).toContain(leaked.id);
    // Server two's own collection does remove its leaked network.
    expect(await runtimeTwo.collectNetworks(0)).toContain(leaked.name);
  });

  it("deleting a workspace on one server leaves the other's running", async () => {
    expect((await one.api('DELETE', `/api/workspaces/${side.one.workspace}`)).status).toBeLessThan(300);
    expect(await one.app.services.runtime.inspectContainer(side.one.container)).toBeNull();
    expect(await two.app.services.runtime.inspectContainer(side.two.container)).toMatchObject({ running: true });
    expect((await two.api('GET', `/api/workspaces/${side.two.workspace}`)).body.status).toBe('running');
  });
});
