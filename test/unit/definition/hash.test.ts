/**
 * specToJSON's stable form and definitionHash: which changes invalidate a
 * prebuild and which do not.
 */
import { describe, expect, it } from 'vitest';
import {
  canonicalJSON,
  defaultSpec,
  definitionHash,
  parseDefinition,
  prebuildRelevantHash,
  specToJSON,
  type WorkspaceSpec,
} from '../../../server/definition/index.js';

const gitpod = (text: string): WorkspaceSpec => {
  const r = parseDefinition('.gitpod.yml', text);
  expect(r.errors).toEqual([]);
  return r.spec;
};
const devc = (doc: unknown): WorkspaceSpec => {
  const r = parseDefinition('.devcontainer/devcontainer.json', JSON.stringify(doc));
  expect(r.errors).toEqual([]);
  return r.spec;
};

// Tasks last, so that tests can append tasks.
const BASE =
  'image: node:20\nenv:\n  A: "1"\n  B: "2"\nports:\n  - port: 3000\ntasks:\n  - name: app\n    before: source env.sh\n    init: npm ci\n    command: npm start\n';

describe('specToJSON', () => {
  it('has a fixed key order and null for every unset value', () => {
    const json = specToJSON(gitpod(BASE));
    expect(JSON.stringify(json)).toBe(
      JSON.stringify({
        image: { kind: 'ref', ref: 'node:20' },
        tasks: [{ name: 'app', before: 'source env.sh', init: 'npm ci', command: 'npm start', env: {}, openMode: null, openIn: null }],
        lifecycle: { onCreate: null, updateContent: null, postCreate: null, postStart: null, postAttach: null },
        ports: [{ port: 3000, endPort: null, onOpen: 'notify', visibility: 'private', name: null, description: null, protocol: 'http' }],
        env: { A: '1', B: '2' },
        user: null,
        checkoutLocation: null,
        workspaceLocation: null,
        extensions: [],
        gitConfig: {},
        extra: {},
      }),
    );
  });

  it.each([
    [{ kind: 'default' }, { kind: 'default' }],
    [
      { kind: 'ref', ref: 'a' },
      { kind: 'ref', ref: 'a' },
    ],
    [
      { kind: 'dockerfile', dockerfile: 'D', context: '.', args: { X: '1' }, target: null },
      { kind: 'dockerfile', dockerfile: 'D', context: '.', args: { X: '1' }, target: null },
    ],
    [
      { kind: 'compose', files: ['a.yml'], service: 's' },
      { kind: 'compose', files: ['a.yml'], service: 's' },
    ],
  ] as const)('image %j', (image, expected) => {
    const spec = { ...defaultSpec(), image: image as WorkspaceSpec['image'] };
    expect(specToJSON(spec)['image']).toEqual(expected);
    expect(Object.keys(specToJSON(spec)['image'] as object)).toEqual(Object.keys(expected));
  });

  it('copies, so changing the JSON does not change the spec', () => {
    const spec = gitpod(BASE);
    const json = specToJSON(spec) as { env: Record<string, string> };
    json.env['A'] = 'changed';
    expect(spec.env['A']).toBe('1');
  });
});

describe('definitionHash', () => {
  const base = definitionHash(gitpod(BASE));

  it('is a stable sha256 hex', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(definitionHash(gitpod(BASE))).toBe(base);
    expect(prebuildRelevantHash(gitpod(BASE))).toBe(base);
  });

  it.each([
    ['the task command', BASE.replace('npm start', 'npm run dev')],
    ['the task name', BASE.replace('name: app', 'name: web')],
    ['ports', BASE.replace('3000', '4000')],
    ['the order of env keys', BASE.replace('  A: "1"\n  B: "2"', '  B: "2"\n  A: "1"')],
    ['a command-only task', `${BASE}  - command: echo hi\n`],
    ['extensions', `${BASE}vscode:\n  extensions: [a.b]\n`],
    ['openMode', BASE.replace('    command: npm start', '    command: npm start\n    openMode: split-left')],
  ])('does not change with %s', (_what, text) => {
    expect(definitionHash(gitpod(text))).toBe(base);
  });

  it.each([
    ['the image', BASE.replace('node:20', 'node:22')],
    ['an init', BASE.replace('npm ci', 'npm install')],
    ['a before', BASE.replace('source env.sh', 'echo ok')],
    ['an env value', BASE.replace('"2"', '"3"')],
    ['a task env', BASE.replace('    init: npm ci', '    init: npm ci\n    env:\n      X: y')],
    ['a new init task', `${BASE}  - init: make\n`],
    ['the task order', 'image: node:20\nenv:\n  A: "1"\n  B: "2"\ntasks:\n  - init: b\n  - init: a\n'],
    ['the checkout location', `${BASE}checkoutLocation: app\n`],
  ])('changes with %s', (_what, text) => {
    expect(definitionHash(gitpod(text))).not.toBe(base);
  });

  it('covers devcontainer onCreate/updateContent, build args and user, not postCreate/postStart/postAttach', () => {
    const doc = {
      build: { dockerfile: 'D', args: { V: '1' } },
      onCreateCommand: 'a',
      updateContentCommand: ['b'],
      postCreateCommand: 'c',
      postStartCommand: 'd',
      postAttachCommand: 'e',
      remoteUser: 'u',
    };
    const h = definitionHash(devc(doc));
    expect(definitionHash(devc({ ...doc, postCreateCommand: 'x', postStartCommand: 'y', postAttachCommand: { z: 'z' } }))).toBe(h);
    expect(definitionHash(devc({ ...doc, forwardPorts: [1] }))).toBe(h);
    for (const change of [
      { onCreateCommand: 'A' },
      { updateContentCommand: 'b' },
      { build: { dockerfile: 'D', args: { V: '2' } } },
      { build: { dockerfile: 'D', args: { V: '1' }, target: 't' } },
      { remoteUser: 'v' },
    ]) {
      expect(definitionHash(devc({ ...doc, ...change })), JSON.stringify(change)).not.toBe(h);
    }
  });

  it('canonicalJSON sorts keys at every level and keeps array order', () => {
    expect(canonicalJSON({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
  });
});
