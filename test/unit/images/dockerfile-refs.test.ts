/**
 * The outside images of a Dockerfile (issue 12 item 5): the builder resolves
 * FROM and --from against every local image, so each is judged by the image
 * rules before a build.
 */
import { describe, expect, it } from 'vitest';
import { dockerfileRefs, expandVariables, onBuildRefs } from '../../../server/images/dockerfile-refs.js';
import { checkDockerfileNames, slipwayMadeImage } from '../../../server/images/policy.js';

const refs = (text: string, args: Record<string, string> = {}) => dockerfileRefs(text, args).map((r) => [r.instruction, r.ref, r.line, r.unresolved]);

describe('dockerfileRefs', () => {
  it.each([
    ['FROM node:20\nRUN true\n', [['FROM', 'node:20', 1, false]]],
    [
      '# syntax=docker/dockerfile:1\nFROM --platform=linux/amd64 node AS build\nFROM build\nCOPY --from=build /a /b\nCOPY --from=0 /a /b\n',
      [['FROM', 'node', 2, false]],
    ],
    [
      'FROM a AS one\nFROM b\nCOPY --from=one /x /y\nCOPY --from=c:1 /x /y\n',
      [
        ['FROM', 'a', 1, false],
        ['FROM', 'b', 2, false],
        ['COPY --from', 'c:1', 4, false],
      ],
    ],
    ['ARG BASE=debian:bookworm\nFROM ${BASE}\n', [['FROM', 'debian:bookworm', 2, false]]],
    ['ARG V\nFROM node:${V:-20}\n', [['FROM', 'node:20', 2, false]]],
    ['FROM $NOPE\n', [['FROM', '', 1, true]]],
    ['FROM \\\n  slipway/prebuild-x:1 \\\n  AS s\n', [['FROM', 'slipway/prebuild-x:1', 1, false]]],
    ['# escape=`\nFROM `\n  node:20\n', [['FROM', 'node:20', 2, false]]],
    [
      'FROM node\nRUN --mount=type=bind,from=img:1,target=/x true\n',
      [
        ['FROM', 'node', 1, false],
        ['RUN --from', 'img:1', 2, false],
      ],
    ],
    [
      'FROM node\nARG SRC=evil:1\nCOPY --from=$SRC /a /b\n',
      [
        ['FROM', 'node', 1, false],
        ['COPY --from', 'evil:1', 3, false],
      ],
    ],
    ['FROM node\nONBUILD COPY --from=x:1 /a /b\n', [['FROM', 'node', 1, false]]],
  ])('%j', (text, expected) => {
    expect(refs(text)).toEqual(expected);
  });

  it('build args override ARG defaults, as in the builder', () => {
    expect(refs('ARG BASE=node:20\nFROM $BASE\n', { BASE: 'slipway/prebuild-v:1' })).toEqual([['FROM', 'slipway/prebuild-v:1', 2, false]]);
  });

  it('expands the variable forms the builder knows', () => {
    expect(expandVariables('$A-${B}-${C:-c}-${A:+set}-${D:+no}', { A: 'a', B: 'b' })).toBe('a-b-c-set-');
  });

  it('reads the --from of a base image ONBUILD triggers', () => {
    expect(onBuildRefs(['COPY --from=slipway/prebuild-v:1 / /loot', 'RUN true']).map((r) => r.ref)).toEqual(['slipway/prebuild-v:1']);
  });
});

describe('checkDockerfileNames', () => {
  it.each([
    ['FROM 9529bb\n', /Dockerfile:1: `FROM 9529bb`: .*image id/],
    ['FROM debian:bookworm\nCOPY --from=sha256:abcdef /a /b\n', /Dockerfile:2: `COPY --from sha256:abcdef`: .*image id/],
    ['FROM slipway/prebuild-victim:pb_1\n', /Slipway's own snapshot/],
    ['ARG B\nFROM ${B}\n', /cannot resolve/],
    ['FROM Not_An_Image!\n', /not an image name/],
  ])('refuses %j', (text, message) => {
    expect(() => checkDockerfileNames('Dockerfile', text, {})).toThrow(message);
  });

  it('allows registry images, scratch and the shared base image', () => {
    expect(checkDockerfileNames('Dockerfile', 'FROM scratch\nFROM slipway/workspace-base\nFROM ghcr.io/o/i:1\nFROM abc:1\n', {})).toHaveLength(4);
  });
});

describe('slipwayMadeImage', () => {
  it.each([
    [{}, null],
    [{ 'slipway.kind': 'base' }, null],
    [{ 'org.opencontainers.image.title': 'x' }, null],
    [{ 'slipway.kind': 'prebuild', 'slipway.prebuild': 'pb_1' }, /slipway.kind=prebuild/],
    [{ 'slipway.kind': 'build' }, /slipway.kind=build/],
    [{ 'slipway.kind': 'workspace' }, /slipway.kind=workspace/],
    [{ 'slipway.kind': 'base', 'slipway.prebuild': '' }, /label slipway.prebuild/],
  ])('%j', (labels, expected) => {
    const made = slipwayMadeImage(labels as Record<string, string>);
    if (expected === null) expect(made).toBeNull();
    else expect(made).toMatch(expected);
  });
});
