/**
 * Issue 12, item 10: a huge definition file is refused from its size, before
 * it is read. A 50 MB `.gitpod.yml` used to be read whole into the server
 * (300 MB took RSS from 346 MB to 1.1 GB) only to fail the 1 MiB check; now
 * the open fails with a clear error and the server's memory barely moves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverDefinition } from '../../../server/definition/index.js';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

const SIZE = 50 * 1024 * 1024;
const MiB = 1024 * 1024;

let git: GitServer;
let slipway: TestServer;
let repoUrl: string;

/** Runs `work` while sampling the process's RSS every few milliseconds; returns the peak growth. */
async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 2);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growth: peak - base };
  } finally {
    clearInterval(timer);
  }
}

beforeAll(async () => {
  git = await startGitServer();
  // A valid-looking YAML file of 50 MB: comment lines (compresses to almost nothing in the pack).
  const line = `# ${'x'.repeat(1021)}\n`;
  ({ url: repoUrl } = await git.createRepo('huge-definition', { '.gitpod.yml': line.repeat(SIZE / line.length) }));
  slipway = await startSlipway();
});
afterAll(async () => {
  await slipway?.close();
  await git?.close();
});

describe('a 50 MB definition file', () => {
  it('fails the open with an error naming the file and the limit, and the server does not read it', async () => {
    // A first open warms the server up (lazy imports, compiled routes, the first clone): not what is measured.
    const { url: small } = await git.createRepo('small-definition', { '.gitpod.yml': 'image: [broken\n' });
    const warm = await slipway.api('POST', '/api/workspaces', { contextUrl: small });
    const warmed = await slipway.waitForStatus(warm.body.id, ['running', 'failed']);
    const { growth: warmGrowth } = await peakRssGrowth(async () => {
      const again = await slipway.api('POST', '/api/workspaces', { contextUrl: small });
      return slipway.waitForStatus(again.body.id, ['running', 'failed']);
    });
    console.log(`warm-up open: ${warmed.status}; RSS growth of a second small open: ${(warmGrowth / MiB).toFixed(1)} MiB`);
    const { result: workspace, growth } = await peakRssGrowth(async () => {
      const created = await slipway.api('POST', '/api/workspaces', { contextUrl: repoUrl });
      expect(created.status).toBe(202);
      return slipway.waitForStatus(created.body.id, ['running', 'failed']);
    });
    expect(workspace.status).toBe('failed');
    expect(workspace.statusReason).toContain('.gitpod.yml');
    expect(workspace.statusReason).toContain(`the file is ${SIZE} bytes`);
    expect(workspace.statusReason).toContain('up to 1048576 bytes (1 MiB)');
    console.log(`RSS growth during the open: ${(growth / MiB).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(20 * MiB);
  });

  it('reading the definition at that commit costs under 20 MB of RSS', async () => {
    const git = slipway.app.services.git;
    const { commit } = await git.resolve(repoUrl, { kind: 'default' }, { as: 'anonymous' });
    const { result, growth } = await peakRssGrowth(() => discoverDefinition(git.lister(repoUrl, commit)));
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ file: '.gitpod.yml', message: expect.stringContaining('1 MiB') });
    console.log(`RSS growth during the read: ${(growth / MiB).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(20 * MiB);
    // Any other whole-file read of it stops at its size as well, and says so.
    await expect(git.readFile(repoUrl, commit, '.gitpod.yml')).rejects.toMatchObject({ code: 'SLIPWAY_GIT_FILE_TOO_LARGE', detail: { size: SIZE } });
  });
});
