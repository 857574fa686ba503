/**
 * Every real-world definition in the shared corpus goes through `slipway
 * validate`, staged at the path it has in its own repository (so relative
 * Dockerfile paths like `..` resolve as they do there). SOURCES.tsv's feature
 * tags are structural invariants; known-broken files must fail on the line
 * where they are broken.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickDefinitionFile, type ParseResult } from '../../../server/definition/index.js';
import { validateTarget } from '../../../server/definition/validate-command.js';
import { checkTag } from './corpus-invariants.js';
import {
  cliConfigEntries,
  corpusDefinitionFiles,
  corpusDockerfiles,
  corpusRoot,
  lineOf,
  makeRepo,
  readCorpus,
  runValidate,
  sourcesEntries,
  stagedPath,
  type CorpusEntry,
} from './helpers.js';

/** Files that must not validate, and where (line, column when it is certain) the first error is. */
const EXPECTED_ERRORS: Record<string, { line: number; column?: number; path: string; message: RegExp }> = {
  // `init: [ -x … ] && …`: a flow list followed by more text; the error is on that line.
  'gitpod/rust-lang__rustlings.gitpod.yml': { line: 2, path: '', message: /YAML syntax error.*`init` starts with `\[`/ },
  // `ports:` holds a mapping (port/onOpen) instead of a list: reported at the mapping, line 5.
  'gitpod/benpetersonsbuild__gitpod-vnc-gnome.gitpod.yml': { line: 5, column: 3, path: 'ports', message: /`ports` must be a list/ },
  // A Docker Hub web page URL is not an image name; pulling it would fail.
  'gitpod/MTyson__jhipster-gitpod.gitpod.yml': { line: 1, column: 8, path: 'image', message: /web page.*`jhipster\/jhipster`/ },
  // A URL glued before the opening `{`.
  'devcontainer/cli__cli.devcontainer.json': { line: 1, column: 1, path: '', message: /JSON syntax error/ },
};

const entries: CorpusEntry[] = [...sourcesEntries(), ...cliConfigEntries()];
const dockerfiles = corpusDockerfiles();

interface Staged {
  dir: string;
  file: string;
  text: string;
}

function stage(entry: CorpusEntry): Staged {
  const file = stagedPath(entry.repoPath);
  const files: Record<string, Buffer> = { [file]: readCorpus(entry.corpusFile) };
  // The Dockerfiles the corpus has for this repository, at their own paths: then no "missing Dockerfile" warning.
  for (const d of dockerfiles.get(entry.repo) ?? []) files[stagedPath(d.repoPath)] = readCorpus(d.corpusFile);
  return { dir: makeRepo(files), file, text: readCorpus(entry.corpusFile).toString('utf8') };
}

function issueChecks(entry: CorpusEntry, result: ParseResult, text: string): void {
  for (const issue of entry.issues) {
    const [kind, arg = ''] = issue.split(/:(.*)/s).map((s) => s.trim());
    switch (kind) {
      case 'unknown-top-level-keys':
        for (const key of arg.split('/')) {
          const w = result.warnings.find((d) => d.path === key);
          expect(w, `warning for unknown key ${key}`).toBeDefined();
          expect(w!.message).toContain(`unknown key \`${key}\``);
          expect(w!.line).toBe(lineOf(text, new RegExp(`^${key}:`)));
          expect(w!.column).toBe(1);
        }
        break;
      case 'deprecated-keys':
        for (const key of arg.split('/')) {
          const w = result.warnings.find((d) => d.path === key && /deprecated/.test(d.message));
          expect(w, `deprecation warning for ${key}`).toBeDefined();
          expect(w!.line).toBe(lineOf(text, new RegExp(`^\\s*"${key}"\\s*:`)));
        }
        break;
      case 'feature-string-value':
        expect((result.spec.extra['features'] as Record<string, unknown>)[arg]).toBeTypeOf('string');
        break;
      case 'legacy-short-feature-id':
        expect(Object.keys(result.spec.extra['features'] as object)).toContain(arg);
        break;
      case 'runArgs-with-compose(ignored)':
        expect(result.warnings.find((d) => d.path === 'runArgs')?.message).toMatch(/ignored with `dockerComposeFile`/);
        break;
      case 'tasks-null':
        expect(result.spec.tasks).toEqual([]);
        break;
      case 'task-command-null':
        expect(result.spec.tasks.some((t) => t.command === null && t.init !== null)).toBe(true);
        break;
      case 'ports-not-list(dict)':
        expect(result.errors.map((e) => e.path)).toContain('ports');
        break;
      case 'YAML-PARSE-ERROR':
      case 'JSONC-PARSE-ERROR':
        expect(result.errors.length).toBeGreaterThan(0);
        break;
      default:
        throw new Error(`corpus issue ${JSON.stringify(issue)} has no check`);
    }
  }
}

describe('corpus coverage', () => {
  it('has every definition file of the three folders in SOURCES.tsv or the CLI configs README', () => {
    expect(entries.map((e) => e.corpusFile).sort()).toEqual(corpusDefinitionFiles());
    expect(entries.length).toBeGreaterThanOrEqual(80);
  });

  it('marks every ODD INVALID file as an expected error', () => {
    const invalid = entries.filter((e) => /ODD INVALID/.test(e.notes)).map((e) => e.corpusFile);
    expect(invalid.length).toBeGreaterThanOrEqual(2);
    for (const f of invalid) expect(Object.keys(EXPECTED_ERRORS)).toContain(f);
  });
});

describe.each(entries.map((e) => [e.corpusFile, e] as const))('corpus %s', (_name, entry) => {
  it('validates as the notes and the expected-errors table say', async () => {
    const staged = stage(entry);
    const discoverable = pickDefinitionFile([staged.file]) !== null;
    const target = discoverable ? staged.dir : path.join(staged.dir, staged.file);
    const { result } = await validateTarget(target);
    const expected = EXPECTED_ERRORS[entry.corpusFile];
    expect(result.file).toBe(staged.file);
    expect(result.format).toBe(entry.corpusFile.startsWith('gitpod/') ? 'gitpod' : 'devcontainer');
    if (expected) {
      expect(result.errors.length).toBeGreaterThan(0);
      const first = result.errors[0]!;
      expect(first.line).toBe(expected.line);
      if (expected.column !== undefined) expect(first.column).toBe(expected.column);
      expect(first.path).toBe(expected.path);
      expect(first.message).toMatch(expected.message);
      expect(first.file).toBe(staged.file);
    } else {
      expect(result.errors).toEqual([]);
    }
    for (const w of result.warnings) {
      expect(w.file).toBe(staged.file);
      expect(w.line).toBeGreaterThanOrEqual(1);
      expect(w.line).toBeLessThanOrEqual(staged.text.split(/\r\n|\r|\n/).length);
      expect(w.message.length).toBeGreaterThan(10);
    }
    // Dockerfiles staged from the corpus are found, so they are not reported missing.
    if ((dockerfiles.get(entry.repo) ?? []).length > 0) expect(result.warnings.filter((w) => /is not in/.test(w.message))).toEqual([]);
    if (!expected || result.errors.every((e) => e.path !== '')) {
      for (const tag of entry.features) checkTag(tag, result);
    }
    issueChecks(entry, result, staged.text);
  });

  it('gives the same answer through the command, for the folder and for the file itself', async () => {
    const staged = stage(entry);
    const byFile = await runValidate([path.join(staged.dir, staged.file), '--json']);
    const bodyFile = JSON.parse(byFile.stdout) as { ok: boolean; format: string; file: string; spec?: unknown; errors?: unknown[] };
    const ok = EXPECTED_ERRORS[entry.corpusFile] === undefined;
    expect(bodyFile.ok).toBe(ok);
    expect(byFile.code).toBe(ok ? 0 : 1);
    expect(bodyFile.file).toBe(staged.file);
    if (pickDefinitionFile([staged.file]) !== null) {
      const byDir = await runValidate([staged.dir, '--json']);
      expect(JSON.parse(byDir.stdout)).toEqual(bodyFile);
      expect(byDir.code).toBe(byFile.code);
    }
    if (ok) expect(bodyFile.spec).toBeTypeOf('object');
    else expect(bodyFile.errors!.length).toBeGreaterThan(0);
  });
});

describe('corpus text sanity', () => {
  it('reads the corpus from ../shared/corpus beside the repository', () => {
    expect(readFileSync(path.join(corpusRoot, 'SOURCES.tsv'), 'utf8')).toMatch(/^file\trepo\tpath\tcommit\tnotes/);
  });
});
