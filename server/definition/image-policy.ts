/**
 * Which images a definition may name (DESIGN §10): registry references
 * (`name[:tag][@digest]`, Docker Hub or a registry host) and images built from
 * its own Dockerfile. Never an image id or id prefix (Docker resolves a bare
 * hex name it does not know as an id prefix of ANY local image, down to one
 * character) and never Slipway's own snapshot or build repositories: those
 * hold other repositories' checkouts and `init` output.
 *
 * Here are the rules the name alone decides (checked at parse time, and again
 * at resolve time on the final name); the images module adds the rule that
 * needs the engine (the local image's `slipway.*` labels).
 */
import type { ImageSource } from './model.js';
import type { Position } from './positions.js';

export interface ImageReferenceParts {
  /** Registry host (with port), or null for Docker Hub written without one. */
  domain: string | null;
  /** Repository path without host, tag or digest (`library/` kept as written). */
  repository: string;
  tag: string | null;
  digest: string | null;
}

/** Splits a reference the way Docker does: the first component is a host when it has a `.` or `:`, or is `localhost`. */
export function splitImageReference(ref: string): ImageReferenceParts {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : null;
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const slash = named.indexOf('/');
  const first = slash >= 0 ? named.slice(0, slash) : '';
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  const domain = hasDomain ? first : null;
  const rest = hasDomain ? named.slice(slash + 1) : named;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  return {
    domain,
    repository: colon >= 0 ? rest.slice(0, colon) : rest,
    tag: colon >= 0 ? rest.slice(colon + 1) : null,
    digest,
  };
}

const HUB_DOMAINS = new Set(['docker.io', 'index.docker.io']);

/** The repository as Docker Hub names it locally (`docker.io/library/x` is `x`), or null for another registry. */
function hubRepository(parts: ImageReferenceParts): string | null {
  if (parts.domain !== null && !HUB_DOMAINS.has(parts.domain.toLowerCase())) return null;
  return parts.repository.startsWith('library/') ? parts.repository.slice('library/'.length) : parts.repository;
}

/**
 * Repositories Slipway itself writes to: `slipway/build-<repo>` (images/cache-key.ts),
 * `slipway/prebuild-<repo>` (prebuilds/runner.ts) and `slipway/ca-layer` (images/ca-layer.ts:
 * a definition's image with the extra CA bundle). A test keeps these in step.
 */
export const SLIPWAY_IMAGE_REPOSITORY_PREFIXES = ['slipway/build-', 'slipway/prebuild-', 'slipway/ca-layer'] as const;

/** Docker reads a bare hex name of this length or more, with no tag, as an image id (prefix). */
const ID_PREFIX_MIN = 12;

/**
 * Why a definition may not name `ref`, or null when it may. `ref` is assumed
 * to be a valid reference (isImageReference); `strictIds` refuses every
 * untagged all-hex name, for places (Dockerfile `FROM`) where Slipway cannot
 * add an explicit tag that stops Docker's id-prefix fallback.
 */
export function imageReferenceRefusal(ref: string, options: { strictIds?: boolean } = {}): string | null {
  const parts = splitImageReference(ref);
  const hub = hubRepository(parts);
  if (parts.domain === null && parts.repository === 'sha256') {
    return `${JSON.stringify(ref)} is an image id; a definition may name images only by repository and tag (like \`node:20\`) or digest (\`node@sha256:…\`)`;
  }
  if (parts.domain === null && /^[0-9a-f]+$/.test(parts.repository)) {
    const untagged = parts.tag === null && parts.digest === null;
    if (parts.repository.length === 64 || (untagged && (options.strictIds || parts.repository.length >= ID_PREFIX_MIN))) {
      return `${JSON.stringify(ref)} is read by Docker as an image id (prefix), which could be any image on the server; name the image by repository and tag (like \`${parts.repository.slice(0, 8)}:latest\` for a Docker Hub image of that name)`;
    }
  }
  if (hub !== null && SLIPWAY_IMAGE_REPOSITORY_PREFIXES.some((prefix) => hub.startsWith(prefix))) {
    return `${JSON.stringify(ref)} is one of Slipway's own snapshot or build images, which hold another workspace's files; name a registry image (like \`node:20\`) or build one from a Dockerfile in this repository`;
  }
  return null;
}

/**
 * `ref` with an explicit tag (`:latest` when it has neither tag nor digest):
 * looked up this way Docker matches names only, never an id prefix.
 */
export function withExplicitTag(ref: string): string {
  const parts = splitImageReference(ref);
  return parts.tag === null && parts.digest === null ? `${ref}:latest` : ref;
}

/** Where an image source was written: kept beside the spec (not in it) so the spec's JSON and hash stay as they are. */
export interface SourcePosition extends Position {
  file: string;
}

const positions = new WeakMap<ImageSource, SourcePosition>();

/** Records where the parser read `source`, for errors found later (at resolve time). */
export function rememberImagePosition(source: ImageSource, position: SourcePosition): void {
  positions.set(source, position);
}

/** Where `source` was written, when it came from a parsed definition (the same object). */
export function imagePosition(source: ImageSource): SourcePosition | null {
  return positions.get(source) ?? null;
}

/** `file:line:column: ` for messages, or '' when unknown. */
export function positionPrefix(source: ImageSource): string {
  const at = imagePosition(source);
  return at ? `${at.file}:${at.line}:${at.column}: ` : '';
}
