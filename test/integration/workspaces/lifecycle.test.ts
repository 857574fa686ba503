/**
 * Lifecycle beyond the happy path: devcontainer commands, a server restart,
 * containers changed behind the server's back, idle stop, extra CA certs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';
import { connectTerminal } from '../../helpers/terminal-client.js';

let git: GitServer;
let scratch: string;
const servers: TestServer[] = [];

async function server(env: Record<string, string> = {}, options: { dataDir?: string } = {}) {
  const s = await startSlipway(env, options);
  servers.push(s);
  return s;
}

async function exec(s: TestServer, workspaceId: string, script: string) {
  const [c] = await s.app.services.runtime.listContainers({ 'slipway.workspace': workspaceId });
  return (await s.app.services.runtime.exec(c!.id, { cmd: ['sh', '-c', script] })).output;
}

async function open(s: TestServer, contextUrl: string) {
  const created = await s.api('POST', '/api/workspaces', { contextUrl });
  return s.waitForStatus(created.body.id, ['running', 'failed']);
}

beforeAll(async () => {
  git = await startGitServer();
  scratch = await mkdtemp(path.join(tmpdir(), 'slipway-lifecycle-'));
});
afterAll(async () => {
  for (const s of servers.reverse()) await s.close().catch(() => {});
  await git?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('devcontainer.json lifecycle', () => {
  it('runs onCreate, updateContent, postCreate once in the log, postStart in its own terminal, postAttach in each shell', async () => {
    const s = await server();
    const { url } = await git.createRepo('devcontainer', {
      '.devcontainer/devcontainer.json': `{
        // JSONC, as people write it
        "image": "slipway/workspace-base",
        "containerEnv": { "FROM_DEVCONTAINER": "yes", "WITH_PATH": "\${containerEnv:PATH}:/opt/extra" },
        "onCreateCommand": "echo on-create >> /workspace/lifecycle",
        "updateContentCommand": ["sh", "-c", "echo update-content >> /workspace/lifecycle"],
        "postCreateCommand": { "a": "echo post-create-a >> /workspace/lifecycle-a", "b": "echo post-create-b >> /workspace/lifecycle-b" },
        "postStartCommand": "echo post-start >> /workspace/lifecycle",
        "postAttachCommand": "echo ATTACHED-$FROM_DEVCONTAINER",
      }`,
    });
    const w = await open(s, url);
    expect(w.status).toBe('running');
    expect(w.definitionFile).toBe('.devcontainer/devcontainer.json');
    expect(w.tasks).toEqual([expect.objectContaining({ name: 'postStartCommand' })]);
    await expect.poll(() => exec(s, w.id, 'cat /workspace/lifecycle'), { timeout: 10_000 }).toBe('on-create\nupdate-content\npost-start\n');
    expect(await exec(s, w.id, 'cat /workspace/lifecycle-a /workspace/lifecycle-b')).toBe('post-create-a\npost-create-b\n');
    // ${containerEnv:PATH} is the image's own PATH.
    expect(await exec(s, w.id, 'echo "$WITH_PATH"')).toMatch(/^\/usr\/local\/sbin:.*:\/bin:\/opt\/extra\n$/);
    const log = (await s.api('GET', `/api/workspaces/${w.id}/logs`)).text;
    expect(log).toContain('onCreateCommand');
    const shell = w.terminals.find((t: any) => t.kind === 'shell');
    const terminal = await connectTerminal(s.baseUrl, w.id, shell.id, { token: s.adminToken });
    await terminal.waitFor('ATTACHED-yes');
    await terminal.close();

    await s.api('POST', `/api/workspaces/${w.id}/stop`);
    await s.api('POST', `/api/workspaces/${w.id}/start`);
    // postStart again; onCreate/updateContent/postCreate not.
    await expect.poll(() => exec(s, w.id, 'cat /workspace/lifecycle'), { timeout: 10_000 }).toBe('on-create\nupdate-content\npost-start\npost-start\n');
    expect(await exec(s, w.id, 'cat /workspace/lifecycle-a')).toBe('post-create-a\n');
  });

  it('a failing postCreateCommand keeps the workspace running: named with its exit code in the JSON and the log, later commands skipped, a shell to repair it', async () => {
    const s = await server();
    const { url } = await git.createRepo('devcontainer-fail', {
      '.devcontainer.json': JSON.stringify({
        image: 'slipway/workspace-base',
        onCreateCommand: 'echo created > /tmp/on-create',
        // Object form: in parallel, and the failing one's own exit code counts (not the prefixing pipe's).
        postCreateCommand: { a: 'echo about-to-fail; exit 3', b: 'echo fine' },
        postStartCommand: 'echo post-start > /tmp/post-start',
        postAttachCommand: 'echo ATTACHED-RAN',
      }),
    });
    const w = await open(s, url);
    expect(w.status, w.statusReason).toBe('running');
    expect(w.lifecycle).toEqual({ failed: { command: 'postCreateCommand', exitCode: 3, at: expect.any(String) } });
    expect((await s.api('GET', `/api/workspaces/${w.id}`)).body.lifecycle.failed).toMatchObject({ command: 'postCreateCommand', exitCode: 3 });
    const log = (await s.api('GET', `/api/workspaces/${w.id}/logs`)).text;
    expect(log).toContain('[a] about-to-fail');
    expect(log).toContain('postCreateCommand failed with exit code 3');
    expect(await exec(s, w.id, 'cat /tmp/on-create')).toBe('created\n');
    // Later lifecycle commands are skipped: no postStart terminal, no postAttach in the shell.
    expect(w.tasks).toEqual([]);
    expect(await exec(s, w.id, 'cat /tmp/post-start 2>&1 || echo skipped')).toContain('skipped');
    const shell = w.terminals.find((t: any) => t.kind === 'shell');
    const terminal = await connectTerminal(s.baseUrl, w.id, shell.id, { token: s.adminToken });
    await terminal.waitFor('postCreateCommand failed with exit code 3');
    terminal.send('echo REPAIRED-$((1+2)) in $(pwd)\r');
    await terminal.waitFor('REPAIRED-3 in /workspaces/devcontainer-fail');
    expect(terminal.output()).not.toContain('ATTACHED-RAN');
    await terminal.close();
  });

  it('a devcontainer repository lives at /workspaces/<name>, and every workspace-folder and env variable is substituted', async () => {
    const s = await server();
    const { url } = await git.createRepo('dc-folder', {
      'README.md': 'hello\n',
      '.devcontainer/devcontainer.json': JSON.stringify({
        image: 'slipway/workspace-base',
        containerEnv: {
          V_CWF: '${containerWorkspaceFolder}',
          V_CWFB: '${containerWorkspaceFolderBasename}',
          V_LWF: '${localWorkspaceFolder}',
          V_LWFB: '${localWorkspaceFolderBasename}',
          // The server's own environment is never exposed: the default (or '') instead.
          V_LENV: '${localEnv:PATH:not-exposed}',
          V_CENV: '${containerEnv:PATH}|${containerEnv:NOT_SET_ANYWHERE:dflt}',
        },
        postCreateCommand: 'echo "${containerWorkspaceFolderBasename} $(pwd)" > /tmp/post-create',
      }),
    });
    const w = await open(s, url);
    expect(w.status, w.statusReason).toBe('running');
    expect(await exec(s, w.id, 'cat /workspaces/dc-folder/README.md && git -C /workspaces/dc-folder rev-parse HEAD')).toBe(`hello\n${w.commit}\n`);
    expect(await exec(s, w.id, 'test -e /workspace/dc-folder && echo old-path || echo none')).toBe('none\n');
    const vars = await exec(s, w.id, 'printf "%s\\n" "$V_CWF" "$V_CWFB" "$V_LWF" "$V_LWFB" "$V_LENV" "$V_CENV" "$SLIPWAY_REPO_ROOT"');
    expect(vars).toMatch(
      /^\/workspaces\/dc-folder\ndc-folder\n\/workspaces\/dc-folder\ndc-folder\nnot-exposed\n\/usr\/local\/sbin:[^\n]*\|dflt\n\/workspaces\/dc-folder\n$/,
    );
    expect(await exec(s, w.id, 'cat /tmp/post-create')).toBe('dc-folder /workspaces/dc-folder\n');
  });
});

describe('server restarts and the reconciler', () => {
  it('a workspace keeps running across a server restart and a new terminal works', async () => {
    const dataDir = path.join(scratch, 'restart');
    const first = await server({}, { dataDir });
    const { url } = await git.createRepo('restart', { '.gitpod.yml': 'tasks:\n  - init: echo init >> /workspace/init-count\n' });
    const w = await open(first, url);
    expect(w.status).toBe('running');
    await first.stop();

    const second = await server({}, { dataDir });
    const after = await second.api('GET', `/api/workspaces/${w.id}`);
    expect(after.body.status).toBe('running');
    const opened = await second.api('POST', `/api/workspaces/${w.id}/terminals`);
    expect(opened.status).toBe(201);
    const terminal = await connectTerminal(second.baseUrl, w.id, opened.body.id, { token: second.adminToken });
    terminal.send('cat /workspace/init-count; echo restarted-$((1+1))\r');
    await terminal.waitFor('restarted-2');
    expect(terminal.output()).toContain('init');
    await terminal.close();
  });

  it('marks a container stopped or removed behind its back, and reports orphans without deleting them', async () => {
    const s = await server();
    const { url } = await git.createRepo('reconcile', { 'README.md': 'x' });
    const a = await open(s, url);
    const b = await open(s, url);
    const runtime = s.app.services.runtime;
    const [ca] = await runtime.listContainers({ 'slipway.workspace': a.id });
    const [cb] = await runtime.listContainers({ 'slipway.workspace': b.id });
    await runtime.stopContainer(ca!.id, 1);
    await runtime.removeContainer(cb!.id);
    const orphan = await runtime.createContainer({
      name: `slipway-orphan-${Date.now()}`,
      image: 'slipway/workspace-base',
      hostname: 'orphan',
      labels: { 'slipway.workspace': 'w-no-such-record' },
      env: {},
      limits: { cpus: 0, memoryBytes: 0, pids: 0 },
    });
    try {
      const result = await s.app.services.workspaces.reconcile();
      expect(result.orphans).toContain(orphan);
      expect((await s.api('GET', `/api/workspaces/${a.id}`)).body).toMatchObject({
        status: 'stopped',
        statusReason: expect.stringContaining('outside Slipway'),
      });
      expect((await s.api('GET', `/api/workspaces/${b.id}`)).body).toMatchObject({
        status: 'failed',
        statusReason: expect.stringContaining('removed outside Slipway'),
      });
      expect(await runtime.inspectContainer(orphan)).not.toBeNull();
      // The stopped one starts again.
      expect((await s.api('POST', `/api/workspaces/${a.id}/start`)).body.status).toBe('running');
    } finally {
      await runtime.removeContainer(orphan);
    }
  });

  it('stops a workspace that is idle past the timeout, but not one with a terminal attached', async () => {
    const s = await server({ SLIPWAY_IDLE_TIMEOUT_MINUTES: '0.03' }); // about 2 s
    const { url } = await git.createRepo('idle', { 'README.md': 'x' });
    const idle = await open(s, url);
    const watched = await open(s, url);
    const terminal = await connectTerminal(s.baseUrl, watched.id, watched.terminals[0].id, { token: s.adminToken });
    await new Promise((r) => setTimeout(r, 2500));
    await s.app.services.workspaces.reconcile();
    // Read through the service: a GET over the API counts as activity itself.
    expect(s.app.services.workspaces.get({ id: 'x', username: 'x', isAdmin: true }, idle.id)).toMatchObject({
      status: 'stopped',
      statusReason: expect.stringMatching(/^idle for/),
    });
    expect(s.app.services.workspaces.get({ id: 'x', username: 'x', isAdmin: true }, watched.id).status).toBe('running');
    await terminal.close();
  });
});

describe('extra CA certificates', () => {
  it('are trusted inside the workspace', async () => {
    const pem = path.join(scratch, 'extra.pem');
    // Any real certificate will do: take the first one of the host's bundle.
    const { readFile } = await import('node:fs/promises');
    const bundle = await readFile('/etc/ssl/certs/ca-certificates.crt', 'utf8');
    const first = bundle.slice(0, bundle.indexOf('-----END CERTIFICATE-----') + '-----END CERTIFICATE-----'.length) + '\n';
    await writeFile(pem, first);
    const s = await server({ SLIPWAY_EXTRA_CA_CERTS: pem });
    const { url } = await git.createRepo('ca', { 'README.md': 'x' });
    const w = await open(s, url);
    expect(w.status).toBe('running');
    expect(await exec(s, w.id, 'cat /usr/local/share/ca-certificates/slipway-extra.crt')).toBe(first);
    expect(await exec(s, w.id, 'echo $NODE_EXTRA_CA_CERTS')).toBe('/.slipway/extra-ca.crt\n');
  });
});
