/**
 * Which image to use for a name a definition gives (issue 17 item 2):
 *
 * 1. the operator's alias map (SLIPWAY_IMAGE_ALIASES) first: a team's mirror
 *    or local image, used as it says;
 * 2. a name present locally, or one that pulls, as named;
 * 3. Gitpod's `gitpod/workspace-*` images, when they cannot be pulled (no
 *    registry), map to the local equivalent, slipway/workspace-full (user
 *    gitpod, uid 33333, the same toolchains), with a warning in the log;
 * 4. anything else fails with the name, what was tried and how to fix it.
 *
 * Used for `image:` names and for the images a Dockerfile starts FROM.
 */
import { errorMessage, slipwayError } from '../core/errors.js';
import type { ImageAlias } from '../config/image-aliases.js';
import type { Runtime } from '../runtime/docker.js';

/** The local equivalent of every `gitpod/workspace-*` image: built by scripts/setup. */
export const GITPOD_EQUIVALENT = 'slipway/workspace-full';

export interface NamedImage {
  /** The image to use. */
  ref: string;
  /** How it was chosen: as named (present or pulled), by the alias map, or as the local equivalent. */
  how: 'named' | 'alias' | 'equivalent';
}

/** `name` as Docker Hub spells it locally: no `docker.io/`, no `library/`. Tag and digest kept. */
export function normalizeImageName(ref: string): string {
  let name = ref.replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  if (name.startsWith('library/')) name = name.slice('library/'.length);
  return name;
}

/** `ref` with `:latest` when it has no tag or digest: looked up so, Docker matches names only, never an id prefix. */
function tagged(ref: string): string {
  const slash = ref.lastIndexOf('/');
  return ref.includes('@') || ref.indexOf(':', slash + 1) >= 0 ? ref : `${ref}:latest`;
}

/** The repository part of a name (no tag, no digest). */
function repositoryOf(name: string): string {
  const noDigest = name.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', slash + 1);
  return colon >= 0 ? noDigest.slice(0, colon) : noDigest;
}

/** The alias for `ref`: exact (with tag) first, then the repository with any tag, then the longest prefix; later lines win ties. */
export function findAlias(aliases: readonly ImageAlias[], ref: string): ImageAlias | null {
  const name = normalizeImageName(ref);
  const repo = repositoryOf(name);
  const last = <T>(items: T[]): T | null => items[items.length - 1] ?? null;
  const byName = (a: ImageAlias) => normalizeImageName(a.name);
  const exact = last(aliases.filter((a) => !a.name.endsWith('*') && byName(a) === name));
  if (exact) return exact;
  const anyTag = last(aliases.filter((a) => !a.name.endsWith('*') && repositoryOf(byName(a)) === byName(a) && byName(a) === repo));
  if (anyTag) return anyTag;
  const prefixes = aliases.filter((a) => a.name.endsWith('*') && repo.startsWith(byName(a).slice(0, -1)));
  prefixes.sort((a, b) => a.name.length - b.name.length || a.line - b.line);
  return last(prefixes);
}

/** Gitpod's workspace images (`gitpod/workspace-full`, `-base`, `-node-lts`, `-python-3.11`, ...). */
export function isGitpodWorkspaceImage(ref: string): boolean {
  return /^gitpod\/workspace-[a-z0-9._-]+$/.test(repositoryOf(normalizeImageName(ref)));
}

// A registry that did not answer is not asked again for a while: every open would otherwise wait for it.
const PULL_FAILURE_MEMORY_MS = 5 * 60_000;

export function createImageNames(deps: { runtime: Pick<Runtime, 'imageExists' | 'pullImage'>; aliases: readonly ImageAlias[] }) {
  const { runtime, aliases } = deps;
  const failedPulls = new Map<string, { at: number; reason: string }>();

  /** Pulls `ref`; the failure reason, or null when it is now present. */
  async function tryPull(ref: string, onLog: (text: string) => void): Promise<string | null> {
    const failed = failedPulls.get(ref);
    if (failed && Date.now() - failed.at < PULL_FAILURE_MEMORY_MS) return failed.reason;
    onLog(`Pulling ${ref}\n`);
    try {
      await runtime.pullImage(ref, onLog);
      failedPulls.delete(ref);
      return null;
    } catch (error) {
      const reason = errorMessage(error);
      failedPulls.set(ref, { at: Date.now(), reason });
      return reason;
    }
  }

  const aliasWhere = (alias: ImageAlias) => `${alias.file}:${alias.line}`;
  const aliasFile = aliases[0]?.file ?? null;

  function unavailable(ref: string, tried: string[]): Error {
    return slipwayError(
      'SLIPWAY_IMAGE_UNAVAILABLE',
      `The image "${ref}" cannot be used. Tried: ${tried.join('; ')}. Fix the image name in the definition, make the image available to the Docker engine (docker pull or docker tag on the server), or map the name to a mirror or local image in the image alias map (SLIPWAY_IMAGE_ALIASES).`,
      { detail: { image: ref, tried } },
    );
  }

  return {
    /** Whether `ref` is one this module may replace: aliased, or a Gitpod workspace image. */
    mayMap(ref: string): boolean {
      return findAlias(aliases, ref) !== null || isGitpodWorkspaceImage(ref);
    },
    /** The image to use for `ref`, present locally when this returns. */
    async resolve(ref: string, onLog: (text: string) => void = () => {}): Promise<NamedImage> {
      const alias = findAlias(aliases, ref);
      const tried: string[] = [];
      if (alias) {
        onLog(`Image ${ref} → ${alias.target} (image alias map, ${aliasWhere(alias)})\n`);
        if (await runtime.imageExists(tagged(alias.target))) return { ref: alias.target, how: 'alias' };
        const failure = await tryPull(alias.target, onLog);
        if (failure === null) return { ref: alias.target, how: 'alias' };
        throw unavailable(ref, [
          `the alias map (${aliasWhere(alias)}) points it at "${alias.target}", which is not on this server and cannot be pulled (${failure})`,
        ]);
      }
      tried.push(aliasFile ? `the image alias map (${aliasFile}) has no entry for it` : 'no image alias map is set (SLIPWAY_IMAGE_ALIASES)');
      if (await runtime.imageExists(tagged(ref))) return { ref, how: 'named' };
      tried.push('it is not among the local images');
      const failure = await tryPull(ref, onLog);
      if (failure === null) return { ref, how: 'named' };
      tried.push(`the registry: ${failure}`);
      if (isGitpodWorkspaceImage(ref)) {
        if (await runtime.imageExists(tagged(GITPOD_EQUIVALENT))) {
          onLog(
            `\u001b[33m⚠ ${ref} cannot be pulled (no registry answers): using the local equivalent ${GITPOD_EQUIVALENT} instead (user gitpod, uid 33333; node, python, go, java, rust, ruby, php, C). Tools particular to ${ref} may be missing; an operator can point the name elsewhere with SLIPWAY_IMAGE_ALIASES.\u001b[0m\n`,
          );
          return { ref: GITPOD_EQUIVALENT, how: 'equivalent' };
        }
        tried.push(`its local equivalent ${GITPOD_EQUIVALENT} is missing too (npm run setup builds it)`);
      }
      throw unavailable(ref, tried);
    },
  };
}

export type ImageNames = ReturnType<typeof createImageNames>;
