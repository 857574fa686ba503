/**
 * The image rules that need the engine (DESIGN §10): a definition may not
 * use, start FROM or copy out of an image Slipway made (a prebuild snapshot,
 * a built image, a workspace commit), whatever name reaches it. The rules the
 * name alone decides live in definition/image-policy.ts and run here too, on
 * the names really used (after `${...}` and ARG expansion).
 */
import { slipwayError, type SlipwayError } from '../core/errors.js';
import { imageReferenceRefusal, isImageReference, withExplicitTag } from '../definition/index.js';
import type { Runtime } from '../runtime/docker.js';
import { dockerfileRefs, onBuildRefs, type DockerfileRef } from './dockerfile-refs.js';

/** The one kind a definition may use: the shared base image (scripts/setup labels it), holding no user's files. */
const SHARED_KINDS = new Set(['base']);
/** Labels only Slipway's per-user images carry; an image built FROM one inherits them (a Dockerfile can blank a label, not remove it). */
const USER_DATA_LABELS = ['slipway.prebuild', 'slipway.workspace', 'slipway.project', 'slipway.cache-key'];

/** What Slipway-made image `labels` mark, or null for an image a definition may use. */
export function slipwayMadeImage(labels: Record<string, string>): string | null {
  const kind = labels['slipway.kind'];
  if (kind !== undefined && !SHARED_KINDS.has(kind)) return `a Slipway-made image (label slipway.kind=${kind})`;
  const inherited = USER_DATA_LABELS.find((key) => key in labels);
  return inherited ? `built on a Slipway-made image (label ${inherited})` : null;
}

export function refused(message: string): SlipwayError {
  return slipwayError('SLIPWAY_DEFINITION_IMAGE_REFUSED', message);
}

type ImageRuntime = Pick<Runtime, 'imageExists' | 'pullImage' | 'imageConfig'>;

/** Where a Dockerfile reference was written, for messages: `Dockerfile:3: FROM x`. */
const where = (dockerfile: string, r: DockerfileRef) =>
  r.line > 0 ? `${dockerfile}:${r.line}: \`${r.instruction} ${r.ref}\`` : `\`${r.instruction} ${r.ref}\``;

/** Name rules for every outside image of a Dockerfile: pure, so it also guards a cached build. */
export function checkDockerfileNames(dockerfile: string, content: string, args: Record<string, string>): DockerfileRef[] {
  const refs = dockerfileRefs(content, args);
  for (const r of refs) {
    if (r.unresolved) throw refused(`${where(dockerfile, r)}: the image name depends on a variable Slipway cannot resolve; write the image name out`);
    if (r.ref.toLowerCase() === 'scratch') continue;
    if (!isImageReference(r.ref)) throw refused(`${where(dockerfile, r)}: ${JSON.stringify(r.ref)} is not an image name like \`node:20\``);
    // No tag can be added inside a Dockerfile, so every untagged hex name is refused: Docker would try it as an id prefix.
    const why = imageReferenceRefusal(r.ref, { strictIds: true });
    if (why) throw refused(`${where(dockerfile, r)}: ${why}`);
  }
  return refs;
}

/**
 * Engine rules for a Dockerfile about to be built: each outside image is made
 * present (the builder would pull it anyway) and judged by its labels, and a
 * FROM image's ONBUILD triggers (which run in this build) by the same rules.
 */
export async function checkDockerfileImages(runtime: ImageRuntime, dockerfile: string, refs: DockerfileRef[], onLog: (text: string) => void): Promise<void> {
  for (const r of refs) {
    if (r.ref.toLowerCase() === 'scratch') continue;
    const config = await presentConfig(runtime, r.ref, onLog);
    const made = slipwayMadeImage(config.labels);
    if (made) throw refused(`${where(dockerfile, r)}: ${JSON.stringify(r.ref)} is ${made}, which holds another workspace's files; start from a registry image`);
    for (const trigger of r.instruction === 'FROM' ? onBuildRefs(config.onBuild) : []) {
      const why = trigger.unresolved ? 'names an image through a variable' : imageReferenceRefusal(trigger.ref, { strictIds: true });
      const made = why ? null : slipwayMadeImage((await runtime.imageConfig(trigger.ref))?.labels ?? {});
      if (why || made)
        throw refused(`${where(dockerfile, r)}: the image's ONBUILD trigger \`${trigger.ref}\` ${why ?? `is ${made}`}; start from another image`);
    }
  }
}

/** The labels of `ref`, pulled first when absent; looked up with an explicit tag, so never by id prefix. */
export async function presentConfig(
  runtime: ImageRuntime,
  ref: string,
  onLog: (text: string) => void,
): Promise<{ labels: Record<string, string>; onBuild: string[]; pulled: boolean }> {
  const lookup = withExplicitTag(ref);
  const pulled = !(await runtime.imageExists(lookup));
  if (pulled) {
    onLog(`Pulling ${lookup}\n`);
    await runtime.pullImage(lookup, onLog);
  }
  const config = await runtime.imageConfig(lookup);
  if (config === null) throw slipwayError('SLIPWAY_IMAGE_INSPECT_FAILED', `The image "${ref}" is present but the Docker engine cannot inspect it; try again`);
  return { ...config, pulled };
}
