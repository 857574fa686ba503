/**
 * The data directory is the server's alone (issue 12 item 17): after a start
 * and one open (database, WAL, mirror, logs, secret key, instance id), no file
 * or folder in it is readable, writable or searchable by group or other, even
 * under a umask of 000 and in a data dir an older version left open.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

let git: GitServer;
let server: TestServer;
let dataDir: string;
let oldUmask: number;

/** Every entry under `root` whose mode lets group or other in, as `mode path`. */
function openEntries(root: string): string[] {
  const found: string[] = [];
  const visit = (entry: string) => {
    const stat = lstatSync(entry);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) found.push(`${(stat.mode & 0o777).toString(8)} ${path.relative(root, entry) || '.'}`);
    if (stat.isDirectory()) for (const name of readdirSync(entry)) visit(path.join(entry, name));
  };
  visit(root);
  return found;
}

beforeAll(async () => {
  // A umask that would leave everything world-readable: the modes must not depend on it.
  oldUmask = process.umask(0o000);
  git = await startGitServer();
  // A data dir as an older version left it: open folder, world-readable log.
  dataDir = mkdtempSync(path.join(tmpdir(), 'slipway-modes-'));
  chmodSync(dataDir, 0o755);
  mkdirSync(path.join(dataDir, 'logs'), { mode: 0o755 });
  chmodSync(path.join(dataDir, 'logs'), 0o755);
  writeFileSync(path.join(dataDir, 'logs', 'old.log'), 'init output of long ago\n', { mode: 0o644 });
  server = await startSlipway({}, { dataDir });
});
afterAll(async () => {
  process.umask(oldUmask);
  await server?.close();
  await git?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('data directory modes', () => {
  it('after a start and one open, nothing in the data dir is open to group or other', async () => {
    expect(openEntries(dataDir)).toEqual([]);
    const { url } = await git.createRepo('modes', { '.gitpod.yml': 'tasks:\n  - init: echo hello\n', 'README.md': 'x\n' });
    const created = await server.api('POST', '/api/workspaces', { contextUrl: url });
    expect(created.status, created.text).toBe(202);
    const workspace = await server.waitForStatus(created.body.id, ['running', 'failed']);
    expect(workspace.status, workspace.statusReason).toBe('running');

    const names = readdirSync(dataDir);
    expect(names).toEqual(expect.arrayContaining(['slipway.db', 'slipway.db-wal', 'mirrors', 'logs', 'secret.key']));
    expect(readdirSync(path.join(dataDir, 'mirrors')).length).toBeGreaterThan(0);
    expect(readdirSync(path.join(dataDir, 'logs')).length).toBeGreaterThan(1);
    expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);
    expect(lstatSync(path.join(dataDir, 'slipway.db')).mode & 0o777).toBe(0o600);
    expect(openEntries(dataDir)).toEqual([]);
  });
});
