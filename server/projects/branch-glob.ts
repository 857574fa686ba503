/**
 * Which branches a project prebuilds: glob patterns over branch names.
 * `*` matches within one path segment (`release/*` = `release/1.0`, not
 * `release/1/hotfix`), `**` across segments, `?` one character. No pattern
 * list (null) means the repository's default branch only, so that a new
 * project does not start a prebuild for every feature branch.
 */

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') {
      if (pattern[i + 1] === '*') {
        source += '.*';
        i++;
        // `**/` also matches zero segments: `feature/**/x` matches `feature/x`.
        if (pattern[i + 1] === '/') {
          source += '(?:/)?';
          i++;
        }
      } else {
        source += '[^/]*';
      }
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

export function branchMatches(patterns: string[] | null, branch: string, defaultBranch: string | null): boolean {
  if (patterns === null || patterns.length === 0) return defaultBranch !== null && branch === defaultBranch;
  return patterns.some((p) => globToRegExp(p).test(branch));
}

/** Patterns as given by a client: a non-empty list of non-empty strings, or null for the default. */
export function validBranchPatterns(value: unknown): string[] | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (!Array.isArray(value) || value.length === 0 || value.length > 100) return undefined;
  if (!value.every((p) => typeof p === 'string' && p.trim() !== '' && p.length <= 200 && !/\s/.test(p))) return undefined;
  return value as string[];
}
