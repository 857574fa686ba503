/**
 * Text from repositories and users (task names, branch names, URLs, error
 * messages quoting them) made safe to show: control characters (C0, DEL, C1:
 * terminal escape sequences, carriage returns that overwrite a line) and
 * Unicode bidi controls (which reorder what a reader sees, "Trojan Source")
 * become visible escapes like `\u001b` and `\u202e`. The web UI has the same
 * function (web/src/printable.ts). Terminal output is never passed through
 * this: a terminal is meant to interpret escapes.
 */

// C0 controls, DEL, C1 controls; ALM, LRM, RLM; LRE..RLO (U+202A-202E); LRI..PDI (U+2066-2069);
// the line and paragraph separators, which break a line where none is expected.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_MULTILINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escape = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * `text` with every control and bidi character shown as `\uXXXX`. With
 * `multiline`, newlines and tabs stay (log messages, build output quoted in
 * an error); for names nothing stays.
 */
export function printable(text: string, options: { multiline?: boolean } = {}): string {
  return text.replace(options.multiline ? UNSAFE_MULTILINE : UNSAFE, escape);
}

/**
 * A log record with every string in it printable (multi-line kept), to a
 * small depth: for pino's `formatters.log`, so that names a request or a
 * repository brings into a log line cannot drive the terminal that shows it.
 */
export function printableDeep<T>(value: T, depth = 4): T {
  if (typeof value === 'string') return printable(value, { multiline: true }) as T;
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => printableDeep(v, depth - 1)) as T;
  // An error's message quotes names as often as not: the same shape pino's err serializer gives, made printable.
  if (value instanceof Error) {
    const fields = printableDeep({ ...(value as unknown as Record<string, unknown>) }, depth - 1);
    return {
      type: value.name,
      message: printable(value.message, { multiline: true }),
      stack: printable(value.stack ?? '', { multiline: true }),
      ...fields,
    } as T;
  }
  // Other class instances (buffers, dates) keep their shape.
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[printable(k)] = printableDeep(v, depth - 1);
  return out as T;
}

/**
 * pino options that make every log line printable: the merging object
 * through `formatters.log`, the message and format arguments through
 * `hooks.logMethod`. Spread into the logger's options.
 */
export const printableLogOptions = {
  formatters: { log: (object: Record<string, unknown>) => printableDeep(object) },
  hooks: {
    logMethod(this: unknown, args: unknown[], method: (...args: unknown[]) => void) {
      method.apply(
        this,
        args.map((a) => (typeof a === 'string' ? printable(a, { multiline: true }) : a)),
      );
    },
  },
};
