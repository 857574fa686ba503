/**
 * What each SOURCES.tsv feature tag promises about the parsed spec. Every tag
 * in the corpus must be listed here (as a check or as "syntax only"), so a
 * new tag in the notes fails the tests until someone decides what it means.
 */
import { expect } from 'vitest';
import type { ParseResult, WorkspaceSpec } from '../../../server/definition/index.js';

type Check = (spec: WorkspaceSpec, result: ParseResult, arg: string | undefined) => void;

const commandKind = (c: unknown): string => (c === null ? 'null' : typeof c === 'string' ? 'string' : Array.isArray(c) ? 'array' : 'object');

const lifecycleTag =
  (phase: keyof WorkspaceSpec['lifecycle']): Check =>
  (spec, _r, arg) => {
    expect(commandKind(spec.lifecycle[phase])).toBe(arg);
  };

const extraKey =
  (key: string): Check =>
  (spec) =>
    expect(spec.extra[key]).toBeDefined();

/** Tags about how the file is written (comments, tabs, CRLF…): parsing it without syntax errors is the check. */
export const SYNTAX_ONLY = new Set([
  'comments',
  'block-scalar',
  'folded-scalar',
  'no-final-newline',
  'trailing-whitespace',
  'tabs',
  'trailing-commas',
  'leading-blank-line',
  'doc-start-marker',
  'crlf',
  'multiline-command',
  'multiple-tasks',
  'ext-url',
  'ext-version-hash',
  'dockerfile',
  'feature-bool-as-string',
  'local-feature',
  'var:workspaceFolder',
  'var:containerEnv',
  'var:localEnv',
]);

export const CHECKS: Record<string, Check> = {
  // .gitpod.yml
  tasks: (spec, _r, n) => expect(spec.tasks).toHaveLength(Number(n)),
  'task.init': (spec) => expect(spec.tasks.some((t) => typeof t.init === 'string' && t.init.length > 0)).toBe(true),
  'task.command': (spec) => expect(spec.tasks.some((t) => typeof t.command === 'string' && t.command.length > 0)).toBe(true),
  'task.before': (spec) => expect(spec.tasks.some((t) => typeof t.before === 'string' && t.before.length > 0)).toBe(true),
  'task.name': (spec) => expect(spec.tasks.some((t) => typeof t.name === 'string' && t.name.length > 0)).toBe(true),
  'task.env': (spec) => expect(spec.tasks.some((t) => Object.keys(t.env).length > 0)).toBe(true),
  'task-env': (spec) => expect(spec.tasks.some((t) => Object.keys(t.env).length > 0)).toBe(true),
  'task.openMode': (spec) => expect(spec.tasks.some((t) => typeof t.openMode === 'string')).toBe(true),
  ports: (spec, _r, n) => expect(spec.ports).toHaveLength(Number(n)),
  onOpen: (spec) => {
    expect(spec.ports.length).toBeGreaterThan(0);
    for (const p of spec.ports) expect(['notify', 'open-browser', 'open-preview', 'ignore', 'ignore-completely', 'silent']).toContain(p.onOpen);
  },
  visibility: (spec) => expect(spec.ports.every((p) => p.visibility === 'public' || p.visibility === 'private')).toBe(true),
  'port.name': (spec) => expect(spec.ports.some((p) => typeof p.name === 'string' && p.name.length > 0)).toBe(true),
  'image-file': (spec) => expect(spec.image.kind).toBe('dockerfile'),
  'image-ref': (spec) => expect(spec.image.kind).toBe('ref'),
  'vscode.extensions': (spec) => expect(spec.extensions.length).toBeGreaterThan(0),
  'github.prebuilds': (spec) => expect((spec.extra['github'] as { prebuilds?: unknown } | undefined)?.prebuilds).toBeTypeOf('object'),
  'addLabel-string': (spec) => expect((spec.extra['github'] as { prebuilds: { addLabel: unknown } }).prebuilds.addLabel).toBeTypeOf('string'),
  jetbrains: extraKey('jetbrains'),
  additionalRepositories: (spec) => expect(spec.extra['additionalRepositories']).toBeInstanceOf(Array),
  // devcontainer.json
  image: (spec) => expect(spec.image.kind).toBe('ref'),
  build: (spec) => expect(spec.image.kind).toBe('dockerfile'),
  'build.dockerfile': (spec) => expect(spec.image.kind === 'dockerfile' && spec.image.dockerfile.length > 0).toBe(true),
  'legacy-dockerFile': (spec) => expect(spec.image.kind === 'dockerfile' && spec.image.dockerfile.length > 0).toBe(true),
  'build.context': (spec) => expect(spec.image.kind === 'dockerfile' && spec.image.context.length > 0).toBe(true),
  'build.args': (spec) => expect(spec.image.kind === 'dockerfile' && Object.keys(spec.image.args).length > 0).toBe(true),
  'build.target': (spec) => expect(spec.image.kind === 'dockerfile' && typeof spec.image.target === 'string').toBe(true),
  'dockerComposeFile(string)': (spec) => expect(spec.image.kind === 'compose' && spec.image.files.length === 1).toBe(true),
  'dockerComposeFile(array)': (spec) => expect(spec.image.kind === 'compose' && spec.image.files.length >= 1).toBe(true),
  service: (spec) => expect(spec.image.kind === 'compose' && spec.image.service.length > 0).toBe(true),
  features: (spec, _r, n) => expect(Object.keys(spec.extra['features'] as object)).toHaveLength(Number(n)),
  forwardPorts: (spec) => expect(spec.ports.length).toBeGreaterThan(0),
  portsAttributes: (spec) => expect(spec.ports.some((p) => p.name !== null)).toBe(true),
  containerEnv: (spec) => expect(Object.keys(spec.env).length).toBeGreaterThan(0),
  remoteEnv: (spec) => expect(Object.keys(spec.env).length).toBeGreaterThan(0),
  remoteUser: (spec) => expect(spec.user).toBeTypeOf('string'),
  containerUser: (spec) => expect(spec.user).toBeTypeOf('string'),
  workspaceFolder: (spec) => {
    expect(spec.checkoutLocation).toMatch(/^\//);
    expect(spec.workspaceLocation).toBe(spec.checkoutLocation);
  },
  workspaceMount: extraKey('workspaceMount'),
  mounts: (spec) => expect(spec.extra['mounts']).toBeInstanceOf(Array),
  'mounts-str': (spec) => expect((spec.extra['mounts'] as unknown[]).some((m) => typeof m === 'string')).toBe(true),
  runArgs: (spec) => expect(spec.extra['runArgs']).toBeInstanceOf(Array),
  customizations: extraKey('customizations'),
  'customizations.vscode': (spec) => expect((spec.extra['customizations'] as { vscode?: unknown }).vscode).toBeTypeOf('object'),
  'customizations.codespaces': (spec) => expect((spec.extra['customizations'] as { codespaces?: unknown }).codespaces).toBeTypeOf('object'),
  hostRequirements: extraKey('hostRequirements'),
  shutdownAction: extraKey('shutdownAction'),
  overrideCommand: extraKey('overrideCommand'),
  overrideFeatureInstallOrder: extraKey('overrideFeatureInstallOrder'),
  capAdd: extraKey('capAdd'),
  waitFor: extraKey('waitFor'),
  appPort: extraKey('appPort'),
  onCreateCommand: lifecycleTag('onCreate'),
  updateContentCommand: lifecycleTag('updateContent'),
  postCreateCommand: lifecycleTag('postCreate'),
  postStartCommand: lifecycleTag('postStart'),
  postAttachCommand: lifecycleTag('postAttach'),
};

/** `tasks=2` → ['tasks', '2']; `postCreateCommand(object)` → ['postCreateCommand', 'object']. */
export function splitTag(tag: string): [string, string | undefined] {
  const eq = /^([^=]+)=(\d+)$/.exec(tag);
  if (eq) return [eq[1]!, eq[2]];
  const lc = /^(\w+Command)\((\w+)\)$/.exec(tag);
  if (lc) return [lc[1]!, lc[2]];
  return [tag, undefined];
}

export function checkTag(tag: string, result: ParseResult): void {
  if (SYNTAX_ONLY.has(tag)) return;
  const [name, arg] = splitTag(tag);
  const check = CHECKS[name];
  if (!check) throw new Error(`corpus tag ${JSON.stringify(tag)} has no check: add it to corpus-invariants.ts`);
  check(result.spec, result, arg);
}
