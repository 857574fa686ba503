/**
 * What every benchmark runs against: a real Slipway server (in this process,
 * so its RSS can be read), a real git server over HTTP, the Docker engine.
 */
import { startGitServer, type GitServer } from '../../test/helpers/git-server.js';
import { startSlipway, type TestServer } from '../../test/helpers/slipway.js';
import { connectTerminal, plain, type TerminalClient } from '../../test/helpers/terminal-client.js';

export interface BenchEnv {
  slipway: TestServer;
  git: GitServer;
  close(): Promise<void>;
}

export async function startBenchEnv(env: Record<string, string> = {}): Promise<BenchEnv> {
  const git = await startGitServer();
  const slipway = await startSlipway({ SLIPWAY_IDLE_TIMEOUT_MINUTES: '0', ...env });
  return {
    slipway,
    git,
    async close() {
      await slipway.close();
      await git.close();
    },
  };
}

const PROMPT = /\$ $/m;

/** POST /api/workspaces → first byte of the shell prompt on the first task terminal's WebSocket, in ms. */
export async function openToPrompt(env: BenchEnv, contextUrl: string): Promise<{ ms: number; workspaceId: string; workspace: any }> {
  const started = performance.now();
  const created = await env.slipway.api('POST', '/api/workspaces', { contextUrl });
  if (created.status !== 202) throw new Error(`open failed: ${created.text}`);
  const id = created.body.id as string;
  let workspace: any;
  for (;;) {
    workspace = (await env.slipway.api('GET', `/api/workspaces/${id}`)).body;
    if (workspace.status === 'running') break;
    if (workspace.status === 'failed') throw new Error(`workspace failed: ${workspace.statusReason}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const terminalId = workspace.tasks[0]?.terminalId ?? workspace.terminals[0].id;
  const terminal = await connectTerminal(env.slipway.baseUrl, id, terminalId, { token: env.slipway.adminToken });
  await waitForPrompt(terminal);
  const ms = performance.now() - started;
  await terminal.close();
  return { ms, workspaceId: id, workspace };
}

export async function waitForPrompt(terminal: TerminalClient, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (PROMPT.test(plain(terminal.output()))) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`no prompt in time: ${plain(terminal.output()).slice(-500)}`);
}

export { connectTerminal, plain };
