/**
 * Makes sure the image a definition names is present: the default image, an
 * image name (pulled when absent), or a Dockerfile built from the repository's
 * own content at that commit (the `git archive` of the context is the build
 * context, so no checkout is needed) and tagged by its cache key.
 */
import path from 'node:path/posix';
import type { Readable } from 'node:stream';
import { slipwayError } from '../core/errors.js';
import type { ImageSource } from '../definition/model.js';
import type { Runtime } from '../runtime/docker.js';
import { builtImageTag, imageCacheKey } from './cache-key.js';
import { contextInputs, contextInputsId, dockerfileOnlyContext } from './context-inputs.js';

/** What the resolver needs of the git mirror. */
export interface RepoContent {
  treeId(repoUrl: string, commit: string, dir: string): Promise<string>;
  objectId(repoUrl: string, commit: string, path: string): Promise<string | null>;
  readFile(repoUrl: string, commit: string, file: string): Promise<Buffer | null>;
  archive(repoUrl: string, commit: string, dir: string): Promise<Readable> | Readable;
}

export interface ResolvedImage {
  ref: string;
  /** built, pulled, or present: how it came to be there. */
  how: 'present' | 'pulled' | 'built' | 'cached';
  cacheKey: string | null;
}

export function createImageResolver(deps: { runtime: Pick<Runtime, 'imageExists' | 'pullImage' | 'buildImage'>; repos: RepoContent; defaultImage: string }) {
  const { runtime, repos } = deps;
  // One build per key at a time: a second open of the same commit waits for the first build.
  const inFlight = new Map<string, Promise<ResolvedImage>>();

  async function ensureRef(ref: string, onLog: (text: string) => void, isDefault: boolean): Promise<ResolvedImage> {
    if (await runtime.imageExists(ref)) return { ref, how: 'present', cacheKey: null };
    onLog(`Pulling ${ref}\n`);
    try {
      await runtime.pullImage(ref, onLog);
    } catch (error) {
      if (isDefault) {
        throw slipwayError('SLIPWAY_IMAGE_MISSING', `The default workspace image "${ref}" is missing and cannot be pulled. Run scripts/setup (npm run setup) to build it, or set SLIPWAY_DEFAULT_IMAGE.`, { status: 422, cause: error });
      }
      throw error;
    }
    return { ref, how: 'pulled', cacheKey: null };
  }

  async function build(source: Extract<ImageSource, { kind: 'dockerfile' }>, ctx: { repoUrl: string; repoName: string; commit: string }, onLog: (text: string) => void): Promise<ResolvedImage> {
    const contextDir = source.context === '' ? '.' : source.context;
    const dockerfileContent = await repos.readFile(ctx.repoUrl, ctx.commit, source.dockerfile);
    if (dockerfileContent === null) {
      throw slipwayError('SLIPWAY_IMAGE_DOCKERFILE_MISSING', `The definition names the Dockerfile "${source.dockerfile}", which does not exist at commit ${ctx.commit.slice(0, 12)}. Fix the path in the definition file or commit the Dockerfile.`, { status: 422 });
    }
    const relative = contextDir === '.' ? source.dockerfile : path.relative(contextDir, source.dockerfile);
    if (relative.startsWith('..')) {
      throw slipwayError('SLIPWAY_IMAGE_DOCKERFILE_OUTSIDE_CONTEXT', `The Dockerfile "${source.dockerfile}" lies outside its build context "${contextDir}". Move the context up (e.g. "context": "..") so that it contains the Dockerfile.`, { status: 422 });
    }
    // Keyed on what the Dockerfile can read from its context, not the whole context (often the repository root).
    const inputs = contextInputs(dockerfileContent.toString('utf8'));
    const contextId = await contextInputsId(repos, { ...ctx, contextDir }, inputs);
    const key = imageCacheKey({ dockerfileContent, contextTreeId: contextId, args: source.args, target: source.target, dockerfilePath: source.dockerfile });
    const tag = builtImageTag(ctx.repoName, key);
    if (await runtime.imageExists(tag)) {
      onLog(`Image ${tag} is up to date (cache key ${key.slice(0, 12)}): no build needed\n`);
      return { ref: tag, how: 'cached', cacheKey: key };
    }
    const running = inFlight.get(key);
    if (running) {
      onLog(`Waiting for the build of ${tag} that is already running\n`);
      return running;
    }
    const work = (async (): Promise<ResolvedImage> => {
      onLog(`Building ${source.dockerfile} (context ${contextDir}) as ${tag}\n`);
      await runtime.buildImage(
        {
          // A Dockerfile that copies nothing gets itself as the whole context: no archive of the repository.
          context: inputs !== null && inputs.length === 0 ? dockerfileOnlyContext(relative, dockerfileContent) : await repos.archive(ctx.repoUrl, ctx.commit, contextDir),
          dockerfile: relative,
          tag,
          args: source.args,
          target: source.target,
          labels: { 'slipway.kind': 'build', 'slipway.cache-key': key, 'slipway.repo': ctx.repoUrl },
        },
        onLog,
      );
      return { ref: tag, how: 'built', cacheKey: key };
    })();
    inFlight.set(key, work);
    try {
      return await work;
    } finally {
      inFlight.delete(key);
    }
  }

  return {
    async ensure(source: ImageSource, ctx: { repoUrl: string; repoName: string; commit: string }, onLog: (text: string) => void = () => {}): Promise<ResolvedImage> {
      switch (source.kind) {
        case 'default':
          return ensureRef(deps.defaultImage, onLog, true);
        case 'ref':
          return ensureRef(source.ref, onLog, false);
        case 'dockerfile':
          return build(source, ctx, onLog);
        case 'compose':
          throw slipwayError('SLIPWAY_DEFINITION_COMPOSE_UNSUPPORTED', `This devcontainer.json uses Docker Compose (service "${source.service}" in ${source.files.join(', ')}), which Slipway does not run yet. Use "image" or "build.dockerfile" in a devcontainer.json, or a .gitpod.yml.`, { status: 422 });
      }
    },
  };
}

export type ImageResolver = ReturnType<typeof createImageResolver>;
