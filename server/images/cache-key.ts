import { sha256Hex } from '../core/ids.js';

/**
 * Cache key of a built image (DESIGN §4): the Dockerfile's content, the id of
 * what it can read from its build context (context-inputs.ts: the context's
 * tree id, or the ids of the paths its COPY/ADD name), the build args and the
 * target. A change to a file the build can read rebuilds; a change elsewhere
 * in the repository does not.
 */
export function imageCacheKey(input: {
  dockerfileContent: string | Buffer;
  /** contextInputsId() */ contextTreeId: string;
  args: Record<string, string>;
  target: string | null;
  dockerfilePath: string;
}): string {
  const args = Object.keys(input.args)
    .sort()
    .map((k) => `${k}=${input.args[k]}`)
    .join('\n');
  return sha256Hex('slipway-image-v1', input.dockerfilePath, input.dockerfileContent, input.contextTreeId, args, input.target ?? '');
}

/** `slipway/build-<repo>:<key>`: a valid, readable Docker tag for a built image. */
export function builtImageTag(repoName: string, cacheKey: string): string {
  const name =
    repoName
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+|[._-]+$/g, '')
      .slice(0, 60) || 'repo';
  return `slipway/build-${name}:${cacheKey.slice(0, 20)}`;
}
