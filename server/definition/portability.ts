/**
 * What a definition asks for that Slipway runs differently or not at all
 * (issue 17 item 5), as warnings with line numbers for `slipway validate`.
 * The parser keeps to what the file means; this pass says where a Gitpod or
 * Codespaces user would be surprised: no image (the default image is used),
 * Docker Compose, Gitpod's `gp` CLI, VS Code extensions, Gitpod-only keys and
 * very wide port ranges. Pure: the file text and its parse in, warnings out.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { member, members, parseJsonc, type JNode } from './jsonc-tree.js';
import type { Diagnostic, ParseResult } from './model.js';
import { LARGE_RANGE_PORTS } from './ports.js';
import { formatPath, makeLocator, START, type PathSegment, type Position } from './positions.js';
import { positionOf } from './yaml-nodes.js';

const GITPOD_ONLY: Record<string, string> = {
  github:
    "configures Gitpod's GitHub app (prebuilds of pull requests, badges, comments); Slipway ignores it: a project's `prebuildBranches` say what is prebuilt",
  jetbrains: "configures Gitpod's JetBrains IDEs; Slipway has none and ignores it",
  coreDump: 'is a Gitpod workspace setting; Slipway ignores it',
  experimentalNetwork: 'is a Gitpod workspace setting; Slipway ignores it',
};

/** What to do instead of a `gp` subcommand, where there is a plain equivalent. */
const GP_INSTEAD: Record<string, string> = {
  'sync-await': 'tasks run side by side: wait for a file the other task writes (`until [ -f /tmp/ready ]; do sleep 1; done`)',
  'sync-done': 'write a file the waiting task looks for (`touch /tmp/ready`)',
  ports: 'wait for a port with `until curl -s localhost:PORT >/dev/null; do sleep 1; done`',
  env: 'set variables in `env:`',
  url: 'use $GITPOD_WORKSPACE_URL (the port URL is /ports/<workspace>/<port>/ on the server)',
  open: 'open the file from the terminal (`vim`, `nano`)',
  preview: 'open the port from the ports panel',
};

const GP_LINE = /(?:^|[\s;&|(`]|\$\()gp\s+([a-z][a-z-]*)/;
const RANGE = /^\s*(\d+)\s*-\s*(\d+)\s*$/;

function rangeWidth(value: unknown): number {
  const m = typeof value === 'string' ? RANGE.exec(value) : null;
  return m ? Number(m[2]) - Number(m[1]) + 1 : 0;
}

const wideRange = (where: string, value: string, width: number) =>
  `\`${where}\` is the range ${JSON.stringify(value)} of ${width} ports: accepted (one entry, proxied on demand), but check it is not a typo for a smaller one`;

function gitpodWarnings(result: ParseResult, text: string): Diagnostic[] {
  const file = result.file ?? '.gitpod.yml';
  const doc = parseDocument(text, { uniqueKeys: false });
  const locate = makeLocator(text);
  const out: Diagnostic[] = [];
  const add = (path: PathSegment[], at: Position, message: string) => out.push({ message, path: formatPath(path), line: at.line, column: at.column, file });
  const at = (path: PathSegment[], onKey = false) => positionOf(doc, locate, path, onKey);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return out; // the parser reported it
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return out;
  const top = data as Record<string, unknown>;
  if (top['image'] === undefined) {
    add(
      [],
      START,
      "no `image`: Slipway uses its default image (slipway/workspace-full unless the server sets SLIPWAY_DEFAULT_IMAGE: node, python, go, java, rust, ruby, php, C, user gitpod, like Gitpod's workspace-full)",
    );
  }
  const vscode = top['vscode'];
  if (typeof vscode === 'object' && vscode !== null && Array.isArray((vscode as Record<string, unknown>)['extensions'])) {
    const count = ((vscode as Record<string, unknown>)['extensions'] as unknown[]).length;
    if (count > 0)
      add(
        ['vscode', 'extensions'],
        at(['vscode', 'extensions'], true),
        `\`vscode.extensions\` (${count}) are not installed: Slipway has no VS Code in the browser yet (planned); the terminal and ports work without them`,
      );
  }
  for (const [key, why] of Object.entries(GITPOD_ONLY)) {
    if (top[key] !== undefined) add([key], at([key], true), `\`${key}\` ${why}`);
  }
  const tasks = Array.isArray(top['tasks']) ? top['tasks'] : [];
  tasks.forEach((task, i) => {
    if (typeof task !== 'object' || task === null) return;
    for (const key of ['before', 'init', 'command'] as const) {
      const script = (task as Record<string, unknown>)[key];
      if (typeof script !== 'string') continue;
      const start = at(['tasks', i, key]);
      // Search the file from the value's position, so a block scalar's line N is reported as the file's line.
      const startOffset = text
        .split(/\r\n|\r|\n/)
        .slice(0, start.line - 1)
        .reduce((n, l) => n + l.length + 1, 0);
      for (const line of script.split('\n')) {
        const m = GP_LINE.exec(line);
        if (!m) continue;
        const found = text.indexOf(line.trim(), startOffset);
        const pos = found >= 0 ? locate(found + (line.trim().indexOf(m[0].trim()) || 0)) : start;
        const instead = GP_INSTEAD[m[1]!];
        add(
          ['tasks', i, key],
          pos,
          `\`gp ${m[1]}\` is Gitpod's workspace CLI, which Slipway workspaces do not have yet: this line fails (gp: command not found)${instead ? `; instead, ${instead}` : ''}`,
        );
      }
    }
  });
  const ports = Array.isArray(top['ports']) ? top['ports'] : [];
  ports.forEach((p, i) => {
    const value = typeof p === 'object' && p !== null ? (p as Record<string, unknown>)['port'] : undefined;
    const width = rangeWidth(value);
    if (width > LARGE_RANGE_PORTS) add(['ports', i, 'port'], at(['ports', i, 'port']), wideRange(`ports[${i}].port`, value as string, width));
  });
  return out;
}

/**
 * devcontainer.json keys the parser keeps (spec.extra) but Slipway does not
 * act on, and what is ignored as a result (issue 13 item 5). The parser
 * itself already warns about features, initializeCommand, appPort and
 * unknown keys; these are the ones it accepts silently.
 */
const DEVCONTAINER_IGNORED: Record<string, string> = {
  mounts: 'are not mounted: Slipway binds no host folders or volumes into a workspace; what they held must come from the repository or the image',
  runArgs: "are not passed to the container engine: Slipway sets the container's options itself (limits, its own network)",
  privileged: 'is ignored: workspaces never run privileged',
  capAdd: 'is ignored: no capabilities are added to a workspace container',
  securityOpt: 'is ignored: no security options are changed',
  init: 'is ignored: Slipway starts the container its own way',
  overrideCommand: 'is ignored: Slipway starts the container its own way and keeps it running',
  runServices: 'is ignored: Docker Compose is not run by Slipway yet',
  shutdownAction: 'is ignored: a workspace stops when its owner stops it or it idles',
  overrideFeatureInstallOrder: 'is ignored: features are not installed by Slipway yet',
  hostRequirements: "is not checked: the server's own CPU, memory and process limits apply to every workspace",
  waitFor: 'is ignored: a workspace is ready once its checkout is in and onCreate, updateContent and postCreate have run',
  userEnvProbe: "is ignored: the environment comes from containerEnv/remoteEnv and the shell's own rc files",
  updateRemoteUserUID: 'is ignored: there is no host user to match; the checkout belongs to the container user',
  otherPortsAttributes: 'is ignored: ports not listed get the defaults',
  devPort: 'is ignored',
  secrets: 'is ignored: Slipway has no secrets store and prompts for nothing; the variables stay unset',
};

/** A value that asks for nothing (`false`, `null`, `[]`, `{}`, `""`): no warning. */
function asksForNothing(node: JNode | undefined): boolean {
  if (!node) return true;
  if (node.type === 'null' || node.value === false || node.value === '') return true;
  return (node.type === 'array' || node.type === 'object') && (node.children?.length ?? 0) === 0;
}

function devcontainerWarnings(result: ParseResult, text: string): Diagnostic[] {
  const file = result.file ?? 'devcontainer.json';
  const { root } = parseJsonc(text);
  const locate = makeLocator(text);
  const out: Diagnostic[] = [];
  const add = (path: PathSegment[], node: JNode | undefined, message: string) => {
    const pos = node ? locate(node.offset) : START;
    out.push({ message, path: formatPath(path), line: pos.line, column: pos.column, file });
  };
  if (result.spec.image.kind === 'compose') {
    add(
      ['dockerComposeFile'],
      member(root, 'dockerComposeFile')?.keyNode,
      "Docker Compose is not run by Slipway yet: opening this repository fails until it names an `image` or a `build.dockerfile` (the compose service's image or Dockerfile)",
    );
  }
  const extensions = member(member(member(root, 'customizations')?.value, 'vscode')?.value, 'extensions');
  if (extensions?.value?.type === 'array' && (extensions.value.children?.length ?? 0) > 0) {
    add(
      ['customizations', 'vscode', 'extensions'],
      extensions.keyNode,
      `\`customizations.vscode.extensions\` (${extensions.value.children!.length}) are not installed: Slipway has no VS Code in the browser yet (planned)`,
    );
  }
  for (const [key, why] of Object.entries(DEVCONTAINER_IGNORED)) {
    const m = member(root, key);
    if (m && !asksForNothing(m.value)) add([key], m.keyNode, `\`${key}\` ${why}`);
  }
  for (const tool of members(member(root, 'customizations')?.value)) {
    if (tool.key !== 'vscode' && !asksForNothing(tool.value))
      add(['customizations', tool.key], tool.keyNode, `\`customizations.${tool.key}\` is for another tool; Slipway ignores it`);
  }
  const forward = member(root, 'forwardPorts')?.value;
  (forward?.type === 'array' ? (forward.children ?? []) : []).forEach((node, i) => {
    const width = rangeWidth(node.value);
    if (width > LARGE_RANGE_PORTS) add(['forwardPorts', i], node, wideRange(`forwardPorts[${i}]`, node.value as string, width));
  });
  return out;
}

/** Warnings about what Slipway runs differently; none for a file that did not parse. */
export function portabilityWarnings(result: ParseResult, text: string): Diagnostic[] {
  if (result.file === null || result.errors.length > 0) return [];
  return result.format === 'gitpod' ? gitpodWarnings(result, text) : result.format === 'devcontainer' ? devcontainerWarnings(result, text) : [];
}

/** Adds the warnings to a result read from `root` (the repository folder `slipway validate` was given), in position order. */
export async function addPortabilityWarnings(result: ParseResult, root: string): Promise<void> {
  if (result.file === null) return;
  let text: string;
  try {
    text = await readFile(path.join(root, result.file), 'utf8');
  } catch {
    return; // the parser could not read it either, and said so
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  result.warnings.push(...portabilityWarnings(result, text));
  result.warnings.sort((a, b) => a.line - b.line || a.column - b.column);
}
