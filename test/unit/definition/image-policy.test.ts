/**
 * Which image names a definition may use (issue 12 item 5): registry
 * references yes; image ids, id prefixes and Slipway's own snapshot and build
 * repositories no, refused at parse time with the file and line.
 */
import { describe, expect, it } from 'vitest';
import { imagePosition, imageReferenceRefusal, parseDefinition, splitImageReference, withExplicitTag } from '../../../server/definition/index.js';
import { builtImageTag } from '../../../server/images/cache-key.js';
import { snapshotRepo } from '../../../server/prebuilds/runner.js';

const HEX64 = 'a1b2c3d4e5f6'.repeat(5) + 'a1b2';

describe('image names a definition may use', () => {
  it.each([
    'node:20',
    'node',
    'gitpod/workspace-full',
    'slipway/workspace-base',
    'slipway/workspace-base:latest',
    'ghcr.io/owner/img:1.2@sha256:' + 'a'.repeat(64),
    'node@sha256:' + 'a'.repeat(64),
    'localhost:5000/team/img',
    'registry.example.com/slipway/prebuild-app:abc', // another registry's repository, not Slipway's local one
    'a1b2c3d4e5f6:latest', // tagged: Docker looks up a name, never an id
    'abc', // short untagged hex: the resolver looks it up as abc:latest
    'cafe/babe',
  ])('allows %s', (ref) => {
    expect(imageReferenceRefusal(ref)).toBeNull();
  });

  it.each([
    ['a1b2c3d4e5f6', /image id/],
    [HEX64, /image id/],
    [HEX64 + ':latest', /image id/],
    ['sha256:' + HEX64, /is an image id/],
    ['sha256:a1b2c3d4e5f6', /is an image id/],
    ['slipway/prebuild-app:pb_123', /Slipway's own snapshot/],
    ['slipway/prebuild-app', /Slipway's own snapshot/],
    ['docker.io/slipway/prebuild-app:x', /Slipway's own snapshot/],
    ['index.docker.io/slipway/build-app:0123', /Slipway's own snapshot/],
    ['slipway/build-app:0123456789abcdef0123', /Slipway's own snapshot/],
    ['slipway/ca-layer:0123456789abcdef0123', /Slipway's own snapshot/],
  ])('refuses %s', (ref, message) => {
    expect(imageReferenceRefusal(ref)).toMatch(message);
  });

  it('refuses every untagged hex name where no tag can be added (Dockerfile FROM)', () => {
    expect(imageReferenceRefusal('abc')).toBeNull();
    expect(imageReferenceRefusal('abc', { strictIds: true })).toMatch(/image id/);
    expect(imageReferenceRefusal('abc:1', { strictIds: true })).toBeNull();
  });

  it('keeps in step with the names Slipway gives its snapshots and builds', () => {
    expect(imageReferenceRefusal(`${snapshotRepo('My App')}:pb_1`)).toMatch(/Slipway's own/);
    expect(imageReferenceRefusal(builtImageTag('My App', 'f'.repeat(64)))).toMatch(/Slipway's own/);
  });

  it.each([
    ['node', 'node:latest'],
    ['node:20', 'node:20'],
    ['localhost:5000/img', 'localhost:5000/img:latest'],
    ['localhost:5000/img:1', 'localhost:5000/img:1'],
    ['a1b2c3', 'a1b2c3:latest'],
    ['node@sha256:' + 'a'.repeat(64), 'node@sha256:' + 'a'.repeat(64)],
  ])('looks %s up as %s (never an id prefix)', (ref, lookup) => {
    expect(withExplicitTag(ref)).toBe(lookup);
  });

  it('splits references as Docker does', () => {
    expect(splitImageReference('localhost:5000/a/b:1@sha256:x')).toEqual({ domain: 'localhost:5000', repository: 'a/b', tag: '1', digest: 'sha256:x' });
    expect(splitImageReference('a/b')).toEqual({ domain: null, repository: 'a/b', tag: null, digest: null });
  });
});

describe('refused at parse time, with file and line', () => {
  it.each([
    ['.gitpod.yml', 'tasks:\n  - init: echo\nimage: a1b2c3d4e5f6\n', 3, 8],
    ['.gitpod.yml', `image: sha256:${HEX64}\n`, 1, 8],
    ['.gitpod.yml', 'image: slipway/prebuild-victim:pb_abc\n', 1, 8],
    ['.devcontainer/devcontainer.json', '{\n  "name": "x",\n  "image": "slipway/build-victim:0123"\n}\n', 3, 12],
    ['.devcontainer/devcontainer.json', '{ "image": "a1b2c3d4e5f6" }', 1, 12],
  ])('%s: %j', (file, text, line, column) => {
    const r = parseDefinition(file, text);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file, path: 'image', line, column });
    expect(r.errors[0]!.message).toMatch(/image id|Slipway's own snapshot/);
  });

  it('remembers where a name was written, for errors found at resolve time', () => {
    const r = parseDefinition('.gitpod.yml', '# hi\nimage: node:20\n');
    expect(imagePosition(r.spec.image)).toEqual({ file: '.gitpod.yml', line: 2, column: 8 });
    const d = parseDefinition('.devcontainer/devcontainer.json', '{\n "build": { "dockerfile": "Dockerfile" }\n}');
    expect(imagePosition(d.spec.image)).toEqual({ file: '.devcontainer/devcontainer.json', line: 2, column: 27 });
    // Beside the spec, not in it: the spec's JSON and hash do not change.
    expect(r.spec.image).toEqual({ kind: 'ref', ref: 'node:20' });
  });

  it('judges a devcontainer name after substitution, and leaves one still holding ${...} to resolve time', () => {
    const substituted = parseDefinition('.devcontainer/devcontainer.json', '{ "image": "${localEnv:IMG:a1b2c3d4e5f6}" }');
    expect(substituted.errors.map((e) => e.message)).toEqual([expect.stringMatching(/image id/)]);
    const literal = parseDefinition('.devcontainer/devcontainer.json', '{ "image": "node:${unknownThing}" }');
    expect(literal.errors).toEqual([]);
  });
});
