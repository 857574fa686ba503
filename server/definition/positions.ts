/**
 * Positions and diagnostics shared by both parsers. Offsets are string
 * indices (UTF-16 code units), as both `yaml` and `jsonc-parser` report them;
 * lines and columns are 1-based, as editors and `file:line:col` links expect.
 */
import type { Diagnostic } from './model.js';

export interface Position {
  line: number;
  column: number;
}

export type PathSegment = string | number;

/**
 * Returns a function mapping an offset to a line and column. CRLF, lone CR
 * and LF all end a line (YAML and JSON both accept the three), so a CRLF file
 * gets the same line numbers an editor shows.
 */
export function makeLocator(text: string): (offset: number) => Position {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return (offset: number): Position => {
    const at = Math.max(0, Math.min(offset, text.length));
    // Binary search for the last line start <= offset.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - (starts[lo] ?? 0) + 1 };
  };
}

const SIMPLE_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `['tasks', 1, 'init']` → `tasks[1].init`; odd keys are quoted: `env["A.B"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (SIMPLE_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Collects errors and warnings for one file. */
export interface DiagnosticSink {
  readonly file: string;
  readonly errors: Diagnostic[];
  readonly warnings: Diagnostic[];
  error(path: readonly PathSegment[], pos: Position, message: string): void;
  warn(path: readonly PathSegment[], pos: Position, message: string): void;
}

export function makeSink(file: string): DiagnosticSink {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const make = (path: readonly PathSegment[], pos: Position, message: string): Diagnostic => ({
    message,
    path: formatPath(path),
    line: pos.line,
    column: pos.column,
    file,
  });
  return {
    file,
    errors,
    warnings,
    error: (path, pos, message) => void errors.push(make(path, pos, message)),
    warn: (path, pos, message) => void warnings.push(make(path, pos, message)),
  };
}

export const START: Position = { line: 1, column: 1 };

/** How a JSON value is named in messages: users write YAML/JSON, not JS. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `the boolean ${value}`;
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

/** Closest candidate by edit distance (≤ 2, or same letters ignoring case), for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  return bestScore <= Math.min(2, Math.floor(word.length / 3)) || bestScore === 0 ? best : null;
}

/** Edit distance where swapping two neighbours counts as one edit (`lable` → `label`). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
