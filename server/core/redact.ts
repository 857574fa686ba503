/**
 * Secret values taken out of streamed output (a task that prints a secret
 * into the startup or prebuild log): each value of 4 characters or more
 * becomes `[redacted]` (shorter ones would redact ordinary text, and say
 * little). Output is held back to the end of a line, so a value split
 * between two chunks is still found; `flush` emits the rest. Values that
 * span lines are redacted only when they arrive in one piece.
 */
export const REDACTED = '[redacted]';
const MIN_LENGTH = 4;
/** A line longer than this is emitted unfinished rather than held back without bound. */
const MAX_HELD = 64 * 1024;

/** Longest first: a value that contains another is replaced whole. */
const hideable = (values: readonly string[]) => [...new Set(values.filter((v) => v.length >= MIN_LENGTH))].sort((a, b) => b.length - a.length);

export function redactText(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of hideable(values)) out = out.split(value).join(REDACTED);
  return out;
}

/** Wraps `emit` so that what reaches it holds none of `values`; with no values to hide it passes text through as it comes. */
export function createRedactingWriter(values: readonly string[], emit: (text: string) => void) {
  const secrets = hideable(values);
  let held = '';
  return {
    write(text: string): void {
      if (secrets.length === 0) return emit(text);
      held += text;
      const end = held.lastIndexOf('\n') + 1;
      if (end > 0) {
        emit(redactText(held.slice(0, end), secrets));
        held = held.slice(end);
      } else if (held.length > MAX_HELD) {
        emit(redactText(held, secrets));
        held = '';
      }
    },
    flush(): void {
      if (held) emit(redactText(held, secrets));
      held = '';
    },
  };
}
