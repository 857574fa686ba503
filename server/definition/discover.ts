/**
 * Finding the definition in a repository (DESIGN §3: first found wins):
 * `.gitpod.yml`, `.gitpod.yaml`, `.devcontainer/devcontainer.json`,
 * `.devcontainer.json`, `.devcontainer/<name>/devcontainer.json` (first
 * name alphabetically); none → the default spec.
 *
 * A lister abstracts where files come from: a folder on disk here, a git
 * commit elsewhere (git/). Paths are repository-relative with `/`.
 */
import { lstat, open, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { defaultSpec, type ParseResult } from './model.js';
import { MAX_DEFINITION_BYTES } from './limits.js';
import { formatOfFile, parseDefinition, type ParseOptions } from './parse.js';

export interface DefinitionLister {
  /** Repository-relative paths (`/`-separated) of the files that may hold a definition. */
  list(): Promise<string[]> | string[];
  read(path: string): Promise<string | Buffer>;
  /**
   * The file's size without reading it (null when unknown). A definition over
   * MAX_DEFINITION_BYTES is refused from its size alone: a 300 MB file in a
   * repository must not be read into the server's memory to be rejected.
   */
  size?(path: string): Promise<number | null>;
}

const FIXED = ['.gitpod.yml', '.gitpod.yaml', '.devcontainer/devcontainer.json', '.devcontainer.json'];
const NAMED = /^\.devcontainer\/([^/]+)\/devcontainer\.json$/;

/** The definition file to use among `files`, or null. */
export function pickDefinitionFile(files: readonly string[]): string | null {
  const set = new Set(files.map((f) => f.replace(/^\.\//, '')));
  for (const f of FIXED) if (set.has(f)) return f;
  const named = [...set].filter((f) => NAMED.test(f)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return named[0] ?? null;
}

/** Finds, reads and parses the repository's definition; see the module comment for the order. */
export async function discoverDefinition(lister: DefinitionLister, options: ParseOptions = {}): Promise<ParseResult> {
  const file = pickDefinitionFile(await lister.list());
  if (file === null) return { format: 'default', file: null, spec: defaultSpec(), errors: [], warnings: [] };
  const unreadable = (message: string): ParseResult => ({
    format: options.format ?? formatOfFile(file) ?? 'default',
    file,
    spec: defaultSpec(),
    errors: [{ message, path: '', line: 1, column: 1, file }],
    warnings: [],
  });
  let text: string | Buffer;
  try {
    const size = (await lister.size?.(file)) ?? null;
    if (size !== null && size > MAX_DEFINITION_BYTES) {
      return unreadable(`the file is ${size} bytes; Slipway reads definition files up to ${MAX_DEFINITION_BYTES} bytes (1 MiB)`);
    }
    text = await lister.read(file);
  } catch (err) {
    return unreadable(`the file could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseDefinition(file, text, options);
}

/** How deep `listerForDirectory` looks inside `.devcontainer` (`.devcontainer/a/b/c`). */
const DEVCONTAINER_DEPTH = 3;

async function isFile(full: string): Promise<boolean> {
  try {
    return (await lstat(full)).isFile();
  } catch {
    return false;
  }
}

/**
 * A lister over a folder on disk: files at the top level, and under
 * `.devcontainer` down to three levels. Symbolic links are not followed, and
 * reads are refused outside the folder, since the folder may be an untrusted
 * checkout. Reads stop just past the size limit, so a huge file costs 1 MiB.
 */
export function listerForDirectory(dir: string): DefinitionLister {
  const root = path.resolve(dir);
  async function walk(rel: string, depth: number, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isFile()) out.push(child);
      else if (e.isDirectory() && (rel === '' ? e.name === '.devcontainer' : depth < DEVCONTAINER_DEPTH)) {
        await walk(child, rel === '' ? 1 : depth + 1, out);
      }
    }
  }
  return {
    async list() {
      const out: string[] = [];
      await walk('', 0, out);
      return out.sort();
    },
    async size(file: string) {
      const full = path.resolve(root, file);
      if (full !== root && !full.startsWith(root + path.sep)) return null;
      try {
        const stat = await lstat(full);
        return stat.isFile() ? stat.size : null;
      } catch {
        return null;
      }
    },
    async read(file: string) {
      const full = path.resolve(root, file);
      const realRoot = await realpath(root);
      const inside = (p: string, base: string) => p === base || p.startsWith(base + path.sep);
      if (!inside(full, root) || !(await isFile(full)) || !inside(await realpath(full), realRoot)) {
        throw new Error(`${file} is not a file inside ${root}`);
      }
      const handle = await open(full, 'r');
      try {
        const buffer = Buffer.alloc(MAX_DEFINITION_BYTES + 1);
        let length = 0;
        while (length < buffer.length) {
          const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
          if (bytesRead === 0) break;
          length += bytesRead;
        }
        return buffer.subarray(0, length);
      } finally {
        await handle.close();
      }
    },
  };
}
