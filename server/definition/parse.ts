/**
 * parseDefinition: the one entry point that turns a definition file's bytes
 * into a ParseResult. It never throws on user input: size, encoding and
 * parser failures all come back as diagnostics with a position.
 */
import path from 'node:path';
import { defaultSpec, type DefinitionFormat, type Diagnostic, type ParseResult } from './model.js';
import { parseDevcontainer } from './devcontainer.js';
import { parseGitpod } from './gitpod.js';
import { MAX_DEFINITION_BYTES } from './limits.js';
import type { SubstitutionOptions } from './substitute.js';

export interface ParseOptions extends SubstitutionOptions {
  /** Overrides the format chosen from the file name (for files with other names, e.g. in tests or `slipway validate --format`). */
  format?: Exclude<DefinitionFormat, 'default'>;
}

/** The format a file name implies, or null when the name is not a definition file's. */
export function formatOfFile(file: string): Exclude<DefinitionFormat, 'default'> | null {
  const name = path.posix.basename(file.replace(/\\/g, '/'));
  if (name === '.gitpod.yml' || name === '.gitpod.yaml' || name.endsWith('.gitpod.yml') || name.endsWith('.gitpod.yaml')) return 'gitpod';
  if (name.endsWith('devcontainer.json')) return 'devcontainer';
  return null;
}

function failure(file: string, format: DefinitionFormat, message: string): ParseResult {
  const error: Diagnostic = { message, path: '', line: 1, column: 1, file };
  return { format, file, spec: defaultSpec(), errors: [error], warnings: [] };
}

const byPosition = (a: Diagnostic, b: Diagnostic): number => a.line - b.line || a.column - b.column;

/**
 * The text each parse read, kept beside the result (not in it: the result's
 * shape is the API's and the tests'), so an error can quote its line.
 */
const sources = new WeakMap<ParseResult, string>();

/**
 * `file:line:col: message`, then the offending line with a caret under the
 * column, the way compilers show it: the form a failed workspace's reason takes.
 */
export function formatDiagnostic(d: Diagnostic, result?: ParseResult): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.message}`;
  const text = result === undefined ? undefined : sources.get(result);
  const line = text?.split(/\r?\n/)[d.line - 1];
  if (line === undefined || line.trim() === '') return head;
  const gutter = String(d.line);
  const caretAt = Math.max(0, Math.min(d.column - 1, line.length));
  return `${head}\n  ${gutter} | ${line}\n  ${' '.repeat(gutter.length)} | ${' '.repeat(caretAt)}^`;
}

/**
 * Parses a definition. `file` is the repository-relative path; it decides the
 * format (`.gitpod.yml`/`.gitpod.yaml` → gitpod, `…devcontainer.json` →
 * devcontainer) unless `options.format` is given, and it is the base for
 * relative paths inside a devcontainer.json.
 */
export function parseDefinition(file: string, text: string | Buffer, options: ParseOptions = {}): ParseResult {
  const format = options.format ?? formatOfFile(file);
  if (format === null) {
    return failure(file, 'default', `cannot tell the format of ${JSON.stringify(file)}: name it .gitpod.yml or devcontainer.json`);
  }
  const size = typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : text.length;
  if (size > MAX_DEFINITION_BYTES) {
    return failure(file, format, `the file is ${size} bytes; Slipway reads definition files up to ${MAX_DEFINITION_BYTES} bytes (1 MiB)`);
  }
  let source: string;
  if (typeof text === 'string') source = text;
  else {
    try {
      source = new TextDecoder('utf-8', { fatal: true }).decode(text);
    } catch {
      return failure(file, format, 'the file is not valid UTF-8 text; save it as UTF-8');
    }
  }
  // A BOM is invisible in editors; dropping it keeps columns on line 1 as the user sees them.
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  let result: ParseResult;
  try {
    result = format === 'gitpod' ? parseGitpod(file, source) : parseDevcontainer(file, source, options);
  } catch (err) {
    // A parser bug or a pathological file (e.g. nesting deep enough to exhaust the stack) must not take the caller down.
    const why = err instanceof RangeError ? 'it is nested too deeply' : err instanceof Error ? err.message : String(err);
    return failure(file, format, `the file could not be read: ${why}`);
  }
  result.errors.sort(byPosition);
  result.warnings.sort(byPosition);
  sources.set(result, source);
  return result;
}
