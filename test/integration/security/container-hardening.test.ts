/**
 * Workspace and prebuild containers (issue 12 item 13): no NET_RAW, MKNOD or
 * SYS_CHROOT in their capability bounding set, CPU, memory and pids limits by
 * default, and sudo (with chown and su) still working.
 */
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMemoryBytes } from '../../../server/config/config.js';
import { WORKSPACE_CAPABILITIES } from '../../../server/runtime/docker.js';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';
import { inWorkspace, openWorkspace, removeSnapshots, waitForPrebuild } from '../prebuilds/helpers.js';

// Bits of /proc/<pid>/status CapBnd (linux/capability.h).
const CAP = { CHOWN: 0, SETGID: 6, SETUID: 7, NET_RAW: 13, SYS_CHROOT: 18, MKNOD: 27, AUDIT_WRITE: 29 } as const;
const hasCap = (capBnd: string, bit: number) => (BigInt(`0x${capBnd}`) & (1n << BigInt(bit))) !== 0n;

// Prints the bounding set, whether a raw socket opens, and the cgroup memory limit (v1 or v2).
const PROBE = [
  `grep CapBnd /proc/self/status`,
  `python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); print("RAW=open")' 2>&1 | grep -o 'RAW=open\\|Operation not permitted' | sed 's/^Operation/RAW=Operation/'`,
  `echo "MEM=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"`,
].join('; ');

let git: GitServer;
let server: TestServer;
const projectIds: string[] = [];

beforeAll(async () => {
  git = await startGitServer();
  server = await startSlipway();
});
afterAll(async () => {
  await server?.close();
  if (server) await removeSnapshots(server, projectIds);
  await git?.close();
});

function probe(output: string) {
  return {
    capBnd: /CapBnd:\s*([0-9a-f]+)/.exec(output)?.[1] ?? '',
    raw: /RAW=(.*)/.exec(output)?.[1]?.trim(),
    memory: Number(/MEM=(\d+)/.exec(output)?.[1]),
  };
}

describe('containers are hardened by default', () => {
  it('a workspace: no NET_RAW/MKNOD/SYS_CHROOT, limits set, sudo, chown and su work', async () => {
    const { url } = await git.createRepo('hardened', { 'README.md': 'x\n' });
    const { workspace } = await openWorkspace(server, url);
    expect(workspace.status, workspace.statusReason).toBe('running');

    const [container] = await server.app.services.runtime.listContainers({ 'slipway.workspace': workspace.id });
    const inspected = await new Docker().getContainer(container!.id).inspect();
    // The engine may report names with or without the CAP_ prefix.
    const bare = (caps: string[] | null | undefined) => (caps ?? []).map((c) => c.replace(/^CAP_/, '')).sort();
    expect(bare(inspected.HostConfig.CapDrop)).toEqual(['ALL']);
    expect(bare(inspected.HostConfig.CapAdd)).toEqual([...WORKSPACE_CAPABILITIES].sort());
    expect(inspected.HostConfig.Privileged).toBe(false);
    expect(inspected.HostConfig.Memory).toBe(defaultMemoryBytes());
    expect(inspected.HostConfig.NanoCpus).toBeGreaterThan(0);
    expect(inspected.HostConfig.PidsLimit).toBe(4096);

    const seen = probe(await inWorkspace(server, workspace.id, PROBE));
    expect(hasCap(seen.capBnd, CAP.NET_RAW)).toBe(false);
    expect(hasCap(seen.capBnd, CAP.MKNOD)).toBe(false);
    expect(hasCap(seen.capBnd, CAP.SYS_CHROOT)).toBe(false);
    for (const kept of [CAP.CHOWN, CAP.SETUID, CAP.SETGID, CAP.AUDIT_WRITE]) expect(hasCap(seen.capBnd, kept)).toBe(true);
    expect(seen.raw).toBe('Operation not permitted');
    expect(seen.memory).toBe(defaultMemoryBytes());

    const sudo = await inWorkspace(
      server,
      workspace.id,
      'sudo true && echo SUDO=ok; touch /tmp/f && sudo chown root:root /tmp/f && stat -c CHOWN=%U /tmp/f; sudo su -s /bin/sh -c "echo SU=\\$(id -un)" root; sudo python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)" 2>&1 | grep -c "not permitted"',
    );
    expect(sudo).toContain('SUDO=ok');
    expect(sudo).toContain('CHOWN=root');
    expect(sudo).toContain('SU=root');
    expect(sudo).not.toMatch(/audit message/);
    // Not even root in the container gets a raw socket.
    expect(sudo.trim().split('\n').pop()).toBe('1');
  });

  it('a prebuild container: the same capabilities and limits', async () => {
    const { url } = await git.createRepo('hardened-prebuild', { '.gitpod.yml': `tasks:\n  - init: ${JSON.stringify(PROBE)}\n` });
    const project = await server.api('POST', '/api/projects', { repoUrl: url, prebuildBranches: ['main'] });
    expect(project.status, project.text).toBe(201);
    projectIds.push(project.body.id);
    const triggered = await server.api('POST', `/api/projects/${project.body.id}/prebuilds`, {});
    expect(triggered.status, triggered.text).toBeLessThan(300);
    const ready = await waitForPrebuild(server, triggered.body.id, ['ready', 'failed']);
    expect(ready.status, ready.error).toBe('ready');
    const log = (await server.api('GET', `/api/prebuilds/${ready.id}/logs`)).text;
    const seen = probe(log);
    expect(seen.capBnd).not.toBe('');
    expect(hasCap(seen.capBnd, CAP.NET_RAW)).toBe(false);
    expect(hasCap(seen.capBnd, CAP.MKNOD)).toBe(false);
    expect(seen.raw).toBe('Operation not permitted');
    expect(seen.memory).toBe(defaultMemoryBytes());
  });
});
