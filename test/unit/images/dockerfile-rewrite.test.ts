import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceTarEntry, rewriteImageRefs } from '../../../server/images/dockerfile-rewrite.js';

describe('rewriteImageRefs', () => {
  const mapping = new Map([
    ['gitpod/workspace-full', 'slipway/workspace-full'],
    ['gitpod/workspace-node:latest', 'mirror.local/node'],
  ]);
  it.each([
    ['FROM', 'FROM gitpod/workspace-full\nRUN echo hi\n', 'FROM slipway/workspace-full\nRUN echo hi\n'],
    [
      'FROM with a platform flag and a stage name',
      'from --platform=linux/amd64 gitpod/workspace-full AS base\n',
      'from --platform=linux/amd64 slipway/workspace-full AS base\n',
    ],
    [
      'COPY --from',
      'FROM debian\nCOPY --chown=1:1 --from=gitpod/workspace-node:latest /x /x\n',
      'FROM debian\nCOPY --chown=1:1 --from=mirror.local/node /x /x\n',
    ],
    ['unmapped names and CRLF line ends stay', 'FROM node:20\r\nRUN echo gitpod/workspace-full\r\n', 'FROM node:20\r\nRUN echo gitpod/workspace-full\r\n'],
  ])('%s', (_name, input, expected) => {
    expect(rewriteImageRefs(input, mapping)).toBe(expected);
  });
});

describe('replaceTarEntry on a real git archive', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-tar-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const long = `${'deep-folder-name/'.repeat(7)}Dockerfile`; // over 100 bytes: the ustar prefix field
  const longer = `${'deep-folder-name/'.repeat(20)}Dockerfile`; // over 255 bytes: a pax path header
  const repo = path.join(dir, 'repo');
  mkdirSync(path.join(repo, path.dirname(long)), { recursive: true });
  writeFileSync(path.join(repo, '.gitpod.Dockerfile'), 'FROM gitpod/workspace-full\n');
  writeFileSync(path.join(repo, long), 'FROM gitpod/workspace-full\n');
  mkdirSync(path.join(repo, path.dirname(longer)), { recursive: true });
  writeFileSync(path.join(repo, longer), 'FROM gitpod/workspace-full\n');
  writeFileSync(path.join(repo, 'big.bin'), Buffer.alloc(70_000, 7));
  writeFileSync(path.join(repo, 'z.txt'), 'last\n');
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: repo,
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
    });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'c');
  const archive = git('archive', '--format=tar', 'HEAD');

  async function extract(stream: Readable, name: string): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const out = path.join(dir, name);
    mkdirSync(out);
    execFileSync('tar', ['-x', '-C', out], { input: Buffer.concat(chunks) });
    return out;
  }

  // Small chunks: headers and data split across reads, as a pipe delivers them.
  const chunked = () =>
    Readable.from(
      (function* () {
        for (let i = 0; i < archive.length; i += 777) yield archive.subarray(i, i + 777);
      })(),
    );

  it.each([
    ['a short path', '.gitpod.Dockerfile', 'short'],
    ['a long path in the ustar prefix', long, 'long'],
    ['a longer path behind a pax header', longer, 'longer'],
    ['an absent path (added)', 'new/Dockerfile', 'added'],
  ])('replaces %s and keeps every other file', async (_name, target, out) => {
    const root = await extract(replaceTarEntry(chunked(), target, Buffer.from('FROM slipway/workspace-full\n')), out);
    expect(readFileSync(path.join(root, target), 'utf8')).toBe('FROM slipway/workspace-full\n');
    for (const other of ['.gitpod.Dockerfile', long, longer].filter((p) => p !== target))
      expect(readFileSync(path.join(root, other), 'utf8')).toBe('FROM gitpod/workspace-full\n');
    expect(readFileSync(path.join(root, 'big.bin')).equals(Buffer.alloc(70_000, 7))).toBe(true);
    expect(readFileSync(path.join(root, 'z.txt'), 'utf8')).toBe('last\n');
  });
});
