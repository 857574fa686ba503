/**
 * `.gitpod.yml`: every property, every default, and the diagnostics (with
 * their lines and columns) for wrong types, bad values and unknown keys.
 */
import { describe, expect, it } from 'vitest';
import { parseDefinition, type Diagnostic, type ParseResult } from '../../../server/definition/index.js';

const parse = (text: string, file = '.gitpod.yml'): ParseResult => parseDefinition(file, text);

function ok(text: string): ParseResult {
  const r = parse(text);
  expect(r.errors).toEqual([]);
  return r;
}

const brief = (d: Diagnostic) => ({ path: d.path, line: d.line, column: d.column });

describe('.gitpod.yml: image', () => {
  it.each([
    ['image: node:20', { kind: 'ref', ref: 'node:20' }],
    ['image: gitpod/workspace-full', { kind: 'ref', ref: 'gitpod/workspace-full' }],
    ['image: ghcr.io/owner/img:1.2@sha256:' + 'a'.repeat(64), { kind: 'ref', ref: 'ghcr.io/owner/img:1.2@sha256:' + 'a'.repeat(64) }],
    ['image: localhost:5000/team/img', { kind: 'ref', ref: 'localhost:5000/team/img' }],
    ['image:\n  file: .gitpod.Dockerfile', { kind: 'dockerfile', dockerfile: '.gitpod.Dockerfile', context: '.', args: {}, target: null }],
    [
      'image:\n  file: ./docker/Dockerfile\n  context: ./docker/',
      { kind: 'dockerfile', dockerfile: 'docker/Dockerfile', context: 'docker', args: {}, target: null },
    ],
    ['image:\n  file: a/../Dockerfile\n  context: .', { kind: 'dockerfile', dockerfile: 'Dockerfile', context: '.', args: {}, target: null }],
    ['tasks: []', { kind: 'default' }],
  ])('%j', (text, image) => {
    expect(ok(text).spec.image).toEqual(image);
  });

  it('reads image.file from the repository root even for .gitpod.yaml', () => {
    expect(parseDefinition('.gitpod.yaml', 'image:\n  file: x/Dockerfile').spec.image).toMatchObject({ dockerfile: 'x/Dockerfile', context: '.' });
  });

  it.each([
    ['image:\n  file: ../Dockerfile', 'image.file', 2, 9, /points outside the repository/],
    ['image:\n  file: a/../../Dockerfile', 'image.file', 2, 9, /points outside the repository/],
    ['image:\n  file: /etc/Dockerfile', 'image.file', 2, 9, /absolute path "\/etc\/Dockerfile"/],
    ['image:\n  file: Dockerfile\n  context: ../..', 'image.context', 3, 12, /points outside the repository/],
    ['image:\n  file: Dockerfile\n  context: /', 'image.context', 3, 12, /absolute path/],
    ['image:\n  context: .', 'image', 2, 3, /missing the key `file`/],
    ['image: 42', 'image', 1, 8, /must be text or a mapping .*, got the number 42/],
    ['image: [a, b]', 'image', 1, 8, /got a list/],
    ['image: ""', 'image', 1, 8, /`image` is empty/],
    ['image: Node:20', 'image', 1, 8, /image names are lowercase/],
    ['image: https://hub.docker.com/r/jhipster/jhipster', 'image', 1, 8, /write `jhipster\/jhipster`/],
    ['image: "node 20"', 'image', 1, 8, /no spaces/],
    ['image:\n  file: 3', 'image.file', 2, 9, /must be text, got the number 3/],
  ])('%j is an error at %s %i:%i', (text, path, line, column, message) => {
    const r = parse(text);
    expect(r.errors.map(brief)).toEqual([{ path, line, column }]);
    expect(r.errors[0]!.message).toMatch(message);
    expect(r.errors[0]!.file).toBe('.gitpod.yml');
  });
});

describe('.gitpod.yml: tasks', () => {
  it('reads every task field; absent ones are null', () => {
    const r = ok(
      [
        'tasks:',
        '  - name: Build',
        '    before: echo before',
        '    init: npm ci',
        '    command: npm start',
        '    openMode: split-right',
        '    openIn: main',
        '    env:',
        '      A: one',
        '      PORT: 3000',
        '      DEBUG: true',
        '      RATIO: 1.5',
        '  - command: echo only',
      ].join('\n'),
    );
    expect(r.spec.tasks).toEqual([
      {
        name: 'Build',
        before: 'echo before',
        init: 'npm ci',
        command: 'npm start',
        env: { A: 'one', PORT: '3000', DEBUG: 'true', RATIO: '1.5' },
        openMode: 'split-right',
        openIn: 'main',
      },
      { name: null, before: null, init: null, command: 'echo only', env: {}, openMode: null, openIn: null },
    ]);
    expect(r.warnings).toEqual([]);
    expect(r.spec.lifecycle).toEqual({ onCreate: null, updateContent: null, postCreate: null, postStart: null, postAttach: null });
  });

  it('keeps block scalars exactly (literal keeps newlines, folded joins lines)', () => {
    const r = ok('tasks:\n  - init: |\n      a\n      b\n    command: >\n      x &&\n      y\n');
    expect(r.spec.tasks[0]).toMatchObject({ init: 'a\nb\n', command: 'x && y\n' });
  });

  it('treats the deprecated `prebuild` like init, after it, with a warning on the key', () => {
    const r = ok('tasks:\n  - init: a\n    prebuild: b\n  - prebuild: c\n');
    expect(r.spec.tasks.map((t) => t.init)).toEqual(['a\nb', 'c']);
    expect(r.warnings.map(brief)).toEqual([
      { path: 'tasks[0].prebuild', line: 3, column: 5 },
      { path: 'tasks[1].prebuild', line: 4, column: 5 },
    ]);
    expect(r.warnings[0]!.message).toMatch(/deprecated.*rename it to `init`/);
  });

  it.each([
    ['tasks:', []],
    ['tasks: []', []],
    ['tasks:\n  - name: x\n    command:', [{ name: 'x', before: null, init: null, command: null, env: {}, openMode: null, openIn: null }]],
  ])('%j → %j', (text, tasks) => {
    expect(ok(text).spec.tasks).toEqual(tasks);
  });

  it('warns about a task that runs nothing', () => {
    const r = ok('tasks:\n  - name: idle\n');
    expect(r.warnings.map(brief)).toEqual([{ path: 'tasks[0]', line: 2, column: 5 }]);
    expect(r.warnings[0]!.message).toMatch(/no `before`, `init` or `command`/);
  });

  it.each([
    ['tasks: echo hi', 'tasks', 1, 8, /`tasks` must be a list \(- item\), got the string "echo hi"/],
    ['tasks:\n  - echo hi', 'tasks[0]', 2, 5, /`tasks\[0\]` must be a mapping/],
    ['tasks:\n  - init: [a, b]', 'tasks[0].init', 2, 11, /must be text, got a list/],
    ['tasks:\n  - command: 12', 'tasks[0].command', 2, 14, /must be text, got the number 12/],
    [
      'tasks:\n  - command: x\n    openMode: sideways',
      'tasks[0].openMode',
      3,
      15,
      /must be one of tab-after, tab-before, split-right, split-left, split-top, split-bottom; got the string "sideways"/,
    ],
    ['tasks:\n  - command: x\n    openIn: top', 'tasks[0].openIn', 3, 13, /must be one of bottom, main, left, right/],
    ['tasks:\n  - command: x\n    env: [A=1]', 'tasks[0].env', 3, 10, /must be a mapping/],
    ['tasks:\n  - command: x\n    env:\n      A: [1]', 'tasks[0].env.A', 4, 10, /must be text, a number or true or false, got a list/],
  ])('%j is an error at %s %i:%i', (text, path, line, column, message) => {
    const r = parse(text);
    expect(r.errors.map(brief)).toEqual([{ path, line, column }]);
    expect(r.errors[0]!.message).toMatch(message);
  });

  it('warns about unknown task keys at the key, suggesting the right one', () => {
    const r = parse('tasks:\n  - comand: npm start\n');
    expect(r.errors).toEqual([]);
    expect(r.warnings.map(brief)).toEqual([
      { path: 'tasks[0].comand', line: 2, column: 5 },
      { path: 'tasks[0]', line: 2, column: 5 },
    ]);
    expect(r.warnings[0]!.message).toBe('unknown key `comand` in `tasks[0]`; Slipway ignores it (did you mean `command`?)');
  });
});

describe('.gitpod.yml: ports', () => {
  const defaults = { endPort: null, onOpen: 'notify', visibility: 'private', name: null, description: null, protocol: 'http' };

  it.each([
    ['- port: 3000', { ...defaults, port: 3000 }],
    ['- port: "8080"', { ...defaults, port: 8080 }],
    ['- port: 3000-3010', { ...defaults, port: 3000, endPort: 3010 }],
    ['- port: "1-1000"', { ...defaults, port: 1, endPort: 1000 }],
    ['- port: 65535', { ...defaults, port: 65535 }],
    ['- port: 1', { ...defaults, port: 1 }],
    ['- port: 5000-5000', { ...defaults, port: 5000 }],
    [
      '- port: 443\n  onOpen: open-browser\n  visibility: public\n  name: Web\n  description: The app\n  protocol: https',
      { port: 443, endPort: null, onOpen: 'open-browser', visibility: 'public', name: 'Web', description: 'The app', protocol: 'https' },
    ],
    ['- port: 1\n  onOpen: open-preview', { ...defaults, port: 1, onOpen: 'open-preview' }],
    ['- port: 1\n  onOpen: ignore', { ...defaults, port: 1, onOpen: 'ignore' }],
    ['- port: 1\n  onOpen: ignore-completely', { ...defaults, port: 1, onOpen: 'ignore-completely' }],
    ['- port: 1\n  onOpen: notify\n  visibility: private', { ...defaults, port: 1 }],
    // Real repositories declare wide ranges; one entry however wide (slipway validate warns).
    ['- port: 8092-10000', { ...defaults, port: 8092, endPort: 10000 }],
  ])('ports:\\n%s', (body, port) => {
    expect(ok(`ports:\n${body.replace(/^/gm, '  ')}`).spec.ports).toEqual([port]);
  });

  it.each([
    ['- port: 0', 2, 11, 'ports[0].port', '`ports[0].port` must be a number from 1 to 65535 or a range like 3000-3010, got 0'],
    ['- port: 70000', 2, 11, 'ports[0].port', '`ports[0].port` must be a number from 1 to 65535 or a range like 3000-3010, got 70000'],
    ['- port: -1', 2, 11, 'ports[0].port', '`ports[0].port` must be a number from 1 to 65535 or a range like 3000-3010, got -1'],
    ['- port: abc', 2, 11, 'ports[0].port', '`ports[0].port` must be a number from 1 to 65535 or a range like 3000-3010, got "abc"'],
    ['- port: 3010-3000', 2, 11, 'ports[0].port', '`ports[0].port` range "3010-3000" ends before it starts; write 3000-3010'],
    [
      '- port: 3000-70000',
      2,
      11,
      'ports[0].port',
      '`ports[0].port` must be a number from 1 to 65535 or a range like 3000-3010; 70000 in "3000-70000" is outside 1-65535',
    ],
    ['- port: 3000.5', 2, 11, 'ports[0].port', '`ports[0].port` must be a whole number or text, got the number 3000.5'],
    ['- port: [3000]', 2, 11, 'ports[0].port', '`ports[0].port` must be a whole number or text, got a list'],
    ['- onOpen: notify', 2, 5, 'ports[0]', '`ports[0]` is missing the key `port`'],
    [
      '- port: 1\n  onOpen: popup',
      3,
      13,
      'ports[0].onOpen',
      '`ports[0].onOpen` must be one of open-browser, open-preview, notify, ignore, ignore-completely; got the string "popup"',
    ],
    ['- port: 1\n  visibility: team', 3, 17, 'ports[0].visibility', '`ports[0].visibility` must be one of private, public; got the string "team"'],
    ['- port: 1\n  protocol: tcp', 3, 15, 'ports[0].protocol', '`ports[0].protocol` must be one of http, https; got the string "tcp"'],
    ['- port: 1\n  name: 5', 3, 11, 'ports[0].name', '`ports[0].name` must be text, got the number 5; put it in quotes to make it text'],
  ])('ports:\\n%s → error at %i:%i', (body, line, column, path, message) => {
    const r = parse(`ports:\n${body.replace(/^/gm, '  ')}`);
    expect(r.errors).toEqual([{ path, line, column, message, file: '.gitpod.yml' }]);
  });

  it('reports a mapping in place of the list where the mapping starts', () => {
    const r = parse('ports:\n  port: 6080\n  onOpen: open-preview\n');
    expect(r.errors.map(brief)).toEqual([{ path: 'ports', line: 2, column: 3 }]);
    expect(r.errors[0]!.message).toBe('`ports` must be a list (- item), got a mapping');
  });

  it('warns about a port declared twice', () => {
    const r = ok('ports:\n  - port: 3000\n  - port: 3001\n  - port: 3000\n');
    expect(r.warnings.map(brief)).toEqual([{ path: 'ports[2].port', line: 4, column: 11 }]);
    expect(r.spec.ports).toHaveLength(3);
  });
});

describe('.gitpod.yml: other keys', () => {
  it('reads env, locations, gitConfig, extensions and keeps the rest in extra', () => {
    const r = ok(
      [
        'env:',
        '  NODE_ENV: development',
        '  PORT: 8080',
        '  CI: false',
        'checkoutLocation: src/app',
        'workspaceLocation: src/app/app.code-workspace',
        'gitConfig:',
        '  core.autocrlf: input',
        '  pull.rebase: true',
        'vscode:',
        '  extensions:',
        '    - dbaeumer.vscode-eslint',
        '    - https://example.com/x.vsix',
        'github:',
        '  prebuilds:',
        '    master: true',
        '    addCheck: prevent-merge-on-error',
        'jetbrains:',
        '  intellij:',
        '    plugins: [a.b]',
        '    vmoptions: -Xmx4g',
        'coreDump:',
        '  enabled: true',
        '  softLimit: 0',
        'experimentalNetwork: true',
      ].join('\n'),
    );
    expect(r.warnings).toEqual([]);
    expect(r.spec.env).toEqual({ NODE_ENV: 'development', PORT: '8080', CI: 'false' });
    expect(r.spec.checkoutLocation).toBe('src/app');
    expect(r.spec.workspaceLocation).toBe('src/app/app.code-workspace');
    expect(r.spec.gitConfig).toEqual({ 'core.autocrlf': 'input', 'pull.rebase': 'true' });
    expect(r.spec.extensions).toEqual(['dbaeumer.vscode-eslint', 'https://example.com/x.vsix']);
    expect(r.spec.extra).toEqual({
      github: { prebuilds: { master: true, addCheck: 'prevent-merge-on-error' } },
      jetbrains: { intellij: { plugins: ['a.b'], vmoptions: '-Xmx4g' } },
      coreDump: { enabled: true, softLimit: 0 },
      experimentalNetwork: true,
    });
    expect(r.spec.user).toBeNull();
  });

  it('keeps additionalRepositories and mainConfiguration with a warning each, on their keys', () => {
    const r = ok('additionalRepositories:\n  - url: https://example.com/b\n    checkoutLocation: b\nmainConfiguration: https://example.com/main\n');
    expect(r.spec.extra['additionalRepositories']).toEqual([{ url: 'https://example.com/b', checkoutLocation: 'b' }]);
    expect(r.spec.extra['mainConfiguration']).toBe('https://example.com/main');
    expect(r.warnings.map(brief)).toEqual([
      { path: 'additionalRepositories', line: 1, column: 1 },
      { path: 'mainConfiguration', line: 4, column: 1 },
    ]);
  });

  it.each([
    ['checkoutLocation: ../elsewhere', 'checkoutLocation', 1, 19],
    ['workspaceLocation: /etc', 'workspaceLocation', 1, 20],
    ['env:\n  A:\n    nested: 1', 'env.A', 3, 5],
    ['gitConfig: x', 'gitConfig', 1, 12],
    ['vscode:\n  extensions: ms-python.python', 'vscode.extensions', 2, 15],
    ['vscode:\n  extensions:\n    - 5', 'vscode.extensions[0]', 3, 7],
    ['github:\n  prebuilds:\n    master: yes please', 'github.prebuilds.master', 3, 13],
    ['coreDump:\n  softLimit: -1', 'coreDump.softLimit', 2, 14],
    ['additionalRepositories:\n  - checkoutLocation: b', 'additionalRepositories[0]', 2, 5],
  ])('%j is an error at %s %i:%i', (text, path, line, column) => {
    expect(parse(text).errors.map(brief)).toEqual([{ path, line, column }]);
  });

  it.each([
    ['workspaces:\n  default: {}', 'workspaces', 1, 1, 'unknown key `workspaces` at the top level; Slipway ignores it'],
    ['tasks: []\nport: 3000', 'port', 2, 1, 'unknown key `port` at the top level; Slipway ignores it (did you mean `ports`?)'],
    [
      'command: ["./x"]',
      'command',
      1,
      1,
      'unknown key `command` at the top level; Slipway ignores it (task keys go in a list under `tasks:`, like `tasks: [{command: ...}]`)',
    ],
    ['ports:\n  - port: 1\n    onopen: ignore', 'ports[0].onopen', 3, 5, 'unknown key `onopen` in `ports[0]`; Slipway ignores it (did you mean `onOpen`?)'],
    ['github:\n  prebuilds:\n    mainBranch: true', 'github.prebuilds.mainBranch', 3, 5, 'unknown key `mainBranch` in `github.prebuilds`; Slipway ignores it'],
    ['image:\n  file: D\n  target: dev', 'image.target', 3, 3, 'unknown key `target` in `image`; Slipway ignores it'],
  ])('%j warns: %s at %i:%i', (text, path, line, column, message) => {
    const r = parse(text);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([{ path, line, column, message, file: '.gitpod.yml' }]);
  });
});

describe('.gitpod.yml: YAML itself', () => {
  it.each([
    ['', 'the file is empty'],
    ['# only a comment\n', 'the file is empty'],
    ['---\n', 'the file is empty'],
  ])('%j gives the default spec with a warning', (text, message) => {
    const r = ok(text);
    expect(r.spec.image).toEqual({ kind: 'default' });
    expect(r.warnings[0]!.message).toMatch(message);
  });

  it.each([
    ['- a\n- b\n', 1, 1, /must be a mapping of keys like `image:`/],
    ['just text', 1, 1, /must be a mapping/],
    ['tasks:\n  - init: a\n   command: b\n', 3, 1, /YAML syntax error: Sequence item without - indicator/],
    ['image: a\nimage: b\n', 2, 1, /YAML syntax error: Map keys must be unique/],
    ['tasks:\n\t- init: a\n', 2, 1, /YAML syntax error: Tabs are not allowed as indentation/],
    ['a: 1\n---\nb: 2\n', 2, 1, /YAML syntax error: Source contains multiple documents/],
    // `yaml` reports an unclosed quote where the text ends.
    ['tasks:\n  - init: "unclosed\n', 3, 1, /YAML syntax error: Missing closing "quote/],
    ['tasks:\n  - init: [ -f x ] && make\n', 2, 20, /`init` starts with `\[`.*put the command in quotes/],
  ])('%j is an error at %i:%i', (text, line, column, message) => {
    const r = parse(text);
    expect(r.errors.length).toBeGreaterThan(0);
    expect([r.errors[0]!.line, r.errors[0]!.column]).toEqual([line, column]);
    expect(r.errors[0]!.message).toMatch(message);
    expect(r.spec.tasks).toEqual([]);
  });

  it('accepts anchors, aliases and merge keys within the alias limit', () => {
    const r = ok(
      'x-env: &env\n  A: "1"\ntasks:\n  - env: *env\n    command: a\n  - env:\n      <<: *env\n      B: "2"\n    command: b\n'.replace('x-env', 'env'),
    );
    expect(r.spec.tasks.map((t) => t.env)).toEqual([{ A: '1' }, { A: '1', B: '2' }]);
    expect(r.spec.env).toEqual({ A: '1' });
  });

  it('counts lines after CRLF line ends like an editor', () => {
    const r = parse('tasks:\r\n  - init: a\r\n    oops: b\r\n');
    expect(r.warnings.map(brief)).toEqual([{ path: 'tasks[0].oops', line: 3, column: 5 }]);
  });

  it('sorts diagnostics by position', () => {
    const r = parse('zzz: 1\nports:\n  - port: 0\naaa: 2\n');
    expect(r.warnings.map((w) => w.line)).toEqual([1, 4]);
    expect(r.errors.map((e) => e.line)).toEqual([3]);
  });
});
