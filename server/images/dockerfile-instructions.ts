/**
 * A Dockerfile as the classic builder reads it: one instruction per entry,
 * continuation lines joined (with the `# escape=` directive honoured),
 * comments and blank lines dropped, each with the line it starts on. Shared
 * by the image policy (dockerfile-refs.ts) and the cache key
 * (context-inputs.ts). Pure: text in, instructions out.
 */

export interface Instruction {
  line: number;
  keyword: string;
  rest: string;
}

/** Instructions with continuation lines joined; comments and blank lines dropped. */
export function dockerfileInstructions(text: string): Instruction[] {
  const lines = text.split(/\r\n|\r|\n/);
  let escape = '\\';
  // Parser directives are only read at the very top, before anything else.
  for (const raw of lines) {
    const directive = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(raw);
    if (!directive) break;
    if (directive[1]!.toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\')) escape = directive[2];
  }
  const out: Instruction[] = [];
  let current: Instruction | null = null;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (current === null) {
      if (trimmed === '' || trimmed.startsWith('#')) return;
      const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed)!;
      current = { line: index + 1, keyword: match[1]!.toUpperCase(), rest: match[2] ?? '' };
    } else {
      // Comment lines inside a continued instruction are dropped, as the builder does.
      if (trimmed.startsWith('#')) return;
      current.rest += ` ${trimmed}`;
    }
    if (current.rest.endsWith(escape)) current.rest = current.rest.slice(0, -1).trimEnd();
    else {
      out.push(current);
      current = null;
    }
  });
  if (current) out.push(current);
  return out;
}
