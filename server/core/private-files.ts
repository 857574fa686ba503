/**
 * The data directory is the server's alone (DESIGN §10): the database,
 * mirrors of private repositories, logs with `init` output, the secret key.
 * Folders are 0700 and files 0600, set with chmod after creating, so the
 * result does not depend on the umask; a data dir from an older version is
 * tightened at start.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Makes `dir` (and missing parents) and sets it to 0700 whatever the umask. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Takes every group and other permission off everything under `root`
 * (itself included). Symlinks are neither followed nor changed (chmod would
 * act on their target). Returns how many entries it changed.
 */
export function tightenTree(root: string): number {
  let changed = 0;
  const visit = (entry: string): void => {
    let stat;
    try {
      stat = lstatSync(entry);
    } catch {
      return; // gone meanwhile
    }
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) {
      chmodSync(entry, stat.mode & 0o7700);
      changed += 1;
    }
    if (stat.isDirectory()) for (const name of readdirSync(entry)) visit(path.join(entry, name));
  };
  visit(root);
  return changed;
}

/** The data dir and its known folders made 0700, and anything older in it tightened. */
export function secureDataDir(dataDir: string, folders: readonly string[] = ['logs', 'mirrors', 'tmp']): number {
  ensurePrivateDir(dataDir);
  for (const folder of folders) ensurePrivateDir(path.join(dataDir, folder));
  return tightenTree(dataDir);
}
