/**
 * The SQLite store: one file under the data dir, WAL mode (readers never block
 * the writer), schema changes as numbered migrations tracked in user_version.
 * Only store/ talks SQL; services get typed repositories from it.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { PRIVATE_FILE_MODE, secureDataDir } from '../core/private-files.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export function openDatabase(dataDir: string | ':memory:'): Db {
  let db: Db;
  if (dataDir === ':memory:') {
    db = new Database(':memory:');
  } else {
    // Opening the database is the first touch of the data dir: it is made (or made again) the server's alone.
    secureDataDir(dataDir);
    const file = path.join(dataDir, 'slipway.db');
    // SQLite makes the file 0644 (less the umask), and its -wal and -shm copy that mode: make it 0600 first.
    closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
    chmodSync(file, PRIVATE_FILE_MODE);
    db = new Database(file);
    db.pragma('journal_mode = WAL');
  }
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}
