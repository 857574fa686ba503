/**
 * The spec's stable JSON form (API and CLI contract) and the hash of the
 * parts that decide what a prebuild produces, used for prebuild cache keys.
 */
import { createHash } from 'node:crypto';
import type { ImageSource, LifecycleCommand, WorkspaceSpec } from './model.js';

function imageJSON(image: ImageSource): Record<string, unknown> {
  switch (image.kind) {
    case 'default':
      return { kind: 'default' };
    case 'ref':
      return { kind: 'ref', ref: image.ref };
    case 'dockerfile':
      return { kind: 'dockerfile', dockerfile: image.dockerfile, context: image.context, args: { ...image.args }, target: image.target };
    case 'compose':
      return { kind: 'compose', files: [...image.files], service: image.service };
  }
}

const copyCommand = (c: LifecycleCommand | null): LifecycleCommand | null =>
  c === null ? null : typeof c === 'string' ? c : Array.isArray(c) ? [...c] : { ...c };

/**
 * A plain JSON value with a fixed key order (so `JSON.stringify` of the same
 * spec is byte-identical), and every key present (null when unset).
 */
export function specToJSON(spec: WorkspaceSpec): Record<string, unknown> {
  return {
    image: imageJSON(spec.image),
    tasks: spec.tasks.map((t) => ({
      name: t.name,
      before: t.before,
      init: t.init,
      command: t.command,
      env: { ...t.env },
      openMode: t.openMode ?? null,
      openIn: t.openIn ?? null,
    })),
    lifecycle: {
      onCreate: copyCommand(spec.lifecycle.onCreate),
      updateContent: copyCommand(spec.lifecycle.updateContent),
      postCreate: copyCommand(spec.lifecycle.postCreate),
      postStart: copyCommand(spec.lifecycle.postStart),
      postAttach: copyCommand(spec.lifecycle.postAttach),
    },
    ports: spec.ports.map((p) => ({
      port: p.port,
      endPort: p.endPort,
      onOpen: p.onOpen,
      visibility: p.visibility,
      name: p.name,
      description: p.description,
      protocol: p.protocol,
    })),
    env: { ...spec.env },
    user: spec.user,
    checkoutLocation: spec.checkoutLocation,
    workspaceLocation: spec.workspaceLocation,
    extensions: [...spec.extensions],
    gitConfig: { ...spec.gitConfig },
    extra: JSON.parse(JSON.stringify(spec.extra)) as Record<string, unknown>,
  };
}

/** JSON with object keys sorted at every level: the same data always gives the same text. */
export function canonicalJSON(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJSON(v)}`).join(',')}}`;
}

/**
 * The prebuild-relevant parts of a spec: what a prebuild runs and where.
 * Included: the image source; per task that runs in a prebuild (has `before`
 * or `init`) its `before`, `init` and `env` (the env those commands see);
 * lifecycle `onCreate` and `updateContent`; `env`; `user` (who runs them);
 * `checkoutLocation` (where the snapshot has the repository).
 * Left out on purpose: `command`, task names, ports, `postCreate`/`postStart`/
 * `postAttach`, extensions, `extra` — changing those must not invalidate a prebuild.
 */
export function prebuildRelevantParts(spec: WorkspaceSpec): Record<string, unknown> {
  return {
    image: imageJSON(spec.image),
    tasks: spec.tasks.filter((t) => t.before !== null || t.init !== null).map((t) => ({ before: t.before, init: t.init, env: t.env })),
    lifecycle: { onCreate: spec.lifecycle.onCreate, updateContent: spec.lifecycle.updateContent },
    env: spec.env,
    user: spec.user,
    checkoutLocation: spec.checkoutLocation,
  };
}

/** sha256 (hex) of `prebuildRelevantParts(spec)` in canonical JSON, versioned so the recipe can change. */
export function definitionHash(spec: WorkspaceSpec): string {
  return createHash('sha256')
    .update(`slipway-definition-v1\n${canonicalJSON(prebuildRelevantParts(spec))}`)
    .digest('hex');
}

/** Same as definitionHash; the name says what it covers. */
export const prebuildRelevantHash = definitionHash;
