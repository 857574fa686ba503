/**
 * Names from repositories (branches, URLs, task and project names, error
 * reasons) shown with their control characters and bidi controls as visible
 * `\uXXXX` escapes, so that a name cannot reorder or restyle what is around
 * it. The server's copy is server/core/printable.ts (a unit test checks both
 * agree). The API keeps identifiers raw (a branch must round-trip to git):
 * this is for display only.
 */

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_MULTILINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escape = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

export function printable(text: string, options: { multiline?: boolean } = {}): string {
  return text.replace(options.multiline ? UNSAFE_MULTILINE : UNSAFE, escape);
}

/** printable for values that may be absent. */
export const shown = (text: string | null | undefined, fallback = ''): string => (text == null ? fallback : printable(text));
