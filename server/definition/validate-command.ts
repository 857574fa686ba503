/**
 * `slipway validate [file-or-dir] [--json] [--format gitpod|devcontainer]`:
 * parses a repository's definition the way the server will, prints the
 * normalized spec and every diagnostic with its position, and exits 1 when
 * the definition has errors. Meant for CI and for editing a definition.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DefinitionFormat, Diagnostic, ParseResult } from './model.js';
import { discoverDefinition, listerForDirectory } from './discover.js';
import { specToJSON } from './hash.js';
import { formatOfFile, parseDefinition, type ParseOptions } from './parse.js';
import { repoDirname, resolveRepoPath } from './paths.js';
import { addPortabilityWarnings } from './portability.js';

export interface CommandIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Folder relative paths are taken from; default: process.cwd(). */
  cwd?: string;
}

const defaultIO: CommandIO = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

export const VALIDATE_USAGE = `usage: slipway validate [file-or-dir] [--json] [--format gitpod|devcontainer]

Reads the workspace definition (.gitpod.yml, .gitpod.yaml, .devcontainer/devcontainer.json,
.devcontainer.json or .devcontainer/<name>/devcontainer.json) of a repository folder
(default: .) or the given file, and prints the normalized spec and any warnings.
Exits 1 when the definition has errors, 2 on bad usage.

  --json      print one JSON object: {"ok", "format", "file", "spec" | "errors", "warnings"}
  --format    the format of a file whose name does not say it
`;

export interface ValidateOutcome {
  result: ParseResult;
  /** Repository root the definition was read from (absolute). */
  root: string;
}

/** The repository root for a file given directly: its folder, or the parent of an enclosing `.devcontainer`. */
export function repoRootForFile(file: string): string {
  const dir = path.dirname(file);
  for (let probe = dir, i = 0; i < 3; i++, probe = path.dirname(probe)) {
    if (path.basename(probe) === '.devcontainer') return path.dirname(probe);
    if (path.dirname(probe) === probe) break;
  }
  return dir;
}

/** Position of the first line mentioning `needle` in `text`, for diagnostics found after parsing. */
function findPosition(text: string, needles: string[]): { line: number; column: number } {
  const lines = text.split(/\r\n|\r|\n/);
  for (const needle of needles) {
    for (let i = 0; i < lines.length; i++) {
      const col = lines[i]!.indexOf(needle);
      if (col >= 0) return { line: i + 1, column: col + 1 };
    }
  }
  return { line: 1, column: 1 };
}

/**
 * Warns about a Dockerfile or compose file that is not in the folder: on a
 * server the build would fail much later, and a typo is the usual cause.
 * Only `validate` checks this, since it alone has the whole folder at hand.
 */
async function checkReferencedFiles(outcome: ValidateOutcome): Promise<void> {
  const { result, root } = outcome;
  const image = result.spec.image;
  if (result.file === null) return;
  const key = result.format === 'gitpod' ? 'image.file' : image.kind === 'compose' ? 'dockerComposeFile' : 'build.dockerfile';
  const refs = image.kind === 'dockerfile' ? [image.dockerfile] : image.kind === 'compose' ? image.files : [];
  // Paths already refused by the parser (outside the repository) are not looked up.
  const missing = refs.filter((ref) => {
    const inside = resolveRepoPath('.', ref);
    return inside.ok && inside.path === ref && !existsSync(path.join(root, ref));
  });
  if (missing.length === 0) return;
  let text = '';
  try {
    text = await readFile(path.join(root, result.file), 'utf8');
  } catch {
    // Position falls back to 1:1.
  }
  for (const ref of missing) {
    result.warnings.push({
      message: `\`${key}\` names ${JSON.stringify(ref)} (from the repository root), which is not in ${root}`,
      path: key,
      ...findPosition(text, [path.posix.relative(repoDirname(result.file), ref), path.posix.basename(ref)]),
      file: result.file,
    });
  }
  result.warnings.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Validates a folder (discovery) or a file, as the command does, without printing. */
export async function validateTarget(target: string, options: ParseOptions & { cwd?: string } = {}): Promise<ValidateOutcome> {
  const full = path.resolve(options.cwd ?? process.cwd(), target);
  const stat = statSync(full);
  const parseOptions: ParseOptions = { localEnv: options.localEnv ?? {}, ...options };
  let outcome: ValidateOutcome;
  if (stat.isDirectory()) {
    parseOptions.localWorkspaceFolder ??= full;
    outcome = { result: await discoverDefinition(listerForDirectory(full), parseOptions), root: full };
  } else {
    const root = repoRootForFile(full);
    const rel = path.relative(root, full).split(path.sep).join('/');
    parseOptions.localWorkspaceFolder ??= root;
    const lister = listerForDirectory(root);
    if (!parseOptions.format && formatOfFile(rel) === null) {
      // A file with a non-standard name: its extension decides.
      const ext = path.extname(full).toLowerCase();
      if (ext === '.yml' || ext === '.yaml') parseOptions.format = 'gitpod';
      else if (ext === '.json' || ext === '.jsonc') parseOptions.format = 'devcontainer';
    }
    outcome = { result: parseDefinition(rel, await lister.read(rel), parseOptions), root };
  }
  await checkReferencedFiles(outcome);
  await addPortabilityWarnings(outcome.result, outcome.root);
  return outcome;
}

function line(d: Diagnostic, root: string, cwd: string, warning: boolean): string {
  const shown = path.relative(cwd, path.join(root, d.file)) || d.file;
  return `${shown}:${d.line}:${d.column}: ${warning ? 'warning: ' : ''}${d.message}\n`;
}

interface Flags {
  target: string;
  json: boolean;
  format?: Exclude<DefinitionFormat, 'default'>;
}

function parseFlags(args: string[]): Flags | string {
  const flags: Flags = { target: '.', json: false };
  let positional = 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') flags.json = true;
    else if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg.includes('=') ? arg.slice('--format='.length) : args[++i];
      if (value !== 'gitpod' && value !== 'devcontainer') return `--format must be gitpod or devcontainer, got ${JSON.stringify(value ?? '')}`;
      flags.format = value;
    } else if (arg.startsWith('-') && arg !== '-') return `unknown option ${arg}`;
    else if (positional++ === 0) flags.target = arg;
    else return `one file or folder at a time (got ${JSON.stringify(arg)} too)`;
  }
  return flags;
}

/** Runs `slipway validate` and returns its exit code. */
export async function validateCommand(args: string[], io: CommandIO = defaultIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(VALIDATE_USAGE);
    return 0;
  }
  const flags = parseFlags(args);
  if (typeof flags === 'string') {
    io.stderr(`slipway validate: ${flags}\n${VALIDATE_USAGE}`);
    return 2;
  }
  const cwd = io.cwd ?? process.cwd();
  const full = path.resolve(cwd, flags.target);
  if (!existsSync(full)) {
    const message = `no such file or folder: ${flags.target}`;
    if (flags.json)
      io.stdout(
        `${JSON.stringify({ ok: false, format: 'default', file: null, errors: [{ message, path: '', line: 1, column: 1, file: flags.target }], warnings: [] })}\n`,
      );
    else io.stderr(`slipway validate: ${message}\n`);
    return 2;
  }
  const { result, root } = await validateTarget(full, flags.format ? { format: flags.format, cwd } : { cwd });
  const ok = result.errors.length === 0;
  if (flags.json) {
    const body = ok
      ? { ok, format: result.format, file: result.file, spec: specToJSON(result.spec), warnings: result.warnings }
      : { ok, format: result.format, file: result.file, errors: result.errors, warnings: result.warnings };
    io.stdout(`${JSON.stringify(body, null, 2)}\n`);
    return ok ? 0 : 1;
  }
  for (const w of result.warnings) io.stderr(line(w, root, cwd, true));
  if (!ok) {
    for (const e of result.errors) io.stderr(line(e, root, cwd, false));
    io.stderr(`slipway validate: ${result.errors.length} error(s) in ${result.file}\n`);
    return 1;
  }
  io.stdout(`${JSON.stringify(specToJSON(result.spec), null, 2)}\n`);
  const what = result.file === null ? 'no definition file found; the default spec applies' : `${result.file} (${result.format}) is valid`;
  io.stderr(`slipway validate: ${what}${result.warnings.length > 0 ? `, ${result.warnings.length} warning(s)` : ''}\n`);
  return 0;
}
