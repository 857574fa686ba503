/**
 * `.gitpod.yml` → WorkspaceSpec. The YAML is parsed with positions kept,
 * checked against schema/gitpod.schema.json (unknown keys → warnings, wrong
 * types → errors), then read into the model; checks the schema cannot express
 * (port ranges, paths that leave the repository, image names) are made here.
 * Task semantics follow the original format (DESIGN §3).
 */
import { parseDocument, type Document } from 'yaml';
import { defaultSpec, type ParseResult, type PortSpec, type TaskSpec, type WorkspaceSpec } from './model.js';
import { MAX_SYNTAX_ERRORS, MAX_YAML_ALIASES } from './limits.js';
import { imageReferenceRefusal, rememberImagePosition } from './image-policy.js';
import { imageReferenceMessage, isImageReference, repoPathMessage, resolveRepoPath } from './paths.js';
import { defaultPort, parsePort } from './ports.js';
import { formatPath, makeLocator, makeSink, START, type DiagnosticSink, type PathSegment, type Position } from './positions.js';
import { checkGitpodSchema } from './schema-check.js';
import { firstAlias, positionOf } from './yaml-nodes.js';

type Rec = Record<string, unknown>;

const isRecord = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Keys kept as-is in `spec.extra`: understood, but not acted on by Slipway (yet). */
const KEPT_KEYS = ['github', 'jetbrains', 'coreDump', 'additionalRepositories', 'mainConfiguration', 'experimentalNetwork'];

/** Scalars written where text is expected (`PORT: 3000`, `DEBUG: true`) become text, as a shell would see them. */
function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

interface Ctx {
  sink: DiagnosticSink;
  at: (path: readonly PathSegment[], onKey?: boolean) => Position;
}

function error(ctx: Ctx, path: PathSegment[], message: string): void {
  ctx.sink.error(path, ctx.at(path), message);
}

function warn(ctx: Ctx, path: PathSegment[], message: string, onKey = false): void {
  ctx.sink.warn(path, ctx.at(path, onKey), message);
}

function readImage(ctx: Ctx, value: unknown, spec: WorkspaceSpec): void {
  if (typeof value === 'string') {
    const ref = value.trim();
    if (ref === '') error(ctx, ['image'], '`image` is empty; give an image name like `node:20`, or `file:` with a Dockerfile');
    else if (!isImageReference(ref)) error(ctx, ['image'], imageReferenceMessage('image', ref));
    else {
      const refused = imageReferenceRefusal(ref);
      if (refused) error(ctx, ['image'], `\`image\`: ${refused}`);
    }
    // Kept even when invalid, so that tools showing the spec show what was written.
    if (ref !== '') {
      spec.image = { kind: 'ref', ref };
      rememberImagePosition(spec.image, { file: ctx.sink.file, ...ctx.at(['image']) });
    }
    return;
  }
  if (!isRecord(value) || typeof value['file'] !== 'string') return; // the schema reported it
  // Gitpod reads image.file and image.context from the repository root, not from the .gitpod.yml folder.
  const file = resolveRepoPath('.', value['file']);
  if (!file.ok) error(ctx, ['image', 'file'], repoPathMessage('image.file', 'Dockerfile', value['file'], file.reason));
  let context = '.';
  if (typeof value['context'] === 'string') {
    const resolved = resolveRepoPath('.', value['context']);
    if (resolved.ok) context = resolved.path;
    else error(ctx, ['image', 'context'], repoPathMessage('image.context', 'build context', value['context'], resolved.reason));
  }
  spec.image = { kind: 'dockerfile', dockerfile: file.ok ? file.path : value['file'], context, args: {}, target: null };
  rememberImagePosition(spec.image, { file: ctx.sink.file, ...ctx.at(['image', 'file']) });
}

function readTask(ctx: Ctx, value: unknown, i: number): TaskSpec | null {
  if (!isRecord(value)) return null;
  let init = str(value['init']);
  const prebuild = str(value['prebuild']);
  if (value['prebuild'] !== undefined) {
    warn(ctx, ['tasks', i, 'prebuild'], `\`tasks[${i}].prebuild\` is deprecated; Slipway runs it like \`init\` (after it), so rename it to \`init\``, true);
  }
  // The old `prebuild` ran after `init` in a prebuild; keep that order.
  if (prebuild !== null) init = init === null ? prebuild : `${init}\n${prebuild}`;
  const task: TaskSpec = {
    name: str(value['name']),
    before: str(value['before']),
    init,
    command: str(value['command']),
    env: stringMap(value['env']),
    openMode: str(value['openMode']),
    openIn: str(value['openIn']),
  };
  if (task.before === null && task.init === null && task.command === null) {
    warn(ctx, ['tasks', i], `\`tasks[${i}]\` has no \`before\`, \`init\` or \`command\`; it only opens a shell`);
  }
  return task;
}

function readPort(ctx: Ctx, value: unknown, i: number): PortSpec | null {
  if (!isRecord(value) || value['port'] === undefined) return null; // the schema reported it
  const where = formatPath(['ports', i, 'port']);
  const parsed = parsePort(value['port'], where);
  if (!parsed.ok) {
    // Non-integer numbers and other types are already type errors from the schema.
    const reported = typeof value['port'] !== 'string' && !(typeof value['port'] === 'number' && Number.isInteger(value['port']));
    if (!reported) error(ctx, ['ports', i, 'port'], parsed.message);
    return null;
  }
  const port = defaultPort(parsed.port, parsed.endPort);
  port.onOpen = str(value['onOpen']) ?? port.onOpen;
  if (value['visibility'] === 'public' || value['visibility'] === 'private') port.visibility = value['visibility'];
  port.name = str(value['name']);
  port.description = str(value['description']);
  port.protocol = str(value['protocol']) ?? port.protocol;
  return port;
}

function readLocation(ctx: Ctx, key: 'checkoutLocation' | 'workspaceLocation', value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // Both are folders under /workspace: one that leaves it would put the checkout anywhere in the container.
  const resolved = resolveRepoPath('.', value);
  if (resolved.ok) return resolved.path;
  const why =
    resolved.reason === 'empty'
      ? `\`${key}\` is empty; remove it or give a folder under /workspace`
      : `\`${key}\` must be a folder under /workspace, relative to it, got ${JSON.stringify(value)}`;
  error(ctx, [key], why);
  return null;
}

function readSpec(ctx: Ctx, data: Rec): WorkspaceSpec {
  const spec = defaultSpec();
  if (data['image'] !== undefined) readImage(ctx, data['image'], spec);
  if (Array.isArray(data['tasks'])) {
    data['tasks'].forEach((t, i) => {
      const task = readTask(ctx, t, i);
      if (task) spec.tasks.push(task);
    });
  }
  if (Array.isArray(data['ports'])) {
    const seen = new Map<string, number>();
    data['ports'].forEach((p, i) => {
      const port = readPort(ctx, p, i);
      if (!port) return;
      const id = port.endPort === null ? String(port.port) : `${port.port}-${port.endPort}`;
      const first = seen.get(id);
      if (first !== undefined) warn(ctx, ['ports', i, 'port'], `port ${id} is declared twice (first in \`ports[${first}]\`); remove one of them`);
      else seen.set(id, i);
      spec.ports.push(port);
    });
  }
  spec.env = stringMap(data['env']);
  spec.checkoutLocation = readLocation(ctx, 'checkoutLocation', data['checkoutLocation']);
  spec.workspaceLocation = readLocation(ctx, 'workspaceLocation', data['workspaceLocation']);
  spec.gitConfig = stringMap(data['gitConfig']);
  const vscode = data['vscode'];
  if (isRecord(vscode) && Array.isArray(vscode['extensions'])) {
    spec.extensions = vscode['extensions'].filter((e): e is string => typeof e === 'string');
  }
  for (const key of KEPT_KEYS) {
    if (data[key] !== undefined) spec.extra[key] = data[key];
  }
  if (data['additionalRepositories'] !== undefined) {
    warn(ctx, ['additionalRepositories'], '`additionalRepositories` is kept but not cloned by Slipway yet; clone them in a task', true);
  }
  if (data['mainConfiguration'] !== undefined) {
    warn(ctx, ['mainConfiguration'], '`mainConfiguration` is kept but not followed by Slipway; this file is used as it is', true);
  }
  return spec;
}

/**
 * A hint for the most common YAML mistake in definitions: a shell command
 * written as a plain value that starts with a YAML indicator (`[ -x f ] && …`
 * is read as a list, `&x` as an anchor, `*x` as an alias).
 */
function syntaxHint(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const line = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const m = /^\s*(?:-\s+)?([\w.-]+):\s+([[{&*!%@`])/.exec(line);
  if (!m) return '';
  const [, key, first] = m;
  return `; the value of \`${key}\` starts with \`${first}\`, which YAML reads as syntax: put the command in quotes, or write \`${key}: |\` and the command on the next line`;
}

/** Strips the code frame `yaml` appends to some messages; the position is reported separately. */
function cleanYamlMessage(message: string): string {
  return message
    .split(/ at line \d+, column \d+/)[0]!
    .split('\n')[0]!
    .trim();
}

function result(sink: DiagnosticSink, spec: WorkspaceSpec): ParseResult {
  return { format: 'gitpod', file: sink.file, spec, errors: sink.errors, warnings: sink.warnings };
}

/** Parses `.gitpod.yml` text (already size-checked and decoded). */
export function parseGitpod(file: string, text: string): ParseResult {
  const sink = makeSink(file);
  const locate = makeLocator(text);
  const doc: Document = parseDocument(text, { prettyErrors: false, merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    let hinted = false;
    for (const err of doc.errors.slice(0, MAX_SYNTAX_ERRORS)) {
      const hint: string = hinted ? '' : syntaxHint(text, err.pos[0]);
      hinted ||= hint !== '';
      sink.error([], locate(err.pos[0]), `YAML syntax error: ${cleanYamlMessage(err.message)}${hint}`);
    }
    return result(sink, defaultSpec());
  }
  for (const w of doc.warnings) sink.warn([], locate(w.pos[0]), `YAML: ${cleanYamlMessage(w.message)}`);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    const alias = firstAlias(doc, locate);
    const excessive = err instanceof ReferenceError && /alias/i.test(err.message);
    sink.error(
      [],
      alias?.position ?? START,
      excessive
        ? `YAML aliases (like \`*${alias?.name ?? ''}\`) expand to too much data; Slipway refuses files whose aliases expand more than ${MAX_YAML_ALIASES} times`
        : `the YAML could not be read: ${err instanceof Error ? err.message : String(err)}`,
    );
    return result(sink, defaultSpec());
  }
  if (data === null || data === undefined) {
    sink.warn([], START, 'the file is empty; Slipway uses the default image with no tasks');
    return result(sink, defaultSpec());
  }

  const ctx: Ctx = { sink, at: (path, onKey = false) => positionOf(doc, locate, path, onKey) };
  for (const issue of checkGitpodSchema(data)) {
    const pos = ctx.at(issue.path, issue.onKey);
    if (issue.severity === 'error') sink.error(issue.path, pos, issue.message);
    else sink.warn(issue.path, pos, issue.message);
  }
  const spec = isRecord(data) ? readSpec(ctx, data) : defaultSpec();
  return result(sink, spec);
}
