/**
 * The cache key of a built image (DESIGN §4, server/images/cache-key.ts):
 * every input the build depends on changes it, nothing else does.
 */
import { describe, expect, it } from 'vitest';
import { builtImageTag, imageCacheKey } from '../../../server/images/cache-key.js';

type KeyInput = Parameters<typeof imageCacheKey>[0];
const base: KeyInput = {
  dockerfileContent: 'FROM debian\nCOPY package.json /app/\n',
  contextTreeId: 'a'.repeat(40),
  args: { NODE: '20', MODE: 'dev' },
  target: null,
  dockerfilePath: '.gitpod.Dockerfile',
};
const key = (change: Partial<KeyInput>) => imageCacheKey({ ...base, ...change });

describe('imageCacheKey', () => {
  it('is a stable sha256 of its inputs', () => {
    expect(imageCacheKey(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(imageCacheKey({ ...base })).toBe(imageCacheKey(base));
    // A Buffer of the same bytes is the same Dockerfile.
    expect(key({ dockerfileContent: Buffer.from(base.dockerfileContent) })).toBe(imageCacheKey(base));
  });

  it('build args in any order give one key', () => {
    expect(key({ args: { MODE: 'dev', NODE: '20' } })).toBe(imageCacheKey(base));
  });

  it.each([
    ['the Dockerfile content', { dockerfileContent: 'FROM debian\nCOPY package.json /app/\nRUN true\n' }],
    ['what the build can read from its context', { contextTreeId: 'b'.repeat(40) }],
    ['a build arg value', { args: { NODE: '22', MODE: 'dev' } }],
    ['a build arg added', { args: { NODE: '20', MODE: 'dev', EXTRA: '' } }],
    ['a build arg removed', { args: { NODE: '20' } }],
    ['the target stage', { target: 'dev' }],
    ['the Dockerfile path (relative COPY and .dockerignore resolve from it)', { dockerfilePath: 'docker/Dockerfile' }],
  ])('changes with %s', (_name, change) => {
    expect(key(change)).not.toBe(imageCacheKey(base));
  });

  it('the parts cannot run into each other (each is delimited)', () => {
    // Without delimiters these would hash the same bytes.
    const a = imageCacheKey({ ...base, dockerfilePath: 'Dockerfile', dockerfileContent: 'FROM x' });
    const b = imageCacheKey({ ...base, dockerfilePath: 'DockerfileF', dockerfileContent: 'ROM x' });
    expect(a).not.toBe(b);
  });
});

describe('builtImageTag', () => {
  it.each([
    ['app', 'slipway/build-app:'],
    ['My App', 'slipway/build-my-app:'],
    ['..weird__Name..', 'slipway/build-weird__name:'],
    ['%%%', 'slipway/build-repo:'],
    ['x'.repeat(100), `slipway/build-${'x'.repeat(60)}:`],
  ])('%s → a valid Docker tag', (repoName, prefix) => {
    const tag = builtImageTag(repoName, 'f'.repeat(64));
    expect(tag).toBe(`${prefix}${'f'.repeat(20)}`);
    // Docker's reference grammar: lower-case path components, a tag of [\w.-]{1,128}.
    expect(tag).toMatch(/^[a-z0-9]+(?:[._-][a-z0-9]+|__[a-z0-9]+)*\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*:[\w][\w.-]{0,127}$/);
  });

  it('the tag carries the first 20 hex digits of the key: two keys, two tags', () => {
    expect(builtImageTag('app', '1'.repeat(64))).not.toBe(builtImageTag('app', '2'.repeat(64)));
  });
});
