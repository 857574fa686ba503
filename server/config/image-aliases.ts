/**
 * The operator's image alias map (SLIPWAY_IMAGE_ALIASES names the file):
 * points image names that definitions use at a team's own mirror or at a
 * local image. Read once at start; a malformed line stops the start with the
 * file and line, so a typo never silently sends workspaces elsewhere.
 *
 *   # name (a repository, any tag; a tag; or a prefix ending in *)   image to use
 *   gitpod/workspace-full        registry.example.com/mirror/workspace-full:2024
 *   node:20                      registry.example.com/library/node:20
 *   gitpod/workspace-*           slipway/workspace-full
 *
 * A later line for the same name wins over an earlier one; an exact name wins
 * over a prefix.
 */
import { readFileSync } from 'node:fs';
import { slipwayError } from '../core/errors.js';

export interface ImageAlias {
  /** As written: `repo`, `repo:tag`, `repo@digest` or `prefix*`. */
  name: string;
  target: string;
  /** 1-based line in the file, for messages. */
  line: number;
  /** The file it was read from. */
  file: string;
}

// Lowercase path components, optional registry host[:port], optional :tag and @digest (what Docker accepts).
const REFERENCE =
  /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const PREFIX = /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9._/-]*\*$/;

export function parseImageAliases(text: string, file: string): ImageAlias[] {
  const out: ImageAlias[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/(^|\s)#.*$/, '').trim();
    if (content === '') return;
    const words = content.split(/\s*=\s*|\s+/).filter((w) => w !== '');
    const fail = (why: string) => {
      throw slipwayError(
        'SLIPWAY_CONFIG_INVALID',
        `SLIPWAY_IMAGE_ALIASES: ${file}:${line}: ${why}. Each line is "<image name> <image to use>" (e.g. "gitpod/workspace-full registry.example.com/workspace-full:latest"); # starts a comment.`,
      );
    };
    if (words.length !== 2) fail(`expected two image names, found ${words.length} word${words.length === 1 ? '' : 's'} in ${JSON.stringify(raw.trim())}`);
    const [name, target] = words as [string, string];
    if (!REFERENCE.test(name) && !PREFIX.test(name)) fail(`${JSON.stringify(name)} is not an image name (lowercase, like node:20) or a prefix ending in *`);
    if (!REFERENCE.test(target)) fail(`${JSON.stringify(target)} is not an image name (lowercase, like registry.example.com/node:20)`);
    out.push({ name, target, line, file });
  });
  return out;
}

/** The alias map named by SLIPWAY_IMAGE_ALIASES; none when unset. */
export function loadImageAliases(file: string | undefined): ImageAlias[] {
  if (!file) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw slipwayError('SLIPWAY_CONFIG_INVALID', `SLIPWAY_IMAGE_ALIASES names "${file}", which cannot be read`, { cause });
  }
  return parseImageAliases(text, file);
}
