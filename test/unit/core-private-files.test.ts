/**
 * The data dir is made the server's alone (issue 12 item 17): folders 0700,
 * files lose every group/other bit, whatever the umask, and a symlink's
 * target outside the data dir is never touched.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { secureDataDir, tightenTree } from '../../server/core/private-files.js';
import { createLogStream } from '../../server/core/log-stream.js';
import { openDatabase } from '../../server/store/db.js';

const made: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-private-'));
  made.push(dir);
  return dir;
};
const mode = (p: string) => lstatSync(p).mode & 0o7777;
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('private files', () => {
  it('tightens an older data dir, leaving symlinks and their targets alone', () => {
    const root = scratch();
    const outside = scratch();
    const data = path.join(root, 'data');
    mkdirSync(path.join(data, 'mirrors', 'x.git', 'objects'), { recursive: true });
    chmodSync(data, 0o755);
    writeFileSync(path.join(data, 'mirrors', 'x.git', 'objects', 'ab'), 'x');
    chmodSync(path.join(data, 'mirrors', 'x.git', 'objects', 'ab'), 0o444);
    writeFileSync(path.join(data, 'slipway.db'), '');
    chmodSync(path.join(data, 'slipway.db'), 0o664);
    writeFileSync(path.join(outside, 'target'), 'not ours');
    chmodSync(path.join(outside, 'target'), 0o644);
    symlinkSync(path.join(outside, 'target'), path.join(data, 'link'));

    expect(secureDataDir(data)).toBeGreaterThan(0);
    expect(mode(data)).toBe(0o700);
    for (const folder of ['logs', 'mirrors', 'tmp']) expect(mode(path.join(data, folder))).toBe(0o700);
    expect(mode(path.join(data, 'mirrors', 'x.git', 'objects', 'ab'))).toBe(0o400);
    expect(mode(path.join(data, 'slipway.db'))).toBe(0o600);
    expect(statSync(path.join(outside, 'target')).mode & 0o777).toBe(0o644);
    expect(tightenTree(data)).toBe(0);
  });

  it('makes the database and logs 0600 even under umask 000', () => {
    const old = process.umask(0);
    try {
      const data = path.join(scratch(), 'data');
      const db = openDatabase(data);
      db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
      const log = createLogStream(path.join(data, 'logs', 'w1.log'));
      log.line('hello');
      expect(mode(data)).toBe(0o700);
      expect(mode(path.join(data, 'slipway.db'))).toBe(0o600);
      expect(mode(path.join(data, 'slipway.db-wal'))).toBe(0o600);
      expect(mode(path.join(data, 'logs', 'w1.log'))).toBe(0o600);
      db.close();
    } finally {
      process.umask(old);
    }
  });
});
