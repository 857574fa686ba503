/**
 * Which parts of the build context a Dockerfile can read, so the cache key of
 * a built image covers those and nothing else (DESIGN §4, issue 17 item 4).
 * Most `.gitpod.Dockerfile`s copy nothing: with the repository root as their
 * context, keying on the whole tree made every commit a new image, and no
 * incremental prebuild was ever used ("image changed").
 *
 * Only `COPY` and `ADD` without `--from` read the context (the classic
 * builder has no `RUN --mount`). Their sources are cut at the first
 * component holding a wildcard or a variable (`src/*.js` reads from `src`);
 * a source that is the context itself (`.`, `*`, `$X`) means the whole
 * context. Pure: text in, folders and files out.
 */
import path from 'node:path/posix';
import { Readable } from 'node:stream';
import { createTar } from '../core/tar.js';
import { sha256Hex } from '../core/ids.js';
import { dockerfileInstructions } from './dockerfile-instructions.js';

/** The source arguments of one COPY/ADD (flags and destination removed), or null when it reads no context. */
function sources(rest: string): string[] | null {
  let body = rest.trim();
  const flags: string[] = [];
  while (body.startsWith('--')) {
    const match = /^(\S+)\s*([\s\S]*)$/.exec(body)!;
    flags.push(match[1]!.toLowerCase());
    body = match[2] ?? '';
  }
  if (flags.some((f) => f.startsWith('--from='))) return null;
  let words: string[];
  if (body.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(body);
      words = Array.isArray(parsed) ? parsed.map(String) : [];
    } catch {
      words = body.split(/\s+/);
    }
  } else words = body.split(/\s+/).filter((w) => w !== '');
  // A remote URL (ADD https://…) is not read from the context; the Dockerfile's own text keys it.
  return words.slice(0, -1).filter((w) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(w) && !/^git@/.test(w));
}

/** The part of a source path the builder can read: cut at the first wildcard or variable; '' = the whole context. */
function readableRoot(source: string): string {
  const parts: string[] = [];
  for (const part of source.split('/')) {
    if (/[*?[\]$\\]/.test(part)) break;
    parts.push(part);
  }
  // Absolute sources are read from the context root too.
  const joined = path.normalize(`./${parts.join('/')}`).replace(/\/+$/, '');
  // Sources cannot leave the context; anything that tries is keyed on the whole context.
  if (joined === '.' || joined === '' || joined === '..' || joined.startsWith('../')) return '';
  return joined;
}

/**
 * The context paths (relative to the context, sorted, deduplicated) that the
 * Dockerfile can read; `[]` when it reads none; null when it can read the
 * whole context.
 */
export function contextInputs(dockerfile: string): string[] | null {
  const found = new Set<string>();
  for (const ins of dockerfileInstructions(dockerfile)) {
    // ONBUILD runs in images built FROM this one, not here; its sources are those builds' business.
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    for (const source of sources(ins.rest) ?? []) {
      const root = readableRoot(source);
      if (root === '') return null;
      found.add(root);
    }
  }
  // A folder already listed covers the files under it.
  const sorted = [...found].sort();
  return sorted.filter((p) => !sorted.some((q) => q !== p && p.startsWith(`${q}/`)));
}

/**
 * One id for the context inputs: the context's tree id when the Dockerfile can
 * read all of it, else each input's git object id (a missing one keyed as
 * such: the build fails on it, and a commit that adds it rebuilds).
 */
export async function contextInputsId(
  repos: {
    treeId(repoUrl: string, commit: string, dir: string): Promise<string>;
    objectId(repoUrl: string, commit: string, path: string): Promise<string | null>;
  },
  at: { repoUrl: string; commit: string; contextDir: string },
  inputs: string[] | null,
): Promise<string> {
  if (inputs === null) return repos.treeId(at.repoUrl, at.commit, at.contextDir);
  const ids = await Promise.all(inputs.map(async (p) => `${p}\0${(await repos.objectId(at.repoUrl, at.commit, path.join(at.contextDir, p))) ?? 'missing'}`));
  return sha256Hex('slipway-context-inputs-v1', ...ids);
}

/** A build context holding only the Dockerfile: for Dockerfiles that copy nothing, instead of an archive of the repository. */
export function dockerfileOnlyContext(dockerfilePath: string, content: Buffer): Readable {
  return Readable.from([createTar([{ name: dockerfilePath, content }])]);
}
