/**
 * What an environment variable may be (issue 16, item 6), as Gitpod had it:
 * a shell-safe name outside the prefixes Slipway and Gitpod set themselves, a
 * value of at most 32 KiB without NUL (a process environment cannot hold
 * one), and for a user's variable a repository pattern `owner/repo`,
 * `owner/*`, `*\/repo` or `*\/*`. Pure: no I/O.
 */
import { slipwayError } from '../core/errors.js';

export const MAX_ENV_VALUE_BYTES = 32 * 1024;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = /^(SLIPWAY|GITPOD)_/i;
/** A segment is `*` or a forge's owner/repository name (letters, digits, `.`, `_`, `-`), never `.` or `..`. */
const SEGMENT = /^(\*|[A-Za-z0-9_][A-Za-z0-9._-]*)$/;

const bad = (message: string) => slipwayError('SLIPWAY_ENV_BAD_REQUEST', message);

export function validEnvName(name: unknown): string {
  if (typeof name !== 'string' || name.length > 256 || !NAME.test(name)) {
    throw bad('A variable name is letters, digits and _, not starting with a digit (^[A-Za-z_][A-Za-z0-9_]*$), at most 256 characters');
  }
  if (RESERVED.test(name)) throw bad(`${name}: names starting with SLIPWAY_ or GITPOD_ are reserved for what Slipway sets itself`);
  return name;
}

export function validEnvValue(value: unknown): string {
  if (typeof value !== 'string') throw bad('Send the value as a string: {"value": "..."}');
  if (value.includes('\0')) throw bad('A value cannot contain a NUL character (a process environment cannot hold one)');
  if (Buffer.byteLength(value, 'utf8') > MAX_ENV_VALUE_BYTES) throw bad(`A value is at most ${MAX_ENV_VALUE_BYTES} bytes (32 KiB)`);
  return value;
}

export function validRepositoryPattern(pattern: unknown): string {
  if (typeof pattern !== 'string') throw bad('Send the repository pattern: "owner/repo", "owner/*" or "*/*"');
  const parts = pattern.split('/');
  if (parts.length !== 2 || !parts.every((part) => SEGMENT.test(part) && part.length <= 100)) {
    throw bad(`"${pattern.slice(0, 200)}" is not a repository pattern: use "owner/repo", "owner/*", "*/repo" or "*/*"`);
  }
  return pattern;
}

/**
 * Whether `pattern` covers the repository `owner/repo` (its last two path
 * segments, as git/identity.ts names them). Owners and names compare without
 * case, as forges treat them.
 */
export function repositoryPatternMatches(pattern: string, ownerAndRepo: string): boolean {
  const [po, pr] = pattern.toLowerCase().split('/');
  const [o, r] = ownerAndRepo.toLowerCase().split('/');
  if (o === undefined || r === undefined) return false;
  return (po === '*' || po === o) && (pr === '*' || pr === r);
}

/** The more specific pattern wins when two of a user's variables of one name match: `owner/repo` over `owner/*` over `*\/*`. */
export function patternSpecificity(pattern: string): number {
  const [owner, repo] = pattern.split('/');
  return (owner === '*' ? 0 : 2) + (repo === '*' ? 0 : 1);
}
