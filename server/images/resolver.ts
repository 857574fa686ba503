/**
 * Makes sure the image a definition names is present: the default image, an
 * image name (pulled when absent), or a Dockerfile built from the repository's
 * own content at that commit (the `git archive` of the context is the build
 * context, so no checkout is needed) and tagged by its cache key.
 */
import path from 'node:path/posix';
import type { Readable } from 'node:stream';
import { isSlipwayError, slipwayError } from '../core/errors.js';
import { imageReferenceRefusal, positionPrefix } from '../definition/index.js';
import type { ImageSource } from '../definition/model.js';
import type { Runtime } from '../runtime/docker.js';
import type { CaLayer } from './ca-layer.js';
import { builtImageTag, imageCacheKey } from './cache-key.js';
import { contextInputs, contextInputsId, dockerfileOnlyContext } from './context-inputs.js';
import { replaceTarEntry, rewriteImageRefs } from './dockerfile-rewrite.js';
import { createImageNames, type ImageNames } from './image-names.js';
import { checkDockerfileImages, checkDockerfileNames, presentConfig, refused, slipwayMadeImage } from './policy.js';

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

export function createImageResolver(deps: {
  runtime: Pick<Runtime, 'imageExists' | 'pullImage' | 'buildImage' | 'imageConfig' | 'removeImage'>;
  repos: RepoContent;
  defaultImage: string;
  names?: ImageNames;
  caLayer?: CaLayer;
}) {
  const { runtime, repos } = deps;
  // Without an alias map (tests, tools) Gitpod's names still map to the local equivalent.
  const names = deps.names ?? createImageNames({ runtime, aliases: [] });
  // One build per key at a time: a second open of the same commit waits for the first build.
  const inFlight = new Map<string, Promise<ResolvedImage>>();

  /** The operator's default image: trusted as configured (it is no definition's choice), only made present. */
  async function ensureDefault(ref: string, onLog: (text: string) => void): Promise<ResolvedImage> {
    if (await runtime.imageExists(ref)) return { ref, how: 'present', cacheKey: null };
    onLog(`Pulling ${ref}\n`);
    try {
      await runtime.pullImage(ref, onLog);
    } catch (error) {
      throw slipwayError(
        'SLIPWAY_IMAGE_MISSING',
        `The default workspace image "${ref}" is missing and cannot be pulled. Run scripts/setup (npm run setup) to build it, or set SLIPWAY_DEFAULT_IMAGE.`,
        { cause: error },
      );
    }
    return { ref, how: 'pulled', cacheKey: null };
  }

  /**
   * An image a definition names: the name rules again (a devcontainer's
   * `${...}` is only now final), then the local image's labels. Looked up with
   * an explicit tag, so Docker never falls back to an id prefix.
   */
  async function ensureDefinitionRef(source: Extract<ImageSource, { kind: 'ref' }>, onLog: (text: string) => void): Promise<ResolvedImage> {
    const at = positionPrefix(source);
    const why = imageReferenceRefusal(source.ref, { strictIds: false });
    if (why) throw refused(`${at}\`image\`: ${why}`);
    // The alias map and Gitpod's local equivalent (image-names.ts) pick the image actually used; it is present after this.
    const ref = (await names.resolve(source.ref, onLog)).ref;
    const config = await presentConfig(runtime, ref, onLog);
    const made = slipwayMadeImage(config.labels);
    if (made) {
      throw refused(
        `${at}\`image\`: "${ref}" is ${made}, which holds another workspace's files; a definition may name registry images (like \`node:20\`) or build its own from a Dockerfile in the repository`,
      );
    }
    return { ref, how: config.pulled ? 'pulled' : 'present', cacheKey: null };
  }

  async function build(
    source: Extract<ImageSource, { kind: 'dockerfile' }>,
    ctx: { repoUrl: string; repoName: string; commit: string },
    onLog: (text: string) => void,
  ): Promise<ResolvedImage> {
    const contextDir = source.context === '' ? '.' : source.context;
    const dockerfileContent = await repos.readFile(ctx.repoUrl, ctx.commit, source.dockerfile);
    if (dockerfileContent === null) {
      throw slipwayError(
        'SLIPWAY_IMAGE_DOCKERFILE_MISSING',
        `The definition names the Dockerfile "${source.dockerfile}", which does not exist at commit ${ctx.commit.slice(0, 12)}. Fix the path in the definition file or commit the Dockerfile.`,
      );
    }
    const relative = contextDir === '.' ? source.dockerfile : path.relative(contextDir, source.dockerfile);
    if (relative.startsWith('..')) {
      throw slipwayError(
        'SLIPWAY_IMAGE_DOCKERFILE_OUTSIDE_CONTEXT',
        `The Dockerfile "${source.dockerfile}" lies outside its build context "${contextDir}". Move the context up (e.g. "context": "..") so that it contains the Dockerfile.`,
      );
    }
    const named = checkDockerfileNamesAt(source, dockerfileContent);
    // Gitpod's images and the alias map apply to FROM too: the Dockerfile is built with those names replaced.
    const mapping = new Map<string, string>();
    for (const r of named) if (!mapping.has(r.ref) && names.mayMap(r.ref)) mapping.set(r.ref, (await names.resolve(r.ref, onLog)).ref);
    for (const [from, to] of mapping) if (from === to) mapping.delete(from);
    const outside = named.map((r) => ({ ...r, ref: mapping.get(r.ref) ?? r.ref }));
    const buildContent = mapping.size === 0 ? dockerfileContent : Buffer.from(rewriteImageRefs(dockerfileContent.toString('utf8'), mapping));
    // Keyed on what the Dockerfile can read from its context, not the whole context (often the repository root).
    const inputs = contextInputs(dockerfileContent.toString('utf8'));
    const contextId = await contextInputsId(repos, { ...ctx, contextDir }, inputs);
    const key = imageCacheKey({
      dockerfileContent: buildContent,
      contextTreeId: contextId,
      args: source.args,
      target: source.target,
      dockerfilePath: source.dockerfile,
    });
    const tag = builtImageTag(ctx.repoName, key);
    if (await runtime.imageExists(tag)) {
      // A cached build may predate the image rules: judge what it was built on, too.
      await refuseInherited(source, tag, false);
      onLog(`Image ${tag} is up to date (cache key ${key.slice(0, 12)}): no build needed\n`);
      return { ref: tag, how: 'cached', cacheKey: key };
    }
    const running = inFlight.get(key);
    if (running) {
      onLog(`Waiting for the build of ${tag} that is already running\n`);
      return running;
    }
    const work = (async (): Promise<ResolvedImage> => {
      await checkDockerfileImages(runtime, source.dockerfile, outside, onLog).catch((error: unknown) => {
        throw withPosition(source, error);
      });
      onLog(`Building ${source.dockerfile} (context ${contextDir}) as ${tag}\n`);
      await runtime.buildImage(
        {
          // A Dockerfile that copies nothing gets itself as the whole context: no archive of the repository.
          context:
            inputs !== null && inputs.length === 0
              ? dockerfileOnlyContext(relative, buildContent)
              : mapping.size === 0
                ? await repos.archive(ctx.repoUrl, ctx.commit, contextDir)
                : replaceTarEntry(await repos.archive(ctx.repoUrl, ctx.commit, contextDir), relative, buildContent),
          dockerfile: relative,
          tag,
          args: source.args,
          target: source.target,
          labels: { 'slipway.kind': 'build', 'slipway.cache-key': key, 'slipway.repo': ctx.repoUrl },
        },
        onLog,
      );
      await refuseInherited(source, tag, true);
      return { ref: tag, how: 'built', cacheKey: key };
    })();
    inFlight.set(key, work);
    try {
      return await work;
    } finally {
      inFlight.delete(key);
    }
  }

  /** Adds where the definition names the Dockerfile to an image-rule error. */
  function withPosition(source: ImageSource, error: unknown): unknown {
    if (isSlipwayError(error) && error.code === 'SLIPWAY_DEFINITION_IMAGE_REFUSED') {
      const at = positionPrefix(source);
      if (at) error.message = `${error.message} (the image of ${at.slice(0, -2)})`;
    }
    return error;
  }

  function checkDockerfileNamesAt(source: Extract<ImageSource, { kind: 'dockerfile' }>, content: Buffer) {
    try {
      return checkDockerfileNames(source.dockerfile, content.toString('utf8'), source.args);
    } catch (error) {
      throw withPosition(source, error);
    }
  }

  /**
   * A built image that inherited a per-user Slipway label was built on a
   * snapshot (by whatever name the build reached it): refused, and a fresh
   * build is removed so that it cannot be reused from the cache.
   */
  async function refuseInherited(source: Extract<ImageSource, { kind: 'dockerfile' }>, tag: string, remove: boolean): Promise<void> {
    const labels = { ...((await runtime.imageConfig(tag))?.labels ?? {}) };
    // Our own build labels are set on every build; what else is there came from the base.
    delete labels['slipway.kind'];
    delete labels['slipway.cache-key'];
    const made = slipwayMadeImage(labels);
    if (!made) return;
    if (remove) await runtime.removeImage(tag).catch(() => {});
    throw withPosition(
      source,
      refused(`${source.dockerfile}: the image it builds is ${made}, which holds another workspace's files; start FROM a registry image`),
    );
  }

  async function pick(source: ImageSource, ctx: { repoUrl: string; repoName: string; commit: string }, onLog: (text: string) => void): Promise<ResolvedImage> {
    switch (source.kind) {
      case 'default':
        return ensureDefault(deps.defaultImage, onLog);
      case 'ref':
        return ensureDefinitionRef(source, onLog);
      case 'dockerfile':
        return build(source, ctx, onLog);
      case 'compose':
        throw slipwayError(
          'SLIPWAY_DEFINITION_COMPOSE_UNSUPPORTED',
          `This devcontainer.json uses Docker Compose (service "${source.service}" in ${source.files.join(', ')}), which Slipway does not run yet. Use "image" or "build.dockerfile" in a devcontainer.json, or a .gitpod.yml.`,
        );
    }
  }

  return {
    async ensure(
      source: ImageSource,
      ctx: { repoUrl: string; repoName: string; commit: string },
      onLog: (text: string) => void = () => {},
    ): Promise<ResolvedImage> {
      const resolved = await pick(source, ctx, onLog);
      // Extra CA certificates: a derived layer made once per image and bundle, not installed at every start.
      return deps.caLayer ? { ...resolved, ref: await deps.caLayer.apply(resolved.ref, onLog) } : resolved;
    },
  };
}

export type ImageResolver = ReturnType<typeof createImageResolver>;
