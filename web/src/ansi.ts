/**
 * Turns log text with ANSI escapes into styled segments for a <pre>. Only
 * what build and startup logs use: SGR bold/dim and the 8/16 colours, `\r`
 * progress lines (the last write wins) and erase-line; other escapes dropped.
 */
export interface Segment {
  text: string;
  cls: string;
}

export interface AnsiLine {
  segments: Segment[];
}

const COLORS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

export function createAnsiParser() {
  const lines: AnsiLine[] = [{ segments: [] }];
  let bold = false;
  let dim = false;
  let color = '';
  let pending = ''; // an escape sequence split across chunks

  const cls = () => [bold ? 'a-bold' : '', dim ? 'a-dim' : '', color ? `a-${color}` : ''].filter(Boolean).join(' ');
  const current = () => lines[lines.length - 1]!;

  function push(text: string) {
    if (!text) return;
    const line = current();
    const c = cls();
    const last = line.segments[line.segments.length - 1];
    if (last && last.cls === c) last.text += text;
    else line.segments.push({ text, cls: c });
  }

  function sgr(params: string) {
    for (const p of (params || '0').split(';').map(Number)) {
      if (p === 0) [bold, dim, color] = [false, false, ''];
      else if (p === 1) bold = true;
      else if (p === 2) dim = true;
      else if (p === 22) [bold, dim] = [false, false];
      else if (p >= 30 && p <= 37) color = COLORS[p - 30]!;
      else if (p >= 90 && p <= 97) color = COLORS[p - 90]!;
      else if (p === 39) color = '';
    }
  }

  return {
    lines,
    write(chunk: string) {
      const text = pending + chunk;
      pending = '';
      let i = 0;
      let plain = '';
      while (i < text.length) {
        const ch = text[i]!;
        if (ch === '\u001b') {
          push(plain);
          plain = '';
          const match = /^\u001b\[([0-9;?]*)([A-Za-z])/.exec(text.slice(i));
          if (!match) {
            // Incomplete sequence at the end of a chunk: keep it for the next one.
            if (text.length - i < 16) {
              pending = text.slice(i);
              break;
            }
            i += 1;
            continue;
          }
          if (match[2] === 'm') sgr(match[1]!);
          else if (match[2] === 'K') current().segments = [];
          i += match[0].length;
          continue;
        }
        if (ch === '\n') {
          push(plain);
          plain = '';
          lines.push({ segments: [] });
        } else if (ch === '\r') {
          if (text[i + 1] !== '\n') {
            // A progress line rewrites itself: keep only the newest version.
            plain = '';
            current().segments = [];
          }
        } else plain += ch;
        i += 1;
      }
      push(plain);
    },
  };
}

export const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
