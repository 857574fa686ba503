/**
 * devcontainer.json: image sources and paths, lifecycle forms, ports and
 * their attributes, env merging, users, and diagnostics with positions.
 */
import { describe, expect, it } from 'vitest';
import { parseDefinition, type Diagnostic, type ParseResult } from '../../../server/definition/index.js';

const FILE = '.devcontainer/devcontainer.json';
const parse = (text: string, file = FILE): ParseResult => parseDefinition(file, text, { localWorkspaceFolder: '/home/me/proj' });

function ok(text: string, file = FILE): ParseResult {
  const r = parse(text, file);
  expect(r.errors).toEqual([]);
  return r;
}

const brief = (d: Diagnostic) => ({ path: d.path, line: d.line, column: d.column });
const json = (value: unknown) => JSON.stringify(value, null, 2);

describe('devcontainer.json: image source', () => {
  it.each([
    [FILE, { image: 'mcr.microsoft.com/devcontainers/base:jammy' }, { kind: 'ref', ref: 'mcr.microsoft.com/devcontainers/base:jammy' }],
    [
      FILE,
      { build: { dockerfile: 'Dockerfile' } },
      { kind: 'dockerfile', dockerfile: '.devcontainer/Dockerfile', context: '.devcontainer', args: {}, target: null },
    ],
    [
      FILE,
      { build: { dockerfile: 'Dockerfile', context: '..' } },
      { kind: 'dockerfile', dockerfile: '.devcontainer/Dockerfile', context: '.', args: {}, target: null },
    ],
    [
      FILE,
      { build: { dockerfile: '../docker/dev.Dockerfile', context: '../docker' } },
      { kind: 'dockerfile', dockerfile: 'docker/dev.Dockerfile', context: 'docker', args: {}, target: null },
    ],
    [
      FILE,
      { build: { dockerfile: 'D', args: { A: 'x', N: 3, B: true }, target: 'dev' } },
      { kind: 'dockerfile', dockerfile: '.devcontainer/D', context: '.devcontainer', args: { A: 'x', N: '3', B: 'true' }, target: 'dev' },
    ],
    ['.devcontainer.json', { build: { dockerfile: 'Dockerfile' } }, { kind: 'dockerfile', dockerfile: 'Dockerfile', context: '.', args: {}, target: null }],
    [
      '.devcontainer/py/devcontainer.json',
      { build: { dockerfile: '../Dockerfile', context: '../..' } },
      { kind: 'dockerfile', dockerfile: '.devcontainer/Dockerfile', context: '.', args: {}, target: null },
    ],
    [FILE, { dockerFile: 'Dockerfile', context: '..' }, { kind: 'dockerfile', dockerfile: '.devcontainer/Dockerfile', context: '.', args: {}, target: null }],
    [FILE, { dockerComposeFile: 'docker-compose.yml', service: 'app' }, { kind: 'compose', files: ['.devcontainer/docker-compose.yml'], service: 'app' }],
    [
      FILE,
      { dockerComposeFile: ['../docker-compose.yml', 'docker-compose.dev.yml'], service: 'web' },
      { kind: 'compose', files: ['docker-compose.yml', '.devcontainer/docker-compose.dev.yml'], service: 'web' },
    ],
  ])('%s %j', (file, doc, image) => {
    expect(ok(json(doc), file).spec.image).toEqual(image);
  });

  it('gives the default image (with a warning) when there is no image, build or compose file', () => {
    const r = ok('{ "postCreateCommand": "make" }');
    expect(r.spec.image).toEqual({ kind: 'default' });
    expect(r.warnings.map((w) => w.message)).toEqual(['no `image`, `build.dockerfile` or `dockerComposeFile`: Slipway uses its default workspace image']);
  });

  it('uses the Dockerfile and warns when image is given too', () => {
    const r = ok('{\n  "image": "node:20",\n  "build": { "dockerfile": "Dockerfile" }\n}');
    expect(r.spec.image.kind).toBe('dockerfile');
    expect(r.warnings.map(brief)).toEqual([{ path: 'image', line: 2, column: 3 }]);
  });

  it('warns about deprecated dockerFile and context, and about unknown build keys', () => {
    const r = ok('{\n  "dockerFile": "D",\n  "context": "..",\n  "build": { "target": "t", "cacheFrom": "x", "dockerFIle": "E" }\n}');
    expect(r.warnings.map((w) => [w.path, w.line, w.column])).toEqual([
      ['dockerFile', 2, 3],
      ['context', 3, 3],
      ['build.dockerFIle', 4, 47],
    ]);
    expect(r.warnings[2]!.message).toBe('unknown key `dockerFIle` in `build`; Slipway ignores it (did you mean `dockerfile`?)');
    expect(r.spec.image).toEqual({ kind: 'dockerfile', dockerfile: '.devcontainer/D', context: '.', args: {}, target: 't' });
    expect(r.spec.extra['cacheFrom']).toBe('x');
  });

  it('warns, for compose, that image/build/runArgs are ignored', () => {
    const r = ok('{\n  "dockerComposeFile": "c.yml",\n  "service": "s",\n  "image": "x",\n  "runArgs": ["--init"]\n}');
    expect(r.warnings.map(brief)).toEqual([
      { path: 'image', line: 4, column: 3 },
      { path: 'runArgs', line: 5, column: 3 },
    ]);
  });

  it.each([
    [
      '{\n  "build": { "dockerfile": "../../Dockerfile" }\n}',
      'build.dockerfile',
      2,
      28,
      /`build.dockerfile` points outside the repository \("..\/..\/Dockerfile"\); the Dockerfile must be inside it/,
    ],
    ['{\n  "build": { "dockerfile": "/srv/Dockerfile" }\n}', 'build.dockerfile', 2, 28, /absolute path "\/srv\/Dockerfile"/],
    ['{\n  "build": { "dockerfile": "D", "context": "../.." }\n}', 'build.context', 2, 44, /`build.context` points outside the repository/],
    ['{\n  "build": { "dockerfile": "D", "context": "/" }\n}', 'build.context', 2, 44, /absolute path/],
    ['{\n  "dockerFile": "C:\\\\Docker\\\\Dockerfile"\n}', 'dockerFile', 2, 17, /absolute path/],
    ['{\n  "dockerComposeFile": ["ok.yml", "../../x.yml"],\n  "service": "a"\n}', 'dockerComposeFile[1]', 2, 35, /points outside the repository/],
    ['{\n  "dockerComposeFile": "c.yml"\n}', 'service', 2, 3, /`service` is required with `dockerComposeFile`/],
    ['{\n  "build": { "context": "." }\n}', 'build.dockerfile', 2, 3, /`build` needs `dockerfile`/],
    ['{\n  "image": 7\n}', 'image', 2, 12, /`image` must be text, got the number 7/],
    ['{\n  "image": "Ubuntu"\n}', 'image', 2, 12, /lowercase/],
    ['{\n  "build": "Dockerfile"\n}', 'build', 2, 12, /`build` must be an object/],
    ['{\n  "build": { "dockerfile": "D", "args": { "A": [1] } }\n}', 'build.args.A', 2, 48, /`build.args.A` must be text/],
    ['{\n  "dockerComposeFile": 5, "service": "a"\n}', 'dockerComposeFile', 2, 24, /a file name or a list of them/],
  ])('%j → error at %s %i:%i', (text, path, line, column, message) => {
    const r = parse(text);
    expect(r.errors.map(brief)).toEqual([{ path, line, column }]);
    expect(r.errors[0]!.message).toMatch(message);
    expect(r.errors[0]!.file).toBe(FILE);
  });
});

describe('devcontainer.json: lifecycle commands', () => {
  it.each([
    ['"npm ci"', 'npm ci'],
    ['["npm", "ci"]', ['npm', 'ci']],
    ['{ "a": "npm ci", "b": ["make", "-j4"] }', { a: 'npm ci', b: ['make', '-j4'] }],
    ['""', null],
    ['[]', null],
    ['{}', null],
    ['null', null],
  ])('%s → %j, for every hook', (value, expected) => {
    const hooks = ['onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand', 'postAttachCommand'];
    const r = ok(`{ "image": "x", ${hooks.map((h) => `"${h}": ${value}`).join(', ')} }`);
    expect(r.spec.lifecycle).toEqual({ onCreate: expected, updateContent: expected, postCreate: expected, postStart: expected, postAttach: expected });
  });

  it('maps each hook to its phase', () => {
    const r = ok(
      '{ "image": "x", "onCreateCommand": "1", "updateContentCommand": "2", "postCreateCommand": "3", "postStartCommand": "4", "postAttachCommand": "5" }',
    );
    expect(r.spec.lifecycle).toEqual({ onCreate: '1', updateContent: '2', postCreate: '3', postStart: '4', postAttach: '5' });
    expect(r.spec.tasks).toEqual([]);
  });

  it.each([
    [
      '"postCreateCommand": 5',
      'postCreateCommand',
      24,
      '`postCreateCommand` must be a command: text, a list of arguments, or an object of named commands, got the number 5',
    ],
    ['"postCreateCommand": ["a", 1]', 'postCreateCommand[1]', 30, '`postCreateCommand[1]` must be text (one argument), got the number 1'],
    ['"postStartCommand": { "x": true }', 'postStartCommand.x', 30, '`postStartCommand.x` must be text or a list of arguments, got the boolean true'],
    ['"postStartCommand": { "x": ["a", {}] }', 'postStartCommand.x[1]', 36, '`postStartCommand.x[1]` must be text (one argument), got a mapping'],
  ])('%s → error at %s', (member, path, column, message) => {
    const r = parse(`{\n  "image": "x",\n  ${member}\n}`);
    expect(r.errors).toEqual([{ path, line: 3, column, message, file: FILE }]);
  });

  it('keeps initializeCommand in extra, never as a lifecycle phase, with a warning', () => {
    const r = ok('{\n  "image": "x",\n  "initializeCommand": ["echo", "${localWorkspaceFolderBasename}"]\n}');
    expect(r.spec.extra['initializeCommand']).toEqual(['echo', 'proj']);
    expect(Object.values(r.spec.lifecycle)).toEqual([null, null, null, null, null]);
    expect(r.warnings.map(brief)).toEqual([{ path: 'initializeCommand', line: 3, column: 3 }]);
    expect(r.warnings[0]!.message).toMatch(/host-side commands/);
  });
});

describe('devcontainer.json: ports', () => {
  const p = (port: number, extra: Record<string, unknown> = {}) => ({
    port,
    endPort: null,
    onOpen: 'notify',
    visibility: 'private',
    name: null,
    description: null,
    protocol: 'http',
    ...extra,
  });

  it('reads forwardPorts numbers with defaults', () => {
    expect(ok('{ "image": "x", "forwardPorts": [3000, 5432] }').spec.ports).toEqual([p(3000), p(5432)]);
  });

  it('keeps the port of "host:port" and warns that the host is ignored', () => {
    const r = ok('{\n  "image": "x",\n  "forwardPorts": [3000, "db:5432"]\n}');
    expect(r.spec.ports).toEqual([p(3000), p(5432)]);
    expect(r.warnings.map(brief)).toEqual([{ path: 'forwardPorts[1]', line: 3, column: 26 }]);
    expect(r.warnings[0]!.message).toBe(
      '`forwardPorts[1]` names the host `db`; Slipway ignores the host part and proxies port 5432 of the workspace container',
    );
  });

  it.each([
    ['0', '`forwardPorts[0]` must be a number from 1 to 65535 or a range like 3000-3010, got 0'],
    ['70000', '`forwardPorts[0]` must be a number from 1 to 65535 or a range like 3000-3010, got 70000'],
    ['"db:99999"', '`forwardPorts[0]` must be a number from 1 to 65535 or a range like 3000-3010, got 99999'],
    ['"9-1"', '`forwardPorts[0]` range "9-1" ends before it starts; write 1-9'],
    ['{}', '`forwardPorts[0]` must be a port number or "host:port", got a mapping'],
    ['"web"', '`forwardPorts[0]` must be a number from 1 to 65535 or a range like 3000-3010, got "web"'],
  ])('forwardPorts [%s] is an error at the element', (value, message) => {
    const r = parse(`{\n  "image": "x",\n  "forwardPorts": [${value}]\n}`);
    expect(r.errors).toEqual([{ path: 'forwardPorts[0]', line: 3, column: 20, message, file: FILE }]);
  });

  it.each([
    ['openBrowser', 'open-browser'],
    ['openBrowserOnce', 'open-browser'],
    ['openPreview', 'open-preview'],
    ['notify', 'notify'],
    ['silent', 'silent'],
    ['ignore', 'ignore'],
  ])('onAutoForward %s → onOpen %s', (onAutoForward, onOpen) => {
    const r = ok(json({ image: 'x', forwardPorts: [8080], portsAttributes: { '8080': { label: 'App', onAutoForward, protocol: 'https' } } }));
    expect(r.spec.ports).toEqual([p(8080, { name: 'App', onOpen, protocol: 'https' })]);
  });

  it('declares ports that only have attributes, and applies range keys to forwarded ports in the range', () => {
    const r = ok(
      json({
        image: 'x',
        forwardPorts: [3000, 3001, 9000],
        portsAttributes: { '3000-3005': { label: 'dev' }, '9229': { onAutoForward: 'ignore' }, '4000-4010': { label: 'pool' } },
      }),
    );
    expect(r.spec.ports).toEqual([
      p(3000, { name: 'dev' }),
      p(3001, { name: 'dev' }),
      p(9000),
      p(9229, { onOpen: 'ignore' }),
      { ...p(4000, { name: 'pool' }), endPort: 4010 },
    ]);
  });

  it('warns about non-port keys and unknown attributes, errors on bad values; wide ranges are accepted', () => {
    const text = [
      '{',
      '  "image": "x",',
      '  "portsAttributes": {',
      '    ".+\\\\.js": { "label": "node" },',
      '    "1-5000": { "label": "all" },',
      '    "80": { "lable": "web", "onAutoForward": "popup" }',
      '  }',
      '}',
    ].join('\n');
    const r = parse(text);
    expect(r.warnings.map(brief)).toEqual([
      { path: 'portsAttributes[".+\\\\.js"]', line: 4, column: 5 },
      { path: 'portsAttributes["80"].lable', line: 6, column: 13 },
    ]);
    expect(r.warnings[1]!.message).toMatch(/did you mean `label`/);
    expect(r.errors.map(brief)).toEqual([{ path: 'portsAttributes["80"].onAutoForward', line: 6, column: 46 }]);
    expect(r.errors[0]!.message).toBe(
      '`portsAttributes["80"].onAutoForward` must be one of openBrowser, openBrowserOnce, openPreview, notify, silent, ignore; got the string "popup"',
    );
  });
});

describe('devcontainer.json: env, user, folders, extensions, extra', () => {
  it('merges containerEnv and remoteEnv; remoteEnv wins; null unsets; scalars become text', () => {
    const r = ok(json({ image: 'x', containerEnv: { A: 'c', B: 'c', C: 'c', N: 1 }, remoteEnv: { B: 'r', C: null, D: true } }));
    expect(r.spec.env).toEqual({ A: 'c', B: 'r', N: '1', D: 'true' });
  });

  it.each([
    [{}, null],
    [{ containerUser: 'app' }, 'app'],
    [{ remoteUser: 'vscode' }, 'vscode'],
    [{ remoteUser: 'vscode', containerUser: 'root' }, 'vscode'],
  ])('user of %j is %j', (users, user) => {
    expect(ok(json({ image: 'x', ...users })).spec.user).toBe(user);
  });

  it('uses workspaceFolder for both locations, as given', () => {
    const r = ok(json({ image: 'x', workspaceFolder: '/workspaces/${localWorkspaceFolderBasename}/sub' }));
    expect([r.spec.checkoutLocation, r.spec.workspaceLocation]).toEqual(['/workspaces/proj/sub', '/workspaces/proj/sub']);
    // The spec's default: /workspaces/<name of the local folder>.
    const plain = ok(json({ image: 'x', postCreateCommand: 'cd ${containerWorkspaceFolder}' })).spec;
    expect([plain.checkoutLocation, plain.workspaceLocation, plain.lifecycle.postCreate]).toEqual([
      '/workspaces/proj',
      '/workspaces/proj',
      'cd /workspaces/proj',
    ]);
    expect(parseDefinition(FILE, json({ image: 'x' })).spec.checkoutLocation).toBeNull();
  });

  it('workspaceMount: its target is the checkout (and ${containerWorkspaceFolder}); a source is ignored with a warning', () => {
    const r = parse(
      '{\n  "image": "x",\n  "workspaceMount": "source=${localWorkspaceFolder},target=/src/${localWorkspaceFolderBasename},type=bind,consistency=cached",\n  "postStartCommand": "echo ${containerWorkspaceFolderBasename}"\n}',
    );
    expect(r.errors).toEqual([]);
    expect([r.spec.checkoutLocation, r.spec.workspaceLocation, r.spec.lifecycle.postStart]).toEqual(['/src/proj', '/src/proj', 'echo proj']);
    expect(r.warnings.map((w) => [w.path, w.line, w.message])).toEqual([
      ['workspaceMount', 3, expect.stringContaining('"/home/me/proj" is ignored and the repository is checked out into /src/proj')],
    ]);
    const both = ok(json({ image: 'x', workspaceMount: 'target=/repo,type=bind', workspaceFolder: '/repo/web' })).spec;
    expect([both.checkoutLocation, both.workspaceLocation]).toEqual(['/repo', '/repo/web']);
    const bad = parse(json({ image: 'x', workspaceMount: 'type=volume,source=v' }));
    expect(bad.spec.checkoutLocation).toBe('/workspaces/proj');
    expect(bad.warnings.map((w) => w.message)).toEqual([expect.stringContaining('no absolute `target=`')]);
  });

  it('warns about a relative workspaceFolder', () => {
    const r = ok('{\n  "image": "x",\n  "workspaceFolder": "src"\n}');
    expect(r.warnings.map(brief)).toEqual([{ path: 'workspaceFolder', line: 3, column: 22 }]);
  });

  it('merges customizations.vscode.extensions and the legacy top-level list, without duplicates', () => {
    const r = ok(json({ image: 'x', customizations: { vscode: { extensions: ['a.b', 'c.d'] }, jetbrains: {} }, extensions: ['c.d', 'e.f'] }));
    expect(r.spec.extensions).toEqual(['a.b', 'c.d', 'e.f']);
    expect(r.spec.extra['customizations']).toEqual({ vscode: { extensions: ['a.b', 'c.d'] }, jetbrains: {} });
    expect(r.warnings.map((w) => w.path)).toEqual(['extensions']);
  });

  it('keeps features (warning only when there are some), mounts, runArgs and known keys in extra', () => {
    const r = ok(
      json({
        name: 'n',
        image: 'x',
        features: { 'ghcr.io/devcontainers/features/go:1': { version: '1.22' } },
        mounts: ['source=${localEnv:HOME}/.aws,target=/aws,type=bind', { type: 'volume', target: '/cache' }],
        runArgs: ['--cap-add=SYS_PTRACE'],
        hostRequirements: { cpus: 4 },
        shutdownAction: 'none',
        overrideCommand: false,
        privileged: true,
      }),
    );
    expect(r.spec.extra).toEqual({
      features: { 'ghcr.io/devcontainers/features/go:1': { version: '1.22' } },
      mounts: ['source=/.aws,target=/aws,type=bind', { type: 'volume', target: '/cache' }],
      runArgs: ['--cap-add=SYS_PTRACE'],
      name: 'n',
      hostRequirements: { cpus: 4 },
      shutdownAction: 'none',
      overrideCommand: false,
      privileged: true,
    });
    expect(r.warnings.map((w) => w.path)).toEqual(['features']);
    expect(ok(json({ image: 'x', features: {} })).warnings).toEqual([]);
  });

  it.each([
    ['"containerEnv": ["A=1"]', 'containerEnv', 19, /`containerEnv` must be an object of NAME: "value", got a list/],
    ['"remoteEnv": { "A": { "x": 1 } }', 'remoteEnv.A', 23, /`remoteEnv.A` must be text, got a mapping/],
    ['"remoteUser": 1000', 'remoteUser', 17, /`remoteUser` must be text, got the number 1000/],
    ['"mounts": "a,b"', 'mounts', 13, /`mounts` must be a list/],
    ['"mounts": [1]', 'mounts[0]', 14, /a mount string or object/],
    ['"runArgs": [true]', 'runArgs[0]', 15, /`runArgs\[0\]` must be text/],
    ['"extensions": [1]', 'extensions[0]', 18, /must be an extension id/],
    ['"customizations": { "vscode": { "extensions": "a.b" } }', 'customizations.vscode.extensions', 49, /must be a list/],
    ['"features": []', 'features', 15, /`features` must be an object/],
    ['"workspaceFolder": 1', 'workspaceFolder', 22, /must be text/],
  ])('%s → error at %s', (member, path, column, message) => {
    const r = parse(`{\n  "image": "x",\n  ${member}\n}`);
    expect(r.errors.map(brief)).toEqual([{ path, line: 3, column }]);
    expect(r.errors[0]!.message).toMatch(message);
  });

  it('warns about unknown and duplicate top-level keys at the key', () => {
    const r = ok('{\n  "image": "x",\n  "postCreateComand": "make",\n  "image": "y",\n  "frobnicate": 1\n}');
    expect(r.warnings.map((w) => [w.path, w.line, w.column, w.message])).toEqual([
      ['postCreateComand', 3, 3, 'unknown key `postCreateComand` at the top level; Slipway ignores it (did you mean `postCreateCommand`?)'],
      ['image', 4, 3, '`image` is given twice; the last one is used'],
      ['frobnicate', 5, 3, 'unknown key `frobnicate` at the top level; Slipway ignores it'],
    ]);
    expect(r.spec.image).toEqual({ kind: 'ref', ref: 'y' });
  });
});

describe('devcontainer.json: JSONC itself', () => {
  it('accepts comments, trailing commas, CRLF and a BOM', () => {
    const text = '\uFEFF// c\r\n{\r\n  /* block */ "image": "node:20", // end\r\n  "forwardPorts": [3000,],\r\n  "oops": 1,\r\n}\r\n';
    const r = ok(text);
    expect(r.spec.image).toEqual({ kind: 'ref', ref: 'node:20' });
    expect(r.spec.ports.map((p) => p.port)).toEqual([3000]);
    expect(r.warnings.map(brief)).toEqual([{ path: 'oops', line: 5, column: 3 }]);
  });

  it.each([
    ['{\n  "image": "x"\n  "forwardPorts": [1]\n}', 3, 3, 'JSON syntax error: expected `,` between entries'],
    ['{\n  "image": "x",\n  "a": \n}', 4, 1, 'JSON syntax error: expected a value'],
    ['{\n  "image": "x"', 2, 15, 'JSON syntax error: expected `}` to close the object'],
    ['{ image: "x" }', 1, 3, 'JSON syntax error: unexpected character `i`'],
    ['https://x{\n}', 1, 1, 'JSON syntax error: unexpected character `h`'],
    ['{}\n{}', 2, 1, 'JSON syntax error: expected the end of the file after the closing `}`'],
  ])('%j → %s at %i:%i', (text, line, column, message) => {
    const r = parse(text);
    expect(r.errors[0]).toEqual({ path: '', line, column, message, file: FILE });
    expect(r.spec.image).toEqual({ kind: 'default' });
  });

  it.each([
    ['[]', 'the file must be one JSON object like `{ "image": "node:20" }`'],
    ['"image"', 'the file must be one JSON object like `{ "image": "node:20" }`'],
  ])('%j is an error', (text, message) => {
    expect(parse(text).errors.map((e) => e.message)).toEqual([message]);
  });

  it('gives the default spec with a warning for an empty or comment-only file', () => {
    for (const text of ['', '  \n', '// nothing yet\n']) {
      const r = ok(text);
      expect(r.spec.image).toEqual({ kind: 'default' });
      expect(r.warnings.map((w) => w.message)).toEqual(['the file is empty; Slipway uses the default image with no lifecycle commands']);
    }
  });
});
