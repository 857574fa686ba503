/**
 * Gitpod image names and the operator's alias map (issue 17 item 2), on a real
 * engine with no reachable registry: `image: gitpod/workspace-full` and a
 * Dockerfile `FROM gitpod/workspace-full` open on the local equivalent
 * (slipway/workspace-full) and run as gitpod, with a warning in the log; an
 * aliased name opens on its target; a name that neither pulls nor maps fails
 * saying what was tried.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

let git: GitServer;
let slipway: TestServer;
let dir = '';
const repoUrls: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'slipway-aliases-'));
  await writeFile(path.join(dir, 'aliases'), '# a team mirror that is really a local image\nregistry.example.invalid/team/base:1  slipway/workspace-base\n');
  git = await startGitServer();
  slipway = await startSlipway({ SLIPWAY_IMAGE_ALIASES: path.join(dir, 'aliases') });
});

afterAll(async () => {
  await slipway?.close();
  for (const url of repoUrls) {
    for (const image of await slipway.app.services.runtime.listImages({ 'slipway.repo': url }).catch(() => []))
      await slipway.app.services.runtime.removeImage(image.id).catch(() => {});
  }
  await git?.close();
  await rm(dir, { recursive: true, force: true });
});

async function open(name: string, files: Record<string, string>) {
  const { url } = await git.createRepo(name, files);
  repoUrls.push(url);
  const created = await slipway.api('POST', '/api/workspaces', { contextUrl: url });
  expect(created.status, created.text).toBe(202);
  const workspace = await slipway.waitForStatus(created.body.id, ['running', 'failed'], undefined, 180_000);
  const log = (await slipway.api('GET', `/api/workspaces/${workspace.id}/logs`)).text;
  return { workspace, log };
}

async function execIn(workspaceId: string, script: string): Promise<string> {
  const [container] = await slipway.app.services.runtime.listContainers({ 'slipway.workspace': workspaceId });
  return (await slipway.app.services.runtime.exec(container!.id, { cmd: ['sh', '-c', script] })).output;
}

describe('Gitpod image names with no registry', () => {
  it('image: gitpod/workspace-full opens on the local equivalent, as user gitpod, and says so', async () => {
    const { workspace, log } = await open('gp-image', { '.gitpod.yml': 'image: gitpod/workspace-full\ntasks:\n  - command: echo ready\n' });
    expect(workspace.statusReason).toBeNull();
    expect(workspace.image).toBe('slipway/workspace-full');
    expect(log).toContain('gitpod/workspace-full cannot be pulled (no registry answers): using the local equivalent slipway/workspace-full');
    expect(await execIn(workspace.id, 'id -un; id -u; echo $HOME; command -v node; command -v go; command -v cargo')).toBe(
      'gitpod\n33333\n/home/gitpod\n/usr/bin/node\n/usr/bin/go\n/usr/bin/cargo\n',
    );
  });

  it('a Dockerfile FROM gitpod/workspace-full (that also copies from its context) builds on the local equivalent', async () => {
    const { workspace, log } = await open('gp-dockerfile', {
      '.gitpod.yml': 'image:\n  file: .gitpod.Dockerfile\n',
      '.gitpod.Dockerfile':
        'FROM gitpod/workspace-full\nCOPY tools/greeting.txt /home/gitpod/greeting.txt\nRUN sudo apt-get --version > /dev/null && echo "built as $(id -un)" > /home/gitpod/built.txt\n',
      'tools/greeting.txt': 'hello from the context\n',
    });
    expect(workspace.statusReason).toBeNull();
    expect(workspace.image).toMatch(/^slipway\/build-gp-dockerfile:/);
    expect(log).toContain('using the local equivalent slipway/workspace-full');
    expect(await execIn(workspace.id, 'id -un; cat ~/greeting.txt ~/built.txt')).toBe('gitpod\nhello from the context\nbuilt as gitpod\n');
    // The repository's own Dockerfile in the checkout is untouched.
    expect(await execIn(workspace.id, 'head -1 /workspace/gp-dockerfile/.gitpod.Dockerfile')).toBe('FROM gitpod/workspace-full\n');
  });
});

describe('the image alias map and unknown names', () => {
  it('an aliased name opens on its target, and the log names the alias line', async () => {
    const { workspace, log } = await open('aliased', { '.gitpod.yml': 'image: registry.example.invalid/team/base:1\n' });
    expect(workspace.statusReason).toBeNull();
    expect(workspace.image).toBe('slipway/workspace-base');
    expect(log).toContain(`Image registry.example.invalid/team/base:1 → slipway/workspace-base (image alias map, ${path.join(dir, 'aliases')}:2)`);
  });

  it('a name that neither pulls nor maps fails with the name, what was tried and how to fix it', async () => {
    const { workspace } = await open('unknown-image', { '.gitpod.yml': 'image: gitpod/workspace-nonexistent-flavour\n' });
    // A gitpod/* name maps even when Gitpod never had it; a plain unknown name does not:
    expect(workspace.status).toBe('running');
    const unknown = await open('unknown-image-2', { '.gitpod.yml': 'image: registry.example.invalid/nobody/nothing:7\n' });
    expect(unknown.workspace.status).toBe('failed');
    const reason: string = unknown.workspace.statusReason;
    expect(reason).toContain('"registry.example.invalid/nobody/nothing:7" cannot be used');
    expect(reason).toContain(`the image alias map (${path.join(dir, 'aliases')}) has no entry for it`);
    expect(reason).toContain('it is not among the local images');
    expect(reason).toContain('the registry:');
    expect(reason).toContain('SLIPWAY_IMAGE_ALIASES');
  });
});
