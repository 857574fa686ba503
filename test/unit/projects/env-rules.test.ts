/** Names, values and repository patterns of environment variables (issue 16, item 6). */
import { describe, expect, it } from 'vitest';
import { patternSpecificity, repositoryPatternMatches, validEnvName, validEnvValue, validRepositoryPattern } from '../../../server/projects/env-rules.js';

const code = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('environment variable rules', () => {
  it('names: shell-safe, not reserved', () => {
    for (const ok of ['A', '_x', 'NPM_TOKEN', 'a1_b2']) expect(validEnvName(ok)).toBe(ok);
    for (const bad of ['', '1A', 'A-B', 'A B', 'A=B', 'SLIPWAY_X', 'slipway_x', 'GITPOD_TOKEN', 'x'.repeat(257), 7, null]) {
      expect(
        code(() => validEnvName(bad)),
        String(bad),
      ).toBe('SLIPWAY_ENV_BAD_REQUEST');
    }
  });

  it('values: strings up to 32 KiB (bytes, not characters), no NUL', () => {
    expect(validEnvValue('')).toBe('');
    expect(validEnvValue('a\nb "c" $d')).toBe('a\nb "c" $d');
    expect(validEnvValue('x'.repeat(32 * 1024))).toHaveLength(32 * 1024);
    for (const bad of ['x'.repeat(32 * 1024 + 1), 'é'.repeat(16 * 1024 + 1), 'a\0b', 1, null, undefined]) {
      expect(code(() => validEnvValue(bad))).toBe('SLIPWAY_ENV_BAD_REQUEST');
    }
  });

  it('patterns: owner/repo with * for either part, nothing else', () => {
    for (const ok of ['acme/app', 'acme/*', '*/*', '*/app', 'my.org/my-repo_1']) expect(validRepositoryPattern(ok)).toBe(ok);
    for (const bad of ['acme', 'acme/app/x', '/app', 'acme/', '../x', 'acme/..', 'a*/b', 'acme/ap*', '**/*', 'a b/c', '', 3]) {
      expect(
        code(() => validRepositoryPattern(bad)),
        String(bad),
      ).toBe('SLIPWAY_ENV_BAD_REQUEST');
    }
  });

  it('matching: a pattern covers its owner and repository, case-insensitively', () => {
    expect(repositoryPatternMatches('acme/*', 'acme/app')).toBe(true);
    expect(repositoryPatternMatches('acme/*', 'Acme/Other')).toBe(true);
    expect(repositoryPatternMatches('acme/*', 'other/app')).toBe(false);
    expect(repositoryPatternMatches('acme/app', 'acme/app2')).toBe(false);
    expect(repositoryPatternMatches('*/app', 'x/app')).toBe(true);
    expect(repositoryPatternMatches('*/*', 'x/y')).toBe(true);
    expect(repositoryPatternMatches('*/*', 'x')).toBe(false);
    expect(patternSpecificity('acme/app')).toBeGreaterThan(patternSpecificity('acme/*'));
    expect(patternSpecificity('acme/*')).toBeGreaterThan(patternSpecificity('*/app'));
    expect(patternSpecificity('*/app')).toBeGreaterThan(patternSpecificity('*/*'));
  });
});
