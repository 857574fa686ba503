/**
 * Which file is the definition (DESIGN §3 order), the listers, and reading a
 * folder on disk safely.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultSpec,
  discoverDefinition,
  listerForDirectory,
  MAX_DEFINITION_BYTES,
  pickDefinitionFile,
  type DefinitionLister,
} from '../../../server/definition/index.js';
import { makeRepo, tempDir } from './helpers.js';

const GITPOD = 'image: node:20\n';
const DEVC = '{ "image": "node:22" }';

function memoryLister(files: Record<string, string>, asyncList = true): DefinitionLister & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    list: () => (asyncList ? Promise.resolve(Object.keys(files)) : Object.keys(files)),
    read: async (p) => {
      reads.push(p);
      const text = files[p];
      if (text === undefined) throw new Error(`no ${p}`);
      return text;
    },
  };
}

describe('pickDefinitionFile', () => {
  it.each([
    [['.gitpod.yml', '.gitpod.yaml', '.devcontainer/devcontainer.json', '.devcontainer.json', '.devcontainer/a/devcontainer.json'], '.gitpod.yml'],
    [['.gitpod.yaml', '.devcontainer/devcontainer.json', '.devcontainer.json'], '.gitpod.yaml'],
    [['.devcontainer.json', '.devcontainer/devcontainer.json', '.devcontainer/a/devcontainer.json'], '.devcontainer/devcontainer.json'],
    [['.devcontainer/b/devcontainer.json', '.devcontainer.json'], '.devcontainer.json'],
    [
      ['.devcontainer/python/devcontainer.json', '.devcontainer/go/devcontainer.json', '.devcontainer/node/devcontainer.json'],
      '.devcontainer/go/devcontainer.json',
    ],
    [['./.gitpod.yml'], '.gitpod.yml'],
    [['.devcontainer/a/b/devcontainer.json', 'sub/.gitpod.yml', 'devcontainer.json', '.gitpod.yml.bak', 'README.md'], null],
    [[], null],
  ])('%j → %s', (files, picked) => {
    expect(pickDefinitionFile(files)).toBe(picked);
  });
});

describe('discoverDefinition', () => {
  it('parses the first definition found, and reads only that file', async () => {
    const lister = memoryLister({ '.devcontainer/devcontainer.json': DEVC, '.gitpod.yml': GITPOD });
    const r = await discoverDefinition(lister);
    expect(r).toMatchObject({ format: 'gitpod', file: '.gitpod.yml', errors: [] });
    expect(r.spec.image).toEqual({ kind: 'ref', ref: 'node:20' });
    expect(lister.reads).toEqual(['.gitpod.yml']);
  });

  it('accepts a lister whose list() is synchronous', async () => {
    const r = await discoverDefinition(memoryLister({ '.devcontainer.json': DEVC }, false));
    expect(r).toMatchObject({ format: 'devcontainer', file: '.devcontainer.json' });
    expect(r.spec.image).toEqual({ kind: 'ref', ref: 'node:22' });
  });

  it('gives the default spec when there is no definition', async () => {
    expect(await discoverDefinition(memoryLister({ 'README.md': '# hi' }))).toEqual({
      format: 'default',
      file: null,
      spec: defaultSpec(),
      errors: [],
      warnings: [],
    });
  });

  it('turns a failing read into an error on the file', async () => {
    const lister: DefinitionLister = { list: () => ['.gitpod.yml'], read: () => Promise.reject(new Error('disk on fire')) };
    const r = await discoverDefinition(lister);
    expect(r).toMatchObject({ format: 'gitpod', file: '.gitpod.yml' });
    expect(r.errors).toEqual([{ message: 'the file could not be read: disk on fire', path: '', line: 1, column: 1, file: '.gitpod.yml' }]);
  });

  it('passes substitution options to the parser', async () => {
    const r = await discoverDefinition(memoryLister({ '.devcontainer.json': '{ "image": "x", "containerEnv": { "A": "${localEnv:A}" } }' }), {
      localEnv: { A: 'b' },
    });
    expect(r.spec.env).toEqual({ A: 'b' });
  });
});

describe('listerForDirectory', () => {
  it('lists top-level files and .devcontainer down to three levels, nothing else', async () => {
    const dir = makeRepo({
      '.gitpod.yml': GITPOD,
      'README.md': '',
      'src/.gitpod.yml': GITPOD,
      '.devcontainer/devcontainer.json': DEVC,
      '.devcontainer/Dockerfile': 'FROM x',
      '.devcontainer/a/devcontainer.json': DEVC,
      '.devcontainer/a/b/x.txt': '',
      '.devcontainer/a/b/c/too-deep.txt': '',
      'node_modules/x/.gitpod.yml': GITPOD,
    });
    expect(await listerForDirectory(dir).list()).toEqual([
      '.devcontainer/Dockerfile',
      '.devcontainer/a/b/x.txt',
      '.devcontainer/a/devcontainer.json',
      '.devcontainer/devcontainer.json',
      '.gitpod.yml',
      'README.md',
    ]);
  });

  it('discovers a named config in a folder on disk', async () => {
    const dir = makeRepo({ '.devcontainer/zeta/devcontainer.json': '{ "image": "z" }', '.devcontainer/alpha/devcontainer.json': '{ "image": "a" }' });
    const r = await discoverDefinition(listerForDirectory(dir));
    expect(r.file).toBe('.devcontainer/alpha/devcontainer.json');
    expect(r.spec.image).toEqual({ kind: 'ref', ref: 'a' });
  });

  it('refuses to read outside the folder, through .. or through a symbolic link', async () => {
    const outside = tempDir();
    writeFileSync(path.join(outside, 'secret'), 'image: secret\n');
    const dir = makeRepo({ 'x.txt': '' });
    symlinkSync(path.join(outside, 'secret'), path.join(dir, '.gitpod.yml'));
    const lister = listerForDirectory(dir);
    await expect(lister.read('../' + path.basename(outside) + '/secret')).rejects.toThrow(/not a file inside/);
    await expect(lister.read('.gitpod.yml')).rejects.toThrow(/not a file inside/);
    // A link is not listed as a file, so discovery does not pick it.
    expect(await lister.list()).toEqual(['x.txt']);
  });

  it('reads at most one byte past the size limit, so a huge file is refused cheaply', async () => {
    const dir = makeRepo({});
    writeFileSync(path.join(dir, '.gitpod.yml'), Buffer.alloc(MAX_DEFINITION_BYTES * 3, 0x61));
    const lister = listerForDirectory(dir);
    expect((await lister.read('.gitpod.yml')).length).toBe(MAX_DEFINITION_BYTES + 1);
    const r = await discoverDefinition(lister);
    expect(r.errors[0]!.message).toMatch(/Slipway reads definition files up to/);
  });

  it('treats a missing folder as empty', async () => {
    const dir = path.join(tempDir(), 'nope');
    expect(await listerForDirectory(dir).list()).toEqual([]);
    mkdirSync(dir);
    expect((await discoverDefinition(listerForDirectory(dir))).format).toBe('default');
  });
});
