import { describe, expect, it } from 'vitest';
import { branchMatches, validBranchPatterns } from '../../../server/projects/branch-glob.js';

describe('branchMatches', () => {
  it('defaults to the default branch only', () => {
    expect(branchMatches(null, 'main', 'main')).toBe(true);
    expect(branchMatches(null, 'dev', 'main')).toBe(false);
    expect(branchMatches(null, 'main', null)).toBe(false);
  });
  it('* stays in one segment, ** crosses segments, ? is one character', () => {
    expect(branchMatches(['release/*'], 'release/1.0', null)).toBe(true);
    expect(branchMatches(['release/*'], 'release/1/hotfix', null)).toBe(false);
    expect(branchMatches(['release/**'], 'release/1/hotfix', null)).toBe(true);
    expect(branchMatches(['**'], 'feature/a/b', null)).toBe(true);
    expect(branchMatches(['feature/**/x'], 'feature/x', null)).toBe(true);
    expect(branchMatches(['v?'], 'v1', null)).toBe(true);
    expect(branchMatches(['v?'], 'v10', null)).toBe(false);
  });
  it('treats regex characters literally', () => {
    expect(branchMatches(['fix.1'], 'fix.1', null)).toBe(true);
    expect(branchMatches(['fix.1'], 'fixx1', null)).toBe(false);
    expect(branchMatches(['a+b'], 'a+b', null)).toBe(true);
  });
  it('accepts any of several patterns', () => {
    expect(branchMatches(['main', 'dev'], 'dev', null)).toBe(true);
  });
});

describe('validBranchPatterns', () => {
  it('accepts lists of patterns and null; refuses the rest', () => {
    expect(validBranchPatterns(['main'])).toEqual(['main']);
    expect(validBranchPatterns(null)).toBeNull();
    expect(validBranchPatterns([])).toBeUndefined();
    expect(validBranchPatterns(['a b'])).toBeUndefined();
    expect(validBranchPatterns('main')).toBeUndefined();
  });
});
