/**
 * Opening repositories for real: a git server over HTTP, the Docker engine,
 * the HTTP API and WebSocket terminals, as a client would use them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';
import { connectTerminal } from '../../helpers/terminal-client.js';

let git: GitServer;
let slipway: TestServer;

const GITPOD_TWO_TASKS = `tasks:
  - name: setup
    before: echo "before ran" >> /workspace/before-count
    init: |
      echo "init ran" >> /workspace/init-count
      echo "INIT OUTPUT $((40+2))"
    command: echo "command ran" >> /workspace/command-count
  - name: server
    env:
      GREETING: hello from env
    command: echo "$GREETING" > /workspace/env-check
ports:
  - port: 3000
    onOpen: open-preview
`;

async function containerOf(workspaceId: string): Promise<string> {
  const [container] = await slipway.app.services.runtime.listContainers({ 'slipway.workspace': workspaceId });
  if (!container) throw new Error(`no container for ${workspaceId}`);
  return container.id;
}

async function execIn(workspaceId: string, script: string): Promise<string> {
  const result = await slipway.app.services.runtime.exec(await containerOf(workspaceId), { cmd: ['sh', '-c', script] });
  return result.output;
}

async function waitForFile(workspaceId: string, file: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const out = await execIn(workspaceId, `cat ${file} 2>/dev/null || true`);
    if (out.trim()) return out;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${file} never appeared`);
}

beforeAll(async () => {
  git = await startGitServer();
  slipway = await startSlipway();
});

afterAll(async () => {
  await slipway?.close();
  await git?.close();
});

describe('opening a repository with a two-task .gitpod.yml', () => {
  let workspace: any;
  let repoUrl: string;

  it('runs: checkout at /workspace/<repo>, both tasks in their own terminals, init output in the replay', async () => {
    repoUrl = (await git.createRepo('two-tasks', { '.gitpod.yml': GITPOD_TWO_TASKS, 'README.md': '# hello\n' })).url;
    const created = await slipway.api('POST', '/api/workspaces', { contextUrl: repoUrl });
    expect(created.status).toBe(202);
    expect(created.body.status).toBe('pending');
    workspace = await slipway.waitForStatus(created.body.id, ['running', 'failed']);
    expect(workspace.statusReason).toBeNull();
    expect(workspace.status).toBe('running');
    expect(workspace.definitionFile).toBe('.gitpod.yml');
    expect(workspace.startedFrom).toBe('cold');
    expect(workspace.branch).toBe('main');
    expect(workspace.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(workspace.tasks.map((t: any) => t.name)).toEqual(['setup', 'server']);
    expect(workspace.tasks.every((t: any) => t.terminalId && t.state === 'running')).toBe(true);
    expect(Object.keys(workspace.timings)).toEqual(expect.arrayContaining(['resolve', 'definition', 'image', 'container', 'checkout', 'tasks', 'total']));
    expect(workspace.ports).toEqual([
      expect.objectContaining({ port: 3000, visibility: 'private', onOpen: 'open-preview', url: `${slipway.baseUrl}/ports/${workspace.id}/3000/` }),
    ]);

    expect(await waitForFile(workspace.id, '/workspace/init-count')).toBe('init ran\n');
    expect(await waitForFile(workspace.id, '/workspace/env-check')).toBe('hello from env\n');
    // The checkout: full history, origin is the real URL, on the branch, owned by the workspace user.
    const git_ = await execIn(
      workspace.id,
      'cd /workspace/two-tasks && git remote get-url origin && git branch --show-current && git log --oneline | wc -l && stat -c %u README.md && echo $GITPOD_REPO_ROOT',
    );
    expect(git_.trim().split('\n')).toEqual([repoUrl, 'main', '1', '33333', '/workspace/two-tasks']);

    const terminal = await connectTerminal(slipway.baseUrl, workspace.id, workspace.tasks[0].terminalId, { token: slipway.adminToken });
    await terminal.waitFor('INIT OUTPUT 42');
    await terminal.close();
  });

  it('a terminal answers typed input over a real WebSocket, resizes, and replays on reattach', async () => {
    const terminalId = workspace.tasks[0].terminalId;
    const first = await connectTerminal(slipway.baseUrl, workspace.id, terminalId, { token: slipway.adminToken });
    first.resize(111, 37);
    await new Promise((r) => setTimeout(r, 200));
    first.send('echo "answer=$((6*7))"; stty size\r');
    await first.waitFor('answer=42');
    await first.waitFor('37 111');
    await first.close();

    const second = await connectTerminal(slipway.baseUrl, workspace.id, terminalId, { token: slipway.adminToken });
    // The replay holds what the first client saw, before any new input.
    await second.waitFor('answer=42', 5_000);
    expect(second.output()).toContain('INIT OUTPUT 42');
    await second.close();
  });

  it('opens a new login shell on request and lists it', async () => {
    const opened = await slipway.api('POST', `/api/workspaces/${workspace.id}/terminals`);
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ kind: 'shell', state: 'running' });
    const terminal = await connectTerminal(slipway.baseUrl, workspace.id, opened.body.id, { token: slipway.adminToken });
    terminal.send('pwd; whoami\r');
    await terminal.waitFor(/\/workspace\/two-tasks\nslipway/);
    terminal.send('exit 7\r');
    await expect.poll(() => terminal.exitCode(), { timeout: 10_000 }).toBe(7);
    await terminal.close();
    const list = await slipway.api('GET', `/api/workspaces/${workspace.id}/terminals`);
    expect(list.body.map((t: any) => t.kind)).toEqual(['task', 'task', 'shell']);
    expect(list.body[2]).toMatchObject({ state: 'exited', exitCode: 7 });
  });

  it('stop keeps /workspace; start runs before and command again but not init', async () => {
    await execIn(workspace.id, 'echo precious > /workspace/two-tasks/notes.txt');
    const stopped = await slipway.api('POST', `/api/workspaces/${workspace.id}/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body.status).toBe('stopped');
    expect((await slipway.app.services.runtime.inspectContainer(await containerOf(workspace.id)))?.running).toBe(false);

    const started = await slipway.api('POST', `/api/workspaces/${workspace.id}/start`);
    expect(started.status).toBe(200);
    expect(started.body.status).toBe('running');
    expect(await execIn(workspace.id, 'cat /workspace/two-tasks/notes.txt')).toBe('precious\n');
    await expect.poll(() => execIn(workspace.id, 'cat /workspace/command-count'), { timeout: 15_000 }).toBe('command ran\ncommand ran\n');
    expect(await execIn(workspace.id, 'cat /workspace/before-count')).toBe('before ran\nbefore ran\n');
    expect(await execIn(workspace.id, 'cat /workspace/init-count')).toBe('init ran\n');
    const phases = started.body.phases.map((p: any) => p.phase);
    expect(phases).toEqual(['pending', 'building', 'starting', 'running', 'stopping', 'stopped', 'starting', 'running']);
  });

  it('a second user gets 404 for the workspace, its logs and its terminal WebSocket', async () => {
    const other = await slipway.newUser('mallory');
    expect((await slipway.api('GET', `/api/workspaces/${workspace.id}`, undefined, other.token)).status).toBe(404);
    expect((await slipway.api('GET', `/api/workspaces/${workspace.id}/logs`, undefined, other.token)).status).toBe(404);
    expect((await slipway.api('POST', `/api/workspaces/${workspace.id}/stop`, undefined, other.token)).status).toBe(404);
    expect((await slipway.api('DELETE', `/api/workspaces/${workspace.id}`, undefined, other.token)).status).toBe(404);
    expect((await slipway.api('GET', '/api/workspaces', undefined, other.token)).body).toEqual([]);
    const current = await slipway.api('GET', `/api/workspaces/${workspace.id}`);
    await expect(connectTerminal(slipway.baseUrl, workspace.id, current.body.tasks[0].terminalId, { token: other.token })).rejects.toMatchObject({
      status: 404,
    });
    await expect(connectTerminal(slipway.baseUrl, workspace.id, current.body.tasks[0].terminalId, {})).rejects.toMatchObject({ status: 401 });
    expect((await slipway.api('GET', `/api/workspaces/${workspace.id}`, undefined, null)).status).toBe(401);
  });

  it('the startup log names every step with its duration', async () => {
    const log = await slipway.api('GET', `/api/workspaces/${workspace.id}/logs`);
    expect(log.status).toBe(200);
    for (const step of ['resolve', 'definition', 'image', 'container', 'checkout', 'tasks'])
      expect(log.text).toMatch(new RegExp(`✓ ${step} \\(\\d+\\.\\d\\ds\\)`));
  });

  it('delete removes the container and the record', async () => {
    const containerId = await containerOf(workspace.id);
    expect((await slipway.api('DELETE', `/api/workspaces/${workspace.id}`)).status).toBe(204);
    expect(await slipway.app.services.runtime.inspectContainer(containerId)).toBeNull();
    expect((await slipway.api('GET', `/api/workspaces/${workspace.id}`)).status).toBe(404);
  });
});
