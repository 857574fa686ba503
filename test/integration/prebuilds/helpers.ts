/** Helpers of the prebuild integration tests: signed pushes, waiting, looking inside containers. */
import { randomUUID } from 'node:crypto';
import { signBody } from '../../../server/webhooks/index.js';
import type { TestServer } from '../../helpers/slipway.js';

/** A GitHub push delivery, with GitHub's headers and signature, sent over real HTTP. */
export async function githubPush(
  server: TestServer,
  secret: string,
  input: { repoUrl: string; branch: string; before?: string; after: string; deliveryId?: string },
) {
  const body = Buffer.from(
    JSON.stringify({
      ref: `refs/heads/${input.branch}`,
      before: input.before ?? '0'.repeat(40),
      after: input.after,
      created: input.before === undefined,
      deleted: false,
      forced: false,
      repository: { name: 'repo', full_name: 'test/repo', clone_url: input.repoUrl, html_url: input.repoUrl.replace(/\.git$/, '') },
      pusher: { name: 'tester' },
      commits: [],
    }),
  );
  const response = await fetch(`${server.baseUrl}/api/webhooks/github`, {
    method: 'POST',
    headers: signBody('github', secret, body, { event: 'push', deliveryId: input.deliveryId ?? randomUUID() }),
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, text };
}

export async function waitForPrebuild(server: TestServer, id: string, statuses: string[], timeoutMs = 240_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any = null;
  while (Date.now() < deadline) {
    last = (await server.api('GET', `/api/prebuilds/${id}`)).body;
    if (statuses.includes(last?.status)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`prebuild ${id} did not reach ${statuses.join('/')}; last: ${JSON.stringify(last)}`);
}

/** Runs a shell command in a workspace's container (as its user) and returns the output. */
export async function inWorkspace(server: TestServer, workspaceId: string, script: string): Promise<string> {
  const runtime = server.app.services.runtime;
  const [container] = await runtime.listContainers({ 'slipway.workspace': workspaceId });
  if (!container) throw new Error(`no container for ${workspaceId}`);
  const result = await runtime.exec(container.id, { cmd: ['/bin/sh', '-c', script], user: 'slipway' });
  return result.output;
}

export async function openWorkspace(server: TestServer, contextUrl: string, token?: string) {
  const started = Date.now();
  const created = await server.api('POST', '/api/workspaces', { contextUrl }, token);
  if (created.status !== 202) throw new Error(`open failed: ${created.text}`);
  let workspace = await server.waitForStatus(created.body.id, ['running', 'failed'], token);
  // `running` comes just before the task terminals are opened: wait for them too.
  while (workspace.status === 'running' && workspace.tasks.some((t: { terminalId: string | null }) => !t.terminalId)) {
    await new Promise((r) => setTimeout(r, 50));
    workspace = (await server.api('GET', `/api/workspaces/${workspace.id}`, undefined, token)).body;
  }
  return { workspace, wallMs: Date.now() - started };
}

/** Removes the snapshot images of the test's projects (after server.close() deleted the workspaces). */
export async function removeSnapshots(server: TestServer, projectIds: string[]): Promise<void> {
  const runtime = server.app.services.runtime;
  for (const project of projectIds) {
    for (const image of await runtime.listImages({ 'slipway.project': project }).catch(() => [])) {
      for (const tag of image.tags) await runtime.removeImage(tag).catch(() => {});
    }
  }
}
