/**
 * Shared by the definition tests: where the repository and the shared corpus
 * are, staging corpus files at their real paths in a throwaway repository
 * folder, and running the validate command with captured output.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateCommand } from '../../../server/definition/validate-command.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** CI clones the repository with shared/ beside it. */
export const corpusRoot = path.resolve(repoRoot, '..', 'shared', 'corpus');

export interface CorpusEntry {
  /** Path under the corpus folder, e.g. `gitpod/x.gitpod.yml`. */
  corpusFile: string;
  repo: string;
  /** Path of the file in its own repository (SOURCES.tsv `path`, or the CLI README's original path). */
  repoPath: string;
  notes: string;
  /** Tags after `features:` in the notes. */
  features: string[];
  /** Items after `issues:` in the notes. */
  issues: string[];
}

function splitNotes(notes: string): { features: string[]; issues: string[] } {
  const features =
    /features: ([^;]*)/
      .exec(notes)?.[1]
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? [];
  const issues =
    /issues: (.*)$/
      .exec(notes)?.[1]
      ?.split('|')
      .map((s) => s.trim())
      .filter(Boolean) ?? [];
  return { features, issues };
}

/** Rows of SOURCES.tsv, definition files only (Dockerfiles and READMEs skipped). */
export function sourcesEntries(): CorpusEntry[] {
  const entries = readSources();
  if (entries.length === 0 || entries.every((e) => e.features.length === 0)) throw new Error('SOURCES.tsv: no rows or no feature notes read');
  return entries;
}

function readSources(): CorpusEntry[] {
  // SOURCES.tsv has CRLF line ends.
  const lines = readFileSync(path.join(corpusRoot, 'SOURCES.tsv'), 'utf8').split(/\r?\n/).filter(Boolean);
  const header = lines[0]!.split('\t');
  const col = (name: string) => header.indexOf(name);
  return lines
    .slice(1)
    .map((l) => l.split('\t'))
    .filter((cells) => !/\.Dockerfile$/i.test(cells[col('file')]!) && !/README/.test(cells[col('file')]!))
    .map((cells) => {
      const notes = cells[col('notes')] ?? '';
      return {
        corpusFile: cells[col('file')]!,
        repo: cells[col('repo')]!,
        repoPath: cells[col('path')]!,
        notes,
        ...splitNotes(notes),
      };
    });
}

/** Dockerfiles of the corpus by repository, with the path they have there. */
export function corpusDockerfiles(): Map<string, { corpusFile: string; repoPath: string }[]> {
  const lines = readFileSync(path.join(corpusRoot, 'SOURCES.tsv'), 'utf8').split(/\r?\n/).filter(Boolean).slice(1);
  const out = new Map<string, { corpusFile: string; repoPath: string }[]>();
  for (const cells of lines.map((l) => l.split('\t'))) {
    if (!/\.Dockerfile$/i.test(cells[0]!)) continue;
    const list = out.get(cells[1]!) ?? [];
    list.push({ corpusFile: cells[0]!, repoPath: cells[2]! });
    out.set(cells[1]!, list);
  }
  return out;
}

/** The devcontainers/cli test configs, with their original paths from the folder's README table. */
export function cliConfigEntries(): CorpusEntry[] {
  const readme = readFileSync(path.join(corpusRoot, 'devcontainer-cli-configs', 'README.md'), 'utf8');
  const rows = readme.split(/\r?\n/).filter((l) => /^\| [\w-]+\.json \|/.test(l));
  return rows.map((row) => {
    const cells = row.split('|').map((c) => c.trim());
    const file = cells[1]!;
    const original = cells[2]!;
    // `image/.devcontainer.json` → repository `image`, file `.devcontainer.json`.
    const [, ...rest] = original.split('/');
    return {
      corpusFile: `devcontainer-cli-configs/${file}`,
      repo: `devcontainers/cli:${original.split('/')[0]}`,
      repoPath: rest.join('/'),
      notes: cells[4] ?? '',
      features: [],
      issues: [],
    };
  });
}

/** Every definition file in the three corpus folders, to check nothing is missed by the tables. */
export function corpusDefinitionFiles(): string[] {
  const out: string[] = [];
  for (const dir of ['gitpod', 'devcontainer', 'devcontainer-cli-configs']) {
    for (const name of readdirSync(path.join(corpusRoot, dir))) {
      if (/\.Dockerfile$/i.test(name) || /README/.test(name)) continue;
      out.push(`${dir}/${name}`);
    }
  }
  return out.sort();
}

/**
 * Where a definition sits relative to the folder it configures: a monorepo
 * config like `src/universal/.devcontainer/devcontainer.json` is staged as
 * `.devcontainer/devcontainer.json` of a repository rooted at `src/universal`.
 */
export function stagedPath(repoPath: string): string {
  const i = repoPath.indexOf('.devcontainer');
  return i > 0 ? repoPath.slice(i) : repoPath;
}

export function tempDir(prefix = 'slipway-def-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes `files` (repository-relative path → content) into a new temporary folder. */
export function makeRepo(files: Record<string, string | Buffer>): string {
  const dir = tempDir();
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

export function readCorpus(corpusFile: string): Buffer {
  return readFileSync(path.join(corpusRoot, corpusFile));
}

/** Runs `slipway validate` in-process; returns the exit code and what it printed. */
export async function runValidate(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await validateCommand(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    ...(cwd ? { cwd } : {}),
  });
  return { code, stdout, stderr };
}

/** 1-based line of the first line of `text` matching `re`. */
export function lineOf(text: string, re: RegExp): number {
  const i = text.split(/\r\n|\r|\n/).findIndex((l) => re.test(l));
  if (i < 0) throw new Error(`no line matches ${re}`);
  return i + 1;
}
