/**
 * One writer per record: a port's visibility is changed by one narrow
 * UPDATE, never by saving a whole workspace row, so the workspace service
 * saving its own copy of the record (while it starts, stops or starts again)
 * does not undo a change the owner made meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

let git: GitServer;
let slipway: TestServer;

beforeAll(async () => {
  git = await startGitServer();
  slipway = await startSlipway();
});
afterAll(async () => {
  await slipway?.close();
  await git?.close();
});

const visibilities = async (id: string): Promise<Record<string, string>> => {
  const workspace = (await slipway.api('GET', `/api/workspaces/${id}`)).body;
  return Object.fromEntries(workspace.ports.map((p: { port: number; visibility: string }) => [String(p.port), p.visibility]));
};

async function flip(id: string, port: number, visibility: 'public' | 'private') {
  const response = await slipway.api('PATCH', `/api/workspaces/${id}/ports/${port}`, { visibility });
  expect(response.status, response.text).toBe(200);
}

describe('port visibility and workspace operations', () => {
  it('keeps visibility changes made while the workspace starts, stops and starts again', async () => {
    const { url } = await git.createRepo('one-writer', {
      // onCreate holds the startup for a while, so the change below lands in the middle of it.
      '.devcontainer/devcontainer.json': '{ "image": "slipway/workspace-base", "forwardPorts": [3000, 3001, 3002], "onCreateCommand": "sleep 3" }',
    });
    const created = await slipway.api('POST', '/api/workspaces', { contextUrl: url });
    expect(created.status, created.text).toBe(202);
    const id = created.body.id as string;

    // During the startup: the startup saves its copy of the record after every step.
    await slipway.waitForStatus(id, ['starting', 'running', 'failed']);
    await flip(id, 3000, 'public');
    expect((await visibilities(id))['3000']).toBe('public');
    expect((await slipway.waitForStatus(id, ['running', 'failed'])).status).toBe('running');
    expect(await visibilities(id)).toEqual({ '3000': 'public', '3001': 'private', '3002': 'private' });

    // A stop racing two chains of flips.
    await Promise.all([
      slipway.api('POST', `/api/workspaces/${id}/stop`),
      (async () => {
        await flip(id, 3000, 'private');
        await flip(id, 3000, 'public');
      })(),
      (async () => {
        await flip(id, 3001, 'public');
        await flip(id, 3002, 'public');
      })(),
    ]);
    expect((await slipway.waitForStatus(id, ['stopped'])).status).toBe('stopped');
    expect(await visibilities(id)).toEqual({ '3000': 'public', '3001': 'public', '3002': 'public' });

    // A start racing more flips.
    await Promise.all([
      slipway.api('POST', `/api/workspaces/${id}/start`),
      (async () => {
        await flip(id, 3000, 'private');
        await flip(id, 3002, 'private');
      })(),
    ]);
    expect((await slipway.waitForStatus(id, ['running', 'failed'])).status).toBe('running');
    expect(await visibilities(id)).toEqual({ '3000': 'private', '3001': 'public', '3002': 'private' });
  });
});
