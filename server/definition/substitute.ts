/**
 * devcontainer.json variable substitution (`${localEnv:VAR}` and friends).
 *
 * "Local" in the devcontainer world means the machine that starts the
 * container; for Slipway that is the server, so the caller passes the
 * environment it is willing to expose (never `process.env` wholesale: a
 * definition from a repository must not read the server's secrets).
 *
 * `${containerEnv:VAR}` can only be known inside the running container, so the
 * parser leaves it literally in the spec; whoever starts the container
 * resolves it with `resolveContainerEnv` against the container's environment.
 * Variables whose value is unknown (no localWorkspaceFolder given, say) are
 * also left literally, so a later pass or a reader can still see them.
 */
import path from 'node:path';
import type { WorkspaceSpec } from './model.js';

export interface SubstitutionOptions {
  /** Values for `${localEnv:VAR}` (and its old alias `${env:VAR}`); missing → the default or ''. */
  localEnv?: Record<string, string>;
  /** Where the repository is on the machine starting the container. */
  localWorkspaceFolder?: string;
  /** Where the repository is inside the container; a definition's own `workspaceFolder` wins. */
  containerWorkspaceFolder?: string;
}

/**
 * The options the server parses a repository's definition with (workspace
 * starts and prebuilds alike, so their specs and hashes agree).
 *
 * `localWorkspaceFolder`: the reference CLI uses the folder it was started
 * in. Slipway's server has no lasting host folder (each start copies a fresh
 * working tree from a scratch folder whose name changes every time), and
 * its own paths are not the repository's business, so it stands in as
 * `/workspaces/<repository name>`: as if Slipway itself ran in a dev
 * container with the repository at the spec's default. The basename (what
 * definitions use) is the repository's name, as on a developer's machine.
 * `localEnv`: empty: a repository's definition must not read the server's
 * environment, so `${localEnv:X}` is its default or ''.
 */
export function serverSubstitution(repoName: string): SubstitutionOptions {
  return { localEnv: {}, localWorkspaceFolder: `/workspaces/${repoName}` };
}

export interface SubstitutionContext {
  localEnv: Record<string, string>;
  localWorkspaceFolder: string | undefined;
  containerWorkspaceFolder: string | undefined;
}

const VARIABLE = /\$\{([^{}]*)\}/g;

function basename(p: string): string {
  return path.posix.basename(p.replace(/\\/g, '/').replace(/\/+$/, '')) || p;
}

/** Looks a name up in an env map: `[name, default...]` joined back, so a default may contain `:`. */
function lookup(env: Record<string, string>, args: string[]): string {
  const [name, ...rest] = args;
  const value = name === undefined ? undefined : env[name];
  if (typeof value === 'string') return value;
  return rest.length > 0 ? rest.join(':') : '';
}

/** Replaces the variables of one string; unknown variables stay as written. */
export function substitute(text: string, ctx: SubstitutionContext): string {
  if (!text.includes('${')) return text;
  return text.replace(VARIABLE, (match, inner: string) => {
    const [kind, ...args] = inner.split(':');
    switch (kind) {
      case 'localEnv':
      case 'env':
        return args.length > 0 ? lookup(ctx.localEnv, args) : match;
      case 'localWorkspaceFolder':
        return ctx.localWorkspaceFolder ?? match;
      case 'localWorkspaceFolderBasename':
        return ctx.localWorkspaceFolder === undefined ? match : basename(ctx.localWorkspaceFolder);
      case 'containerWorkspaceFolder':
        return ctx.containerWorkspaceFolder ?? match;
      case 'containerWorkspaceFolderBasename':
        return ctx.containerWorkspaceFolder === undefined ? match : basename(ctx.containerWorkspaceFolder);
      default:
        // containerEnv, devcontainerId and anything unknown: left for later.
        return match;
    }
  });
}

/** Applies `substitute` to every string in a JSON value (object keys are left alone). */
export function substituteDeep<T>(value: T, ctx: SubstitutionContext): T {
  if (typeof value === 'string') return substitute(value, ctx) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => substituteDeep(v, ctx)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteDeep(v, ctx);
    return out as T;
  }
  return value;
}

/**
 * Resolves `${containerEnv:VAR}` / `${containerEnv:VAR:default}` against the
 * environment of the running container. Use on spec.env values and lifecycle
 * commands once the container exists.
 */
export function resolveContainerEnv(text: string, containerEnv: Record<string, string>): string {
  if (!text.includes('${containerEnv:')) return text;
  return text.replace(VARIABLE, (match, inner: string) => {
    const [kind, ...args] = inner.split(':');
    return kind === 'containerEnv' && args.length > 0 ? lookup(containerEnv, args) : match;
  });
}

/** `resolveContainerEnv` over every string in a JSON value (a whole lifecycle command, an env map). */
export function resolveContainerEnvDeep<T>(value: T, containerEnv: Record<string, string>): T {
  if (typeof value === 'string') return resolveContainerEnv(value, containerEnv) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => resolveContainerEnvDeep(v, containerEnv)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveContainerEnvDeep(v, containerEnv);
    return out as T;
  }
  return value;
}

/**
 * A spec with `${containerEnv:VAR}` resolved against the image's own
 * environment (devcontainer semantics): the env first, then lifecycle
 * commands and tasks, which may also name the spec's own env. Every path
 * that puts a spec into a container (cold start, start from a snapshot,
 * prebuild) calls this once it knows the image.
 */
export function resolveSpecContainerEnv(spec: WorkspaceSpec, imageEnv: Record<string, string>): WorkspaceSpec {
  const env = resolveContainerEnvDeep(spec.env, imageEnv);
  const all = { ...imageEnv, ...env };
  return { ...spec, env, lifecycle: resolveContainerEnvDeep(spec.lifecycle, all), tasks: resolveContainerEnvDeep(spec.tasks, all) };
}
