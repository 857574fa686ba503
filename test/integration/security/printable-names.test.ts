/**
 * Escape sequences and bidi controls a repository puts in names (issue 12
 * item 21) are shown, never interpreted: a task named "\u001b[31mred\u202e"
 * and a branch with a right-to-left override appear as `\u001b` / `\u202e`
 * in the workspace's JSON display fields and its startup log. The branch
 * stays raw in the JSON (an identifier that must round-trip to git).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

const TASK = '\u001b[31mred\u202e';
const TASK_SHOWN = '\\u001b[31mred\\u202e';
const BRANCH = 'main\u202egnp.exe';
const BRANCH_SHOWN = 'main\\u202egnp.exe';
// Any raw control or bidi character except our own SGR colour/bold sequences (ESC [ digits m).
const RAW_FOREIGN = /\u001b(?!\[[0-9;]*m)|[\u0000-\u0008\u000b\u000c\u000e-\u001a\u001c-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

let git: GitServer;
let server: TestServer;

beforeAll(async () => {
  git = await startGitServer();
  server = await startSlipway();
});
afterAll(async () => {
  await server?.close();
  await git?.close();
});

describe('names are printable wherever they are shown', () => {
  it('a task named with an escape sequence and a bidi override, on a branch with one', async () => {
    const gitpodYml = `tasks:\n  - name: ${JSON.stringify(TASK)}\n    ${JSON.stringify('\u001b[2Junknown')}: 1\n    command: echo hi\n`;
    const { url } = await git.createRepo('names', { '.gitpod.yml': gitpodYml }, { branch: BRANCH });
    const created = await server.api('POST', '/api/workspaces', { contextUrl: url });
    expect(created.status, created.text).toBe(202);
    let workspace = await server.waitForStatus(created.body.id, ['running', 'failed']);
    expect(workspace.status, workspace.statusReason).toBe('running');
    while (!workspace.tasks[0]?.terminalId) {
      await new Promise((r) => setTimeout(r, 100));
      workspace = (await server.api('GET', `/api/workspaces/${workspace.id}`)).body;
    }

    // JSON display fields: printable; the branch an identifier, raw.
    expect(workspace.tasks[0].name).toBe(TASK_SHOWN);
    expect(workspace.terminals.find((t: { kind: string }) => t.kind === 'task').name).toBe(TASK_SHOWN);
    expect(workspace.branch).toBe(BRANCH);
    const terminals = (await server.api('GET', `/api/workspaces/${workspace.id}/terminals`)).body;
    expect(terminals.find((t: { kind: string }) => t.kind === 'task').name).toBe(TASK_SHOWN);

    // The startup log names the branch (resolve step) and quotes the odd key (a warning): escaped.
    const log = (await server.api('GET', `/api/workspaces/${workspace.id}/logs`)).text;
    expect(log).toContain(BRANCH_SHOWN);
    expect(log).toContain('\\u001b[2Junknown');
    expect(log).not.toMatch(RAW_FOREIGN);
  });

  it('a failure reason quoting a name is printable in the status reason and the log', async () => {
    const { url } = await git.createRepo('names-fail', { '.gitpod.yml': `image: ${JSON.stringify('slipway-test/no-such:\u202e1')}\n` });
    const created = await server.api('POST', '/api/workspaces', { contextUrl: url });
    const workspace = await server.waitForStatus(created.body.id, ['running', 'failed']);
    expect(workspace.status).toBe('failed');
    expect(workspace.statusReason).toContain('\\u202e');
    expect(workspace.statusReason).not.toMatch(RAW_FOREIGN);
    const log = (await server.api('GET', `/api/workspaces/${workspace.id}/logs`)).text;
    expect(log).toContain('\\u202e');
    expect(log).not.toMatch(RAW_FOREIGN);
  });
});
