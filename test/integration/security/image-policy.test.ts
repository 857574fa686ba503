/**
 * A definition may not reach another user's prebuild snapshot (issue 12 item
 * 5): not by its name, its id or id prefix, a `sha256:` id, another name for
 * the same image (labels), nor through a Dockerfile's FROM. Each open fails
 * with an error naming the definition file and line, and leaves no container
 * and no built image behind. The shared base image stays usable by name.
 */
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';
import { removeSnapshots, waitForPrebuild } from '../prebuilds/helpers.js';

const docker = new Docker();
const RETAG = { repo: 'slipway-test/innocent-looking', tag: `t${Date.now()}` };

let git: GitServer;
let server: TestServer;
let attacker: { id: string; token: string };
let snapshot: { ref: string; id: string };
const projectIds: string[] = [];

beforeAll(async () => {
  git = await startGitServer();
  server = await startSlipway();
  attacker = await server.newUser('mallory');
  // The victim (admin) prebuilds a repository whose init leaves a secret in the snapshot.
  const { url } = await git.createRepo('victim', { '.gitpod.yml': 'tasks:\n  - init: echo s3cret > victim-secret.txt\n' });
  const project = await server.api('POST', '/api/projects', { repoUrl: url, prebuildBranches: ['main'] });
  expect(project.status, project.text).toBe(201);
  projectIds.push(project.body.id);
  const triggered = await server.api('POST', `/api/projects/${project.body.id}/prebuilds`, {});
  expect(triggered.status, triggered.text).toBeLessThan(300);
  const id = (triggered.body.id ?? triggered.body.prebuilds?.[0]?.id) as string;
  const ready = await waitForPrebuild(server, id, ['ready', 'failed']);
  expect(ready.status, ready.error).toBe('ready');
  const inspected = await docker.getImage(ready.imageRef).inspect();
  snapshot = { ref: ready.imageRef, id: inspected.Id.replace(/^sha256:/, '') };
  // Another name for the same image: only its labels tell what it is.
  await docker.getImage(snapshot.ref).tag(RETAG);
}, 300_000);

afterAll(async () => {
  await docker
    .getImage(`${RETAG.repo}:${RETAG.tag}`)
    .remove()
    .catch(() => {});
  await server?.close();
  if (server) await removeSnapshots(server, projectIds);
  await git?.close();
});

async function openAsAttacker(name: string, files: Record<string, string>) {
  const { url } = await git.createRepo(name, files);
  const created = await server.api('POST', '/api/workspaces', { contextUrl: url }, attacker.token);
  expect(created.status, created.text).toBe(202);
  const workspace = await server.waitForStatus(created.body.id, ['running', 'failed'], attacker.token);
  return { workspace, url };
}

async function leftBehind(workspaceId: string, repoUrl: string) {
  const runtime = server.app.services.runtime;
  return {
    containers: await runtime.listContainers({ 'slipway.workspace': workspaceId }),
    builtImages: await runtime.listImages({ 'slipway.repo': repoUrl }),
  };
}

describe('a definition cannot name a Slipway snapshot', () => {
  it.each([
    ['by its name', () => `tasks:\n  - command: cat victim-secret.txt\nimage: ${snapshot.ref}\n`, /\.gitpod\.yml:3:8: .*Slipway's own snapshot/],
    ['by a 12-character id prefix', () => `image: ${snapshot.id.slice(0, 12)}\n`, /\.gitpod\.yml:1:8: .*image id/],
    ['by its full id', () => `image: ${snapshot.id}\n`, /\.gitpod\.yml:1:8: .*image id/],
    ['by sha256:<id>', () => `image: sha256:${snapshot.id}\n`, /\.gitpod\.yml:1:8: .*image id/],
    [
      'by another name for it (labels)',
      () => `# another name\nimage: ${RETAG.repo}:${RETAG.tag}\n`,
      /\.gitpod\.yml:2:8: .*Slipway-made image \(label slipway.kind=prebuild\)/,
    ],
  ])('%s: the open fails naming file and line, nothing left behind', async (what, gitpodYml, reason) => {
    const { workspace, url } = await openAsAttacker(`attack-${what.replace(/\W+/g, '-')}`, { '.gitpod.yml': gitpodYml() });
    expect(workspace.status).toBe('failed');
    expect(workspace.statusReason).toMatch(reason);
    expect(await leftBehind(workspace.id, url)).toEqual({ containers: [], builtImages: [] });
  });

  it.each([
    [
      'FROM the snapshot under another name',
      () => `FROM ${RETAG.repo}:${RETAG.tag}\n`,
      /Dockerfile:1: `FROM slipway-test\/innocent-looking:t\d+`: .*Slipway-made image.*\(the image of \.gitpod\.yml:2:9\)/,
    ],
    [
      'COPY --from its id prefix',
      () => `FROM slipway/workspace-base\nCOPY --from=${snapshot.id.slice(0, 12)} /workspace /loot\n`,
      /Dockerfile:2: `COPY --from [0-9a-f]{12}`: .*image id/,
    ],
  ])('a Dockerfile %s is refused before building, nothing left behind', async (what, dockerfile, reason) => {
    const { workspace, url } = await openAsAttacker(`attack-df-${what.replace(/\W+/g, '-')}`, {
      '.gitpod.yml': 'image:\n  file: Dockerfile\n',
      Dockerfile: dockerfile(),
    });
    expect(workspace.status).toBe('failed');
    expect(workspace.statusReason).toMatch(reason);
    expect(await leftBehind(workspace.id, url)).toEqual({ containers: [], builtImages: [] });
  });

  it('the shared base image named explicitly still opens', async () => {
    const { workspace } = await openAsAttacker('names-base', { '.gitpod.yml': 'image: slipway/workspace-base\n' });
    expect(workspace.status, workspace.statusReason).toBe('running');
  });
});
