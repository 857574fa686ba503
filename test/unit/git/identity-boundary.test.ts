/**
 * git/ is the one place that reads repository URLs (issue 19 item 5): every
 * other server module asks `repoIdentity` / `repoKey` (server/git/index.ts).
 * This test reads the source and fails when a module outside server/git/
 * parses a URL itself: `new URL(`, a scheme regex, a `.git` suffix regex, an
 * ssh `git@` pattern, or a value import of git/'s internals. A use that is not
 * about a repository goes on the allow-list below, with the reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const SERVER = join(ROOT, 'server');

interface Rule {
  name: string;
  pattern: RegExp;
}

const RULES: Rule[] = [
  { name: 'new URL(', pattern: /\bnew URL\(/ },
  { name: 'a scheme regex (…:\\/\\/)', pattern: /:\\\/\\\// },
  { name: 'a .git suffix regex', pattern: /\\\.git\b/ },
  { name: 'an ssh git@ pattern', pattern: /\/\^?git@/ },
  // Types may come from anywhere in git/; functions come through its index (the module's public face).
  { name: "a value import of git/'s internals", pattern: /^import \{(?! ?type\b)[^}]*\} from '(?:\.\.\/)+git\/(?!index\.js')/ },
];

/** file (relative to server/) → rule name → what the allowed line contains, and why it is no repository URL. */
const ALLOWED: { file: string; rule: string; contains: string; why: string }[] = [
  // Slipway's own public URL (SLIPWAY_PUBLIC_URL), never a repository's.
  { file: 'config/config.ts', rule: 'new URL(', contains: 'new URL(rawPublic)', why: 'validates SLIPWAY_PUBLIC_URL' },
  { file: 'http/origin.ts', rule: 'new URL(', contains: 'new URL(publicUrl)', why: "the server's own origin for the Origin check" },
  { file: 'http/security-headers.ts', rule: 'new URL(', contains: 'new URL(config.publicUrl)', why: "the server's own origin for CSP" },
  { file: 'http/port-routes.ts', rule: 'new URL(', contains: 'new URL(config.publicUrl)', why: 'the scheme port links use' },
  { file: 'workspaces/view.ts', rule: 'new URL(', contains: 'new URL(config.publicUrl)', why: 'the scheme port links use' },
  // Request paths and query strings of Slipway's own HTTP requests.
  { file: 'http/port-routes.ts', rule: 'new URL(', contains: "new URL(req.url ?? '/', 'http://x')", why: "a request's path and query" },
  { file: 'http/caller.ts', rule: 'new URL(', contains: "new URL(request.url, 'http://x')", why: "a request's query (?token=)" },
  // A port page URL after the port-auth handoff (an open-redirect check), not a repository.
  { file: 'ports/access.ts', rule: 'new URL(', contains: 'new URL(to)', why: "the handoff's redirect target" },
  // Image names and Dockerfile sources, not repositories.
  { file: 'definition/paths.ts', rule: 'a scheme regex (…:\\/\\/)', contains: 'hub\\.docker\\.com', why: 'a Docker Hub page pasted as an image name' },
  { file: 'definition/paths.ts', rule: 'a scheme regex (…:\\/\\/)', contains: 'an image name has no scheme', why: 'an image name with a scheme' },
  {
    file: 'images/context-inputs.ts',
    rule: 'a scheme regex (…:\\/\\/)',
    contains: '!/^git@/.test(w)',
    why: "a Dockerfile ADD's remote source is not in the build context",
  },
  {
    file: 'images/context-inputs.ts',
    rule: 'an ssh git@ pattern',
    contains: '!/^git@/.test(w)',
    why: "a Dockerfile ADD's remote source is not in the build context",
  },
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'git' && dir === SERVER ? [] : sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every rule hit outside server/git/: `file:line rule: text`. */
function findings(): { file: string; line: number; rule: string; text: string }[] {
  const out: { file: string; line: number; rule: string; text: string }[] = [];
  for (const full of sources(SERVER)) {
    const file = relative(SERVER, full);
    readFileSync(full, 'utf8')
      .split('\n')
      .forEach((text, index) => {
        if (/^\s*(\/\/|\*|\/\*\*)/.test(text)) return; // comments may name what they explain
        for (const rule of RULES) if (rule.pattern.test(text)) out.push({ file, line: index + 1, rule: rule.name, text: text.trim() });
      });
  }
  return out;
}

describe('only server/git/ reads repository URLs', () => {
  it('no module outside server/git/ parses a URL, except the allow-listed non-repository uses', () => {
    const unexplained = findings()
      .filter((f) => !ALLOWED.some((a) => a.file === f.file && a.rule === f.rule && f.text.includes(a.contains)))
      .map((f) => `server/${f.file}:${f.line} ${f.rule}: ${f.text}  (ask git/: repoIdentity(url) / repoKey(url) from server/git/index.ts)`);
    expect(unexplained).toEqual([]);
  });

  it('every allow-list entry still matches something (a stale entry would hide a new use)', () => {
    const all = findings();
    const stale = ALLOWED.filter((a) => !all.some((f) => a.file === f.file && a.rule === f.rule && f.text.includes(a.contains)));
    expect(stale).toEqual([]);
  });

  it('the rules catch what they are for', () => {
    const hit = (line: string) => RULES.filter((r) => r.pattern.test(line)).map((r) => r.name);
    expect(hit('const u = new URL(project.repoUrl);')).toEqual(['new URL(']);
    expect(hit('const host = /^[a-z]+:\\/\\/([^/]+)/.exec(repoUrl)?.[1];')).toEqual(['a scheme regex (…:\\/\\/)']);
    expect(hit("const name = url.replace(/\\.git$/, '');")).toEqual(['a .git suffix regex']);
    expect(hit('if (/^git@/.test(url)) ssh = true;')).toEqual(['an ssh git@ pattern']);
    expect(hit("import { parseContextUrl } from '../git/context-url.js';")).toEqual(["a value import of git/'s internals"]);
    expect(hit("import type { GitRef } from '../git/context-url.js';")).toEqual([]);
    expect(hit("import { repoIdentity, type GitMirrors } from '../git/index.js';")).toEqual([]);
  });
});
