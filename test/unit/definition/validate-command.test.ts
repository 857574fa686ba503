/**
 * `slipway validate`: output, exit codes and options, in-process; then the
 * compiled CLI (bin/slipway.js → dist/server/cli.js) on a few corpus files.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRootForFile } from '../../../server/definition/validate-command.js';
import { makeRepo, readCorpus, repoRoot, runValidate } from './helpers.js';

const exec = promisify(execFile);

describe('slipway validate (in-process)', () => {
  it('validates the current folder by default and prints the spec as JSON on stdout', async () => {
    const dir = makeRepo({ '.gitpod.yml': 'image: node:20\ntasks:\n  - init: npm ci\n' });
    const { code, stdout, stderr } = await runValidate([], dir);
    expect(code).toBe(0);
    const spec = JSON.parse(stdout) as { image: unknown; tasks: { init: string }[] };
    expect(spec.image).toEqual({ kind: 'ref', ref: 'node:20' });
    expect(spec.tasks[0]!.init).toBe('npm ci');
    expect(stderr).toBe('slipway validate: .gitpod.yml (gitpod) is valid\n');
  });

  it('prints warnings as file:line:column: warning: message and still exits 0', async () => {
    const dir = makeRepo({ '.gitpod.yml': 'image: node:20\nfoo: 1\n' });
    const { code, stderr } = await runValidate(['.'], dir);
    expect(code).toBe(0);
    expect(stderr.split('\n')[0]).toBe('.gitpod.yml:2:1: warning: unknown key `foo` at the top level; Slipway ignores it');
    expect(stderr).toContain('is valid, 1 warning(s)');
  });

  it('prints errors as file:line:column: message on stderr and exits 1, paths shown from the working folder', async () => {
    const dir = makeRepo({ 'repo/.gitpod.yml': 'ports:\n  - port: 0\n' });
    const { code, stdout, stderr } = await runValidate(['repo'], dir);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'repo/.gitpod.yml:2:11: `ports[0].port` must be a number from 1 to 65535 or a range like 3000-3010, got 0\nslipway validate: 1 error(s) in .gitpod.yml\n',
    );
  });

  it('--json: ok with spec and warnings', async () => {
    const dir = makeRepo({ '.devcontainer/devcontainer.json': '{ "image": "node:22", "x": 1 }' });
    const { code, stdout } = await runValidate([dir, '--json']);
    expect(code).toBe(0);
    const body = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['ok', 'format', 'file', 'spec', 'warnings']);
    expect(body).toMatchObject({ ok: true, format: 'devcontainer', file: '.devcontainer/devcontainer.json', spec: { image: { kind: 'ref', ref: 'node:22' } } });
    expect(body['warnings']).toEqual([
      { message: 'unknown key `x` at the top level; Slipway ignores it', path: 'x', line: 1, column: 23, file: '.devcontainer/devcontainer.json' },
    ]);
  });

  it('--json: not ok with errors and warnings, no spec, exit 1', async () => {
    const dir = makeRepo({ '.gitpod.yml': 'image:\n  file: ../D\nzzz: 1\n' });
    const { code, stdout } = await runValidate(['--json', dir]);
    expect(code).toBe(1);
    const body = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['ok', 'format', 'file', 'errors', 'warnings']);
    expect(body).toMatchObject({ ok: false, format: 'gitpod', file: '.gitpod.yml' });
    expect(body['errors']).toEqual([
      {
        message: '`image.file` points outside the repository ("../D"); the Dockerfile must be inside it',
        path: 'image.file',
        line: 2,
        column: 9,
        file: '.gitpod.yml',
      },
    ]);
    expect((body['warnings'] as { path: string }[]).map((w) => w.path)).toEqual(['zzz']);
  });

  it('--json: a folder with no definition is the default spec', async () => {
    const { code, stdout } = await runValidate([makeRepo({ 'README.md': '' }), '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, format: 'default', file: null, spec: { image: { kind: 'default' }, tasks: [] }, warnings: [] });
  });

  it('warns, at the line that names it, about a Dockerfile that is not in the folder', async () => {
    const dir = makeRepo({ '.devcontainer/devcontainer.json': '{\n  "build": {\n    "dockerfile": "Dockerfile"\n  }\n}' });
    const { stdout } = await runValidate([dir, '--json']);
    const body = JSON.parse(stdout) as { warnings: { path: string; line: number; column: number; message: string }[] };
    expect(body.warnings.map((w) => [w.path, w.line, w.column])).toEqual([['build.dockerfile', 3, 20]]);
    expect(body.warnings[0]!.message).toMatch(/names ".devcontainer\/Dockerfile" \(from the repository root\), which is not in /);
    const withFile = makeRepo({ '.devcontainer/devcontainer.json': '{ "build": { "dockerfile": "Dockerfile" } }', '.devcontainer/Dockerfile': 'FROM x' });
    expect((JSON.parse((await runValidate([withFile, '--json'])).stdout) as { warnings: unknown[] }).warnings).toEqual([]);
  });

  it('takes the folder above .devcontainer as the repository root for a file given directly', async () => {
    const dir = makeRepo({
      '.devcontainer/py/devcontainer.json': '{ "build": { "dockerfile": "../Dockerfile", "context": "../.." } }',
      '.devcontainer/Dockerfile': 'FROM x',
    });
    const { code, stdout } = await runValidate([path.join(dir, '.devcontainer/py/devcontainer.json'), '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      file: '.devcontainer/py/devcontainer.json',
      spec: { image: { kind: 'dockerfile', dockerfile: '.devcontainer/Dockerfile', context: '.' } },
      warnings: [],
    });
  });

  it.each([
    ['/r/.gitpod.yml', '/r'],
    ['/r/.devcontainer.json', '/r'],
    ['/r/.devcontainer/devcontainer.json', '/r'],
    ['/r/.devcontainer/a/devcontainer.json', '/r'],
    ['/r/configs/image.json', '/r/configs'],
  ])('repoRootForFile(%s) = %s', (file, root) => {
    expect(repoRootForFile(file)).toBe(root);
  });

  it('reads a file with another name by its extension, or by --format', async () => {
    const dir = makeRepo({ 'image.json': '// c\n{ "image": "ubuntu:latest" }', 'conf.txt': 'image: node:20\n' });
    expect(JSON.parse((await runValidate(['image.json', '--json'], dir)).stdout)).toMatchObject({ ok: true, format: 'devcontainer', file: 'image.json' });
    const guessed = await runValidate(['conf.txt', '--json'], dir);
    expect(JSON.parse(guessed.stdout)).toMatchObject({
      ok: false,
      errors: [{ message: 'cannot tell the format of "conf.txt": name it .gitpod.yml or devcontainer.json' }],
    });
    expect(JSON.parse((await runValidate(['conf.txt', '--format', 'gitpod', '--json'], dir)).stdout)).toMatchObject({
      ok: true,
      format: 'gitpod',
      spec: { image: { ref: 'node:20' } },
    });
    expect(JSON.parse((await runValidate(['--format=gitpod', 'conf.txt', '--json'], dir)).stdout)).toMatchObject({ ok: true, format: 'gitpod' });
  });

  it.each([
    [['--nope'], 'unknown option --nope'],
    [['--format', 'toml'], '--format must be gitpod or devcontainer, got "toml"'],
    [['a', 'b'], 'one file or folder at a time (got "b" too)'],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const { code, stderr } = await runValidate(args, makeRepo({}));
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(`slipway validate: ${message}`);
    expect(stderr).toContain('usage: slipway validate');
  });

  it('a missing path is exit 2, with a JSON body under --json', async () => {
    const dir = makeRepo({});
    expect(await runValidate(['nowhere'], dir)).toEqual({ code: 2, stdout: '', stderr: 'slipway validate: no such file or folder: nowhere\n' });
    const json = await runValidate(['nowhere', '--json'], dir);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, errors: [{ message: 'no such file or folder: nowhere' }] });
  });

  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await runValidate(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: slipway validate \[file-or-dir\] \[--json\]/);
  });
});

describe('slipway validate (compiled CLI)', () => {
  const cli = path.join(repoRoot, 'bin', 'slipway.js');
  const compiled = path.join(repoRoot, 'dist', 'server', 'cli.js');
  const run = async (args: string[]) => {
    try {
      const { stdout, stderr } = await exec(process.execPath, [cli, ...args], { cwd: repoRoot });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  beforeAll(async () => {
    const started = Date.now();
    // Type errors elsewhere in the tree make tsc exit non-zero but it still emits; what matters is a fresh cli.js.
    await exec('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot }).catch(() => undefined);
    expect(existsSync(compiled)).toBe(true);
    expect(statSync(compiled).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
    expect(existsSync(path.join(repoRoot, 'dist', 'schema', 'gitpod.schema.json'))).toBe(true);
  });

  it.each([
    ['gitpod/freeCodeCamp__freeCodeCamp.gitpod.yml', '.gitpod.yml', 0],
    ['gitpod/rust-lang__rustlings.gitpod.yml', '.gitpod.yml', 1],
    ['devcontainer/PowerShell__PowerShell.devcontainer.json', '.devcontainer/devcontainer.json', 0],
    ['devcontainer/cli__cli.devcontainer.json', '.devcontainer/devcontainer.json', 1],
    ['devcontainer/withastro__astro__deno.devcontainer.json', '.devcontainer/deno/devcontainer.json', 0],
  ])('%s gives the same answer as in-process', async (corpusFile, at, exitCode) => {
    const dir = makeRepo({ [at]: readCorpus(corpusFile) });
    const spawned = await run(['validate', dir, '--json']);
    const inProcess = await runValidate([dir, '--json']);
    expect(spawned.code).toBe(exitCode);
    expect(inProcess.code).toBe(exitCode);
    expect(JSON.parse(spawned.stdout)).toEqual(JSON.parse(inProcess.stdout));
  });

  it('prints errors with positions and exits 1 without --json', async () => {
    const dir = makeRepo({ '.gitpod.yml': readCorpus('gitpod/benpetersonsbuild__gitpod-vnc-gnome.gitpod.yml') });
    const { code, stderr } = await run(['validate', path.join(dir, '.gitpod.yml')]);
    expect(code).toBe(1);
    expect(stderr).toContain('.gitpod.yml:5:3: `ports` must be a list (- item), got a mapping');
  });

  it('has help and refuses unknown commands', async () => {
    const help = await run(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/validate\s+check a .gitpod.yml/);
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`slipway: unknown command "frobnicate"; try 'slipway help'\n`);
  });
});
