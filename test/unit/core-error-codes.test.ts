/**
 * The error registry (server/core/error-codes.ts) is the one list of codes:
 * docs/errors.md is exactly what it renders, every code in it is raised
 * somewhere, and no SLIPWAY_* name in server/ or web/ is a code missing from
 * it (or an environment variable: those are told apart by how the source
 * reads them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_AREAS, ERROR_CODES, isSlipwayErrorCode, WEB_ERROR_CODES } from '../../server/core/error-codes.js';
import { errorBody, slipwayError } from '../../server/core/errors.js';
import { renderErrorsDoc } from '../../server/core/error-docs.js';

const root = path.resolve(import.meta.dirname, '../..');
const REGISTRY_FILES = new Set(['server/core/error-codes.ts', 'server/core/error-codes-input.ts', 'server/core/error-docs.ts']);

function sources(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') out.push(...sources(rel));
    } else if (/\.tsx?$/.test(entry.name) && !REGISTRY_FILES.has(rel)) {
      out.push({ file: rel, text: readFileSync(path.join(root, rel), 'utf8') });
    }
  }
  return out;
}

const server = sources('server');
const web = sources('web/src');
const registryCodes = Object.keys(ERROR_CODES).sort();
const webCodes = Object.keys(WEB_ERROR_CODES).sort();
const doc = readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
const docCodes = [...doc.matchAll(/^\| `(SLIPWAY_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]!);

/** A code in a code position: a string literal of exactly the code. */
const usedIn = (files: { text: string }[], code: string) => files.some(({ text }) => text.includes(`'${code}'`) || text.includes(`"${code}"`));

/**
 * SLIPWAY_* names that are not error codes, found by how the source uses them:
 * environment variables read (`env.X`, `intVar(env, 'X')`), variables set in
 * a workspace (`X: value` keys, `env.X = value`) and constants (`const X`).
 */
function nonCodeNames(files: { text: string }[]): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /\benv\.(SLIPWAY_[A-Z0-9_]+)/g,
    /\benv\[['"](SLIPWAY_[A-Z0-9_]+)['"]\]/g,
    /\(env, '(SLIPWAY_[A-Z0-9_]+)'/g,
    /'(SLIPWAY_[A-Z0-9_]+)', env\./g,
    /^\s+(SLIPWAY_[A-Z0-9_]+):/gm,
    /\bconst (SLIPWAY_[A-Z0-9_]+)\b/g,
  ];
  for (const { text } of files) for (const pattern of patterns) for (const m of text.matchAll(pattern)) names.add(m[1]!);
  return names;
}

describe('the error registry', () => {
  it('has no code in two areas and only SLIPWAY_<AREA>_<WHAT> names', () => {
    const all = Object.values(ERROR_AREAS).flatMap((area) => Object.keys(area.codes));
    expect(all.length).toBe(new Set(all).size);
    for (const code of [...all, ...webCodes]) expect(code).toMatch(/^SLIPWAY_[A-Z]+(_[A-Z0-9]+)*$/);
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(info.status, code).toBeGreaterThanOrEqual(400);
      expect(info.status, code).toBeLessThan(600);
      expect(info.summary.length, code).toBeGreaterThan(10);
      expect(info.fix.length, code).toBeGreaterThan(5);
    }
  });

  it('gives slipwayError its default status, and errorBody writes {code, message, detail?}', () => {
    expect(slipwayError('SLIPWAY_WORKSPACE_NOT_FOUND', 'No workspace "x"').status).toBe(404);
    expect(slipwayError('SLIPWAY_PORT_WORKSPACE_NOT_RUNNING', 'upgrade', { status: 409 }).status).toBe(409);
    expect(errorBody(slipwayError('SLIPWAY_AUTH_REQUIRED', 'Sign in'))).toEqual({ code: 'SLIPWAY_AUTH_REQUIRED', message: 'Sign in' });
    expect(errorBody(slipwayError('SLIPWAY_GIT_UNKNOWN_COMMIT', 'gone', { detail: { commit: 'abc' } }))).toEqual({
      code: 'SLIPWAY_GIT_UNKNOWN_COMMIT',
      message: 'gone',
      detail: { commit: 'abc' },
    });
    expect(JSON.parse(JSON.stringify(slipwayError('SLIPWAY_INTERNAL', 'x')))).toEqual({ code: 'SLIPWAY_INTERNAL', message: 'x' });
    expect(isSlipwayErrorCode('SLIPWAY_INTERNAL')).toBe(true);
    expect(isSlipwayErrorCode('SLIPWAY_NOPE')).toBe(false);
    expect(isSlipwayErrorCode('toString')).toBe(false);
  });
});

describe('docs/errors.md', () => {
  it('lists every code of the registry, and no other', () => {
    const expected = [...registryCodes, ...webCodes].sort();
    expect(
      expected.filter((code) => !docCodes.includes(code)),
      'codes missing from docs/errors.md (npm run docs:errors)',
    ).toEqual([]);
    expect(
      docCodes.filter((code) => !expected.includes(code)),
      'codes in docs/errors.md that the registry lacks',
    ).toEqual([]);
  });

  it('is exactly what the registry renders (run `npm run docs:errors` after changing the registry)', () => {
    expect(doc).toBe(renderErrorsDoc());
  });
});

describe('the source', () => {
  it('raises every code of the registry somewhere in server/', () => {
    expect(registryCodes.filter((code) => !usedIn(server, code))).toEqual([]);
  });

  it('makes every web-only code in web/src', () => {
    expect(webCodes.filter((code) => !usedIn(web, code))).toEqual([]);
  });

  it('uses no SLIPWAY_* code that is not in the registry, in server/ or web/', () => {
    const known = new Set<string>([...registryCodes, ...webCodes, ...nonCodeNames(server)]);
    const unknown: string[] = [];
    for (const { file, text } of [...server, ...web]) {
      for (const m of text.matchAll(/\bSLIPWAY_[A-Z0-9]+(?:_[A-Z0-9]+)*\b/g)) {
        if (!known.has(m[0])) unknown.push(`${file}: ${m[0]}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it("answers a code with a status other than the registry's only where the registry lists it (alsoStatus)", () => {
    const odd: string[] = [];
    for (const { file, text } of server) {
      // One-line calls with a literal status; the registry's own status may still be spelled out.
      for (const m of text.matchAll(/slipwayError\('(SLIPWAY_[A-Z0-9_]+)',[^\n]*?\bstatus: (\d{3})\b/g)) {
        const info = isSlipwayErrorCode(m[1]) ? ERROR_CODES[m[1]] : undefined;
        const status = Number(m[2]);
        if (info && status !== info.status && !info.alsoStatus?.includes(status)) odd.push(`${file}: ${m[1]} ${status}`);
      }
    }
    expect(odd).toEqual([]);
  });

  it('tells environment variables from codes (the check above is not vacuous)', () => {
    const names = nonCodeNames(server);
    for (const name of ['SLIPWAY_PUBLIC_URL', 'SLIPWAY_TRUST_PROXY', 'SLIPWAY_WORKSPACE_ID']) expect(names.has(name), name).toBe(true);
    for (const code of registryCodes) expect(names.has(code), code).toBe(false);
  });
});
