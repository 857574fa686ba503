import { describe, expect, it } from 'vitest';
import { parseImageAliases } from '../../../server/config/image-aliases.js';
import { findAlias, isGitpodWorkspaceImage, normalizeImageName } from '../../../server/images/image-names.js';

const MAP = `# the team's mirrors
gitpod/workspace-*        slipway/workspace-full
gitpod/workspace-full     registry.example.com/mirror/workspace-full:2024   # pinned
node:20 = registry.example.com/library/node:20
python                    registry.example.com/library/python:3.12
`;

describe('the image alias map', () => {
  const aliases = parseImageAliases(MAP, '/etc/slipway/aliases');

  it('parses names, targets and line numbers; comments and blank lines are skipped', () => {
    expect(aliases).toEqual([
      { name: 'gitpod/workspace-*', target: 'slipway/workspace-full', line: 2, file: '/etc/slipway/aliases' },
      { name: 'gitpod/workspace-full', target: 'registry.example.com/mirror/workspace-full:2024', line: 3, file: '/etc/slipway/aliases' },
      { name: 'node:20', target: 'registry.example.com/library/node:20', line: 4, file: '/etc/slipway/aliases' },
      { name: 'python', target: 'registry.example.com/library/python:3.12', line: 5, file: '/etc/slipway/aliases' },
    ]);
  });

  it.each([
    ['gitpod/workspace-full', 3],
    ['gitpod/workspace-full:2023-01-16-03-31-28', 3],
    ['docker.io/gitpod/workspace-full', 3],
    ['gitpod/workspace-node-lts', 2],
    ['node:20', 4],
    ['docker.io/library/node:20', 4],
    ['python:3.11-slim', 5],
    ['node:22', null],
    ['gitpod/openvscode-server', null],
    ['ghcr.io/gitpod/workspace-full', null],
  ])('%s → line %s', (ref, line) => {
    expect(findAlias(aliases, ref)?.line ?? null).toBe(line);
  });

  it.each([
    ['one word', 'gitpod/workspace-full\n', /aliases:1: expected two image names, found 1 word/],
    ['three words', 'a b c\n', /aliases:1: expected two image names, found 3 words/],
    ['a bad name', '\n\nNode:20 node:20\n', /aliases:3: "Node:20" is not an image name/],
    ['a bad target', 'node:20 https://mirror/node\n', /aliases:1: "https:\/\/mirror\/node" is not an image name/],
  ])('stops the start on %s, naming the file and line', (_name, text, message) => {
    expect(() => parseImageAliases(text, '/etc/slipway/aliases')).toThrow(message);
  });
});

describe('Gitpod image names', () => {
  it.each([
    ['gitpod/workspace-full', true],
    ['gitpod/workspace-base:latest', true],
    ['docker.io/gitpod/workspace-python-3.11', true],
    ['gitpod/workspace-java-17@sha256:' + 'a'.repeat(64), true],
    ['gitpod/openvscode-server', false],
    ['myorg/workspace-full', false],
  ])('%s: %s', (ref, expected) => {
    expect(isGitpodWorkspaceImage(ref)).toBe(expected);
  });

  it('normalizes Docker Hub spellings', () => {
    expect(normalizeImageName('docker.io/library/node:20')).toBe('node:20');
    expect(normalizeImageName('index.docker.io/gitpod/workspace-full')).toBe('gitpod/workspace-full');
  });
});
