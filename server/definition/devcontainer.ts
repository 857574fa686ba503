/**
 * devcontainer.json → WorkspaceSpec. The file is JSONC (comments, trailing
 * commas), read through jsonc-parser's tree so each value keeps its offset.
 * Paths (Dockerfile, context, compose files) are relative to the folder of
 * the devcontainer.json and come out relative to the repository root.
 * Lifecycle commands map onto the model's phases (DESIGN §3 table).
 */
import { defaultSpec, type Lifecycle, type ParseResult, type WorkspaceSpec } from './model.js';
import { applyPortsAttributes, readCommand, readEnv, readForwardPorts, type PartsCtx } from './devcontainer-parts.js';
import { expectType, member, members, parseJsonc, valueOf, type JNode } from './jsonc-tree.js';
import { MAX_SYNTAX_ERRORS } from './limits.js';
import { workspaceMountTarget } from './devcontainer-mount.js';
import { imageReferenceRefusal, rememberImagePosition } from './image-policy.js';
import { imageReferenceMessage, isImageReference, repoDirname, repoPathMessage, resolveRepoPath } from './paths.js';
import { closest, formatPath, makeLocator, makeSink, START, type DiagnosticSink, type PathSegment } from './positions.js';
import { substitute, substituteDeep, type SubstitutionContext, type SubstitutionOptions } from './substitute.js';

/** Keys Slipway reads into the model. */
const USED = [
  'image',
  'build',
  'dockerFile',
  'context',
  'dockerComposeFile',
  'service',
  'forwardPorts',
  'portsAttributes',
  'containerEnv',
  'remoteEnv',
  'remoteUser',
  'containerUser',
  'workspaceFolder',
  'mounts',
  'runArgs',
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
  'initializeCommand',
  'customizations',
  'extensions',
  'features',
  'appPort',
  'settings',
];
/** Keys of the devcontainer format kept in `spec.extra` as written, not acted on. */
const KEPT = [
  'name',
  '$schema',
  'workspaceMount',
  'runServices',
  'shutdownAction',
  'overrideCommand',
  'overrideFeatureInstallOrder',
  'hostRequirements',
  'privileged',
  'capAdd',
  'securityOpt',
  'init',
  'waitFor',
  'userEnvProbe',
  'updateRemoteUserUID',
  'otherPortsAttributes',
  'devPort',
  'secrets',
];
const BUILD_KEYS = ['dockerfile', 'context', 'args', 'target', 'options', 'cacheFrom'];

const LIFECYCLE: [string, keyof Lifecycle][] = [
  ['onCreateCommand', 'onCreate'],
  ['updateContentCommand', 'updateContent'],
  ['postCreateCommand', 'postCreate'],
  ['postStartCommand', 'postStart'],
  ['postAttachCommand', 'postAttach'],
];

interface Ctx extends PartsCtx {
  /** Folder of the devcontainer.json, repository-relative. */
  dir: string;
  root: JNode;
  subst: SubstitutionContext;
}

const get = (ctx: Ctx, key: string): JNode | undefined => member(ctx.root, key)?.value;

function keyPos(ctx: Ctx, key: string) {
  const m = member(ctx.root, key);
  return m ? ctx.at(m.keyNode.offset) : START;
}

function readString(ctx: Ctx, node: JNode | undefined, path: PathSegment[]): string | null {
  if (!node || node.type === 'null' || !expectType(ctx, node, path, ['string'])) return null;
  return ctx.sub(String(node.value));
}

/** A path relative to the devcontainer.json folder → repository-relative; errors when it leaves the repository. */
function repoPath(ctx: Ctx, node: JNode, path: PathSegment[], what: string): string | null {
  const written = readString(ctx, node, path);
  if (written === null) return null;
  const resolved = resolveRepoPath(ctx.dir, written);
  if (resolved.ok) return resolved.path;
  ctx.sink.error(path, ctx.at(node.offset), repoPathMessage(formatPath(path), what, written, resolved.reason));
  return null;
}

function readCompose(ctx: Ctx, spec: WorkspaceSpec, node: JNode): void {
  const files: string[] = [];
  if (node.type === 'string') {
    const f = repoPath(ctx, node, ['dockerComposeFile'], 'compose file');
    if (f) files.push(f);
  } else if (expectType(ctx, node, ['dockerComposeFile'], ['string', 'array'], 'a file name or a list of them')) {
    (node.children ?? []).forEach((item, i) => {
      const f = repoPath(ctx, item, ['dockerComposeFile', i], 'compose file');
      if (f) files.push(f);
    });
  }
  const service = readString(ctx, get(ctx, 'service'), ['service']);
  if (service === null && get(ctx, 'service') === undefined) {
    ctx.sink.error(
      ['service'],
      keyPos(ctx, 'dockerComposeFile'),
      '`service` is required with `dockerComposeFile`: name the compose service to open the workspace in',
    );
  }
  for (const key of ['image', 'build', 'dockerFile']) {
    if (get(ctx, key) !== undefined)
      ctx.sink.warn([key], keyPos(ctx, key), `\`${key}\` is ignored because \`dockerComposeFile\` is given; the compose file decides the image`);
  }
  if (get(ctx, 'runArgs') !== undefined)
    ctx.sink.warn(['runArgs'], keyPos(ctx, 'runArgs'), '`runArgs` is ignored with `dockerComposeFile`; set container options in the compose file');
  spec.image = { kind: 'compose', files, service: service ?? '' };
}

function readDockerfile(ctx: Ctx, spec: WorkspaceSpec, build: JNode | undefined): void {
  const buildFile = member(build, 'dockerfile')?.value;
  const legacyFile = get(ctx, 'dockerFile');
  const fileNode = buildFile ?? legacyFile;
  const filePath: PathSegment[] = buildFile ? ['build', 'dockerfile'] : ['dockerFile'];
  const contextNode = member(build, 'context')?.value ?? get(ctx, 'context');
  const contextPath: PathSegment[] = member(build, 'context') ? ['build', 'context'] : ['context'];
  const dockerfile = fileNode ? repoPath(ctx, fileNode, filePath, 'Dockerfile') : null;
  // The devcontainer default context is the folder holding devcontainer.json.
  const context = contextNode ? repoPath(ctx, contextNode, contextPath, 'build context') : ctx.dir;
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(readEnv(ctx, member(build, 'args')?.value, ['build', 'args']))) {
    if (v !== null) args[k] = v;
  }
  const target = readString(ctx, member(build, 'target')?.value, ['build', 'target']);
  spec.image = { kind: 'dockerfile', dockerfile: dockerfile ?? '', context: context ?? ctx.dir, args, target };
  if (fileNode) rememberImagePosition(spec.image, { file: ctx.sink.file, ...ctx.at(fileNode.offset) });
  for (const [key, name] of [
    ['options', 'buildOptions'],
    ['cacheFrom', 'cacheFrom'],
  ] as const) {
    const v = member(build, key)?.value;
    if (v) spec.extra[name] = substituteDeep(valueOf(v), ctx.subst);
  }
}

function readImageSource(ctx: Ctx, spec: WorkspaceSpec): void {
  const build = get(ctx, 'build');
  if (build && expectType(ctx, build, ['build'], ['object'])) {
    for (const m of members(build)) {
      if (BUILD_KEYS.includes(m.key)) continue;
      const guess = closest(m.key, BUILD_KEYS);
      ctx.sink.warn(
        ['build', m.key],
        ctx.at(m.keyNode.offset),
        `unknown key \`${m.key}\` in \`build\`; Slipway ignores it${guess ? ` (did you mean \`${guess}\`?)` : ''}`,
      );
    }
  }
  const buildObj = build?.type === 'object' ? build : undefined;
  for (const [key, instead] of [
    ['dockerFile', 'build.dockerfile'],
    ['context', 'build.context'],
  ] as const) {
    if (get(ctx, key) !== undefined) ctx.sink.warn([key], keyPos(ctx, key), `\`${key}\` is deprecated; write \`${instead}\` (Slipway reads both)`);
  }
  const compose = get(ctx, 'dockerComposeFile');
  if (compose) return readCompose(ctx, spec, compose);
  const hasDockerfile = member(buildObj, 'dockerfile') !== undefined || get(ctx, 'dockerFile') !== undefined;
  const image = get(ctx, 'image');
  if (hasDockerfile) {
    if (image) ctx.sink.warn(['image'], keyPos(ctx, 'image'), '`image` is ignored because a Dockerfile is given');
    return readDockerfile(ctx, spec, buildObj);
  }
  if (buildObj && !image) {
    ctx.sink.error(['build', 'dockerfile'], keyPos(ctx, 'build'), '`build` needs `dockerfile`: the Dockerfile path, relative to this devcontainer.json');
    return;
  }
  if (buildObj) ctx.sink.warn(['build'], keyPos(ctx, 'build'), '`build` has no `dockerfile`, so it is ignored and `image` is used');
  if (image) {
    const ref = readString(ctx, image, ['image']);
    if (ref === null) return;
    if (ref.trim() === '') ctx.sink.error(['image'], ctx.at(image.offset), '`image` is empty; give an image name like `node:20`');
    else if (!ref.includes('${') && !isImageReference(ref.trim())) ctx.sink.error(['image'], ctx.at(image.offset), imageReferenceMessage('image', ref.trim()));
    else if (!ref.includes('${')) {
      // A name still holding `${...}` is judged at resolve time, on the name that is really used.
      const refused = imageReferenceRefusal(ref.trim());
      if (refused) ctx.sink.error(['image'], ctx.at(image.offset), `\`image\`: ${refused}`);
    }
    if (ref.trim() !== '') {
      spec.image = { kind: 'ref', ref: ref.trim() };
      rememberImagePosition(spec.image, { file: ctx.sink.file, ...ctx.at(image.offset) });
    }
    return;
  }
  ctx.sink.warn([], START, 'no `image`, `build.dockerfile` or `dockerComposeFile`: Slipway uses its default workspace image');
}

function readExtensions(ctx: Ctx, spec: WorkspaceSpec): void {
  const out: string[] = [];
  const add = (node: JNode | undefined, path: PathSegment[]) => {
    if (!node || node.type === 'null' || !expectType(ctx, node, path, ['array'])) return;
    (node.children ?? []).forEach((item, i) => {
      if (expectType(ctx, item, [...path, i], ['string'], 'an extension id') && !out.includes(String(item.value))) out.push(String(item.value));
    });
  };
  const customizations = get(ctx, 'customizations');
  if (customizations && expectType(ctx, customizations, ['customizations'], ['object'])) {
    const vscode = member(customizations, 'vscode')?.value;
    if (vscode && expectType(ctx, vscode, ['customizations', 'vscode'], ['object'])) {
      add(member(vscode, 'extensions')?.value, ['customizations', 'vscode', 'extensions']);
    }
    spec.extra['customizations'] = valueOf(customizations);
  }
  add(get(ctx, 'extensions'), ['extensions']);
  spec.extensions = out;
}

function readExtras(ctx: Ctx, spec: WorkspaceSpec): void {
  const subst = ctx.subst;
  for (const key of ['mounts', 'runArgs'] as const) {
    const node = get(ctx, key);
    if (node && expectType(ctx, node, [key], ['array'])) {
      (node.children ?? []).forEach((item, i) => {
        expectType(ctx, item, [key, i], key === 'mounts' ? ['string', 'object'] : ['string'], key === 'mounts' ? 'a mount string or object' : 'text');
      });
      spec.extra[key] = substituteDeep(valueOf(node), subst);
    }
  }
  const features = get(ctx, 'features');
  if (features && expectType(ctx, features, ['features'], ['object'])) {
    spec.extra['features'] = valueOf(features);
    if (members(features).length > 0) {
      ctx.sink.warn(['features'], keyPos(ctx, 'features'), '`features` are kept but not installed by Slipway; install those tools in the Dockerfile for now');
    }
  }
  const init = get(ctx, 'initializeCommand');
  if (init) {
    spec.extra['initializeCommand'] = readCommand(ctx, init, ['initializeCommand']);
    ctx.sink.warn(
      ['initializeCommand'],
      keyPos(ctx, 'initializeCommand'),
      '`initializeCommand` runs on the host in other tools; Slipway never runs host-side commands, so it is ignored',
    );
  }
  if (get(ctx, 'appPort') !== undefined) {
    spec.extra['appPort'] = valueOf(get(ctx, 'appPort'));
    ctx.sink.warn(['appPort'], keyPos(ctx, 'appPort'), '`appPort` is not published by Slipway; list the port in `forwardPorts` to have it proxied');
  }
  for (const key of ['settings', 'extensions'] as const) {
    if (get(ctx, key) === undefined) continue;
    if (key === 'settings') spec.extra['settings'] = valueOf(get(ctx, key));
    ctx.sink.warn([key], keyPos(ctx, key), `top-level \`${key}\` is deprecated; move it to \`customizations.vscode.${key}\` (Slipway reads both)`);
  }
  for (const key of KEPT) {
    const node = get(ctx, key);
    if (node !== undefined) spec.extra[key] = substituteDeep(valueOf(node), subst);
  }
}

function warnUnknownAndDuplicates(ctx: Ctx): void {
  const seen = new Set<string>();
  for (const m of members(ctx.root)) {
    const pos = ctx.at(m.keyNode.offset);
    if (seen.has(m.key)) ctx.sink.warn([m.key], pos, `\`${m.key}\` is given twice; the last one is used`);
    seen.add(m.key);
    if (USED.includes(m.key) || KEPT.includes(m.key)) continue;
    const guess = closest(m.key, [...USED, ...KEPT]);
    ctx.sink.warn([m.key], pos, `unknown key \`${m.key}\` at the top level; Slipway ignores it${guess ? ` (did you mean \`${guess}\`?)` : ''}`);
  }
}

/** The substitution context: a definition's own `workspaceFolder` is where the container has the repository. */
function substitutionContext(root: JNode, options: SubstitutionOptions): SubstitutionContext {
  const base: SubstitutionContext = {
    localEnv: options.localEnv ?? {},
    localWorkspaceFolder: options.localWorkspaceFolder,
    containerWorkspaceFolder: undefined,
  };
  const written = member(root, 'workspaceFolder')?.value;
  let containerFolder: string | undefined;
  if (written?.type === 'string' && String(written.value).trim() !== '') containerFolder = substitute(String(written.value), base);
  // Without a workspaceFolder, the repository is where workspaceMount puts it.
  const mount = member(root, 'workspaceMount')?.value;
  // (warnings come once, from readWorkspaceMount)
  if (containerFolder === undefined && mount?.type === 'string')
    containerFolder = workspaceMountTarget(substitute(String(mount.value), base), () => {}) ?? undefined;
  containerFolder ??= options.containerWorkspaceFolder;
  if (containerFolder === undefined && base.localWorkspaceFolder !== undefined) {
    // The devcontainer default: /workspaces/<name of the local folder>.
    containerFolder = substitute('/workspaces/${localWorkspaceFolderBasename}', base);
  }
  return { ...base, containerWorkspaceFolder: containerFolder };
}

/** `workspaceMount`: its target is where the repository lives (devcontainer-mount.ts). */
function readWorkspaceMount(ctx: Ctx): string | null {
  const node = get(ctx, 'workspaceMount');
  const text = readString(ctx, node, ['workspaceMount']);
  if (text === null || text.trim() === '') return null;
  return workspaceMountTarget(text, (message) => ctx.sink.warn(['workspaceMount'], ctx.at(node!.offset), message));
}

/**
 * Where the repository is checked out and where terminals start: the
 * workspaceMount target, else workspaceFolder, else the spec's default
 * /workspaces/<name of the local folder> (the server passes the repository's
 * name, see serverSubstitution). Unknown (no local folder given): null, and
 * provisioning falls back to its own default.
 */
function readLocations(ctx: Ctx, spec: WorkspaceSpec): void {
  const mount = readWorkspaceMount(ctx);
  const folderNode = get(ctx, 'workspaceFolder');
  let folder = readString(ctx, folderNode, ['workspaceFolder']);
  if (folder !== null && folder.trim() === '') folder = null;
  if (folder !== null && !folder.startsWith('/') && !folder.includes('${')) {
    ctx.sink.warn(
      ['workspaceFolder'],
      ctx.at(folderNode?.offset ?? 0),
      `\`workspaceFolder\` should be an absolute path in the container, got ${JSON.stringify(folder)}`,
    );
  }
  const fallback =
    ctx.subst.localWorkspaceFolder !== undefined && ctx.subst.containerWorkspaceFolder?.startsWith('/') ? ctx.subst.containerWorkspaceFolder : null;
  spec.checkoutLocation = mount ?? folder ?? fallback;
  spec.workspaceLocation = folder ?? spec.checkoutLocation;
}

function readSpec(ctx: Ctx): WorkspaceSpec {
  const spec = defaultSpec();
  readImageSource(ctx, spec);
  for (const [key, phase] of LIFECYCLE) spec.lifecycle[phase] = readCommand(ctx, get(ctx, key), [key]);
  spec.ports = readForwardPorts(ctx, get(ctx, 'forwardPorts'));
  applyPortsAttributes(ctx, get(ctx, 'portsAttributes'), spec.ports);
  // remoteEnv applies on top of containerEnv; a null remoteEnv value unsets the variable.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(readEnv(ctx, get(ctx, 'containerEnv'), ['containerEnv']))) if (v !== null) env[k] = v;
  for (const [k, v] of Object.entries(readEnv(ctx, get(ctx, 'remoteEnv'), ['remoteEnv']))) {
    if (v === null) delete env[k];
    else env[k] = v;
  }
  spec.env = env;
  spec.user = readString(ctx, get(ctx, 'remoteUser'), ['remoteUser']) ?? readString(ctx, get(ctx, 'containerUser'), ['containerUser']);
  readLocations(ctx, spec);
  readExtensions(ctx, spec);
  readExtras(ctx, spec);
  return spec;
}

function result(sink: DiagnosticSink, spec: WorkspaceSpec): ParseResult {
  return { format: 'devcontainer', file: sink.file, spec, errors: sink.errors, warnings: sink.warnings };
}

/** Parses devcontainer.json text (already size-checked and decoded); `file` is repository-relative. */
export function parseDevcontainer(file: string, text: string, options: SubstitutionOptions = {}): ParseResult {
  const sink = makeSink(file);
  const locate = makeLocator(text);
  const { root, errors } = parseJsonc(text);
  if (errors.length > 0) {
    for (const e of errors.slice(0, MAX_SYNTAX_ERRORS)) sink.error([], locate(e.offset), e.message);
    return result(sink, defaultSpec());
  }
  if (!root) {
    sink.warn([], START, 'the file is empty; Slipway uses the default image with no lifecycle commands');
    return result(sink, defaultSpec());
  }
  if (root.type !== 'object') {
    sink.error([], locate(root.offset), 'the file must be one JSON object like `{ "image": "node:20" }`');
    return result(sink, defaultSpec());
  }
  const subst = substitutionContext(root, options);
  const ctx: Ctx = {
    sink,
    at: locate,
    sub: (t) => substitute(t, subst),
    dir: repoDirname(file),
    root,
    subst,
  };
  warnUnknownAndDuplicates(ctx);
  return result(sink, readSpec(ctx));
}
