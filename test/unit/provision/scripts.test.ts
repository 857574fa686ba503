/**
 * The shell text provisioning runs (server/provision/scripts.ts), run by a
 * real /bin/sh on the host: the order of before / init / command in a task
 * terminal, a headless run stopping at the first failing step with its exit
 * code, and the three forms of a lifecycle command. No Docker, milliseconds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { failedStepOf, headlessScript, lifecycleToShell, shellQuote, shellRcScript, taskRcScript, workspacePaths } from '../../../server/provision/scripts.js';
import { defaultSpec } from '../../../server/definition/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'slipway-scripts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sh(script: string, shell = '/bin/sh'): { code: number; out: string } {
  // HOME points at the scratch folder so the rc file's "$HOME/.bashrc" is not the developer's.
  const result = spawnSync(shell, ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } });
  return { code: result.status ?? -1, out: result.stdout + result.stderr };
}

const lines = (out: string) => out.split('\n').filter((l) => /^(step|cwd)/.test(l));

describe('a task terminal runs before, init (first start only), command, in its folder', () => {
  const task = {
    name: 'app',
    before: 'echo step-before',
    init: 'echo step-init',
    command: 'echo step-command; echo "cwd $(pwd)"; echo "step-env $GREETING"',
    env: { GREETING: "it's here" },
  };
  it.each([
    [true, ['step-before', 'step-init', 'step-command', `cwd ${dir}`, "step-env it's here"]],
    [false, ['step-before', 'step-command', `cwd ${dir}`, "step-env it's here"]],
  ])('runInit %s', (runInit, expected) => {
    // The terminal's bash sources this file (it reads /etc/bash.bashrc, which only bash parses); running it runs the same lines in the same order.
    const { out } = sh(taskRcScript({ task, runInit, workdir: dir, title: 'app' }), 'bash');
    expect(lines(out)).toEqual(expected);
  });
});

describe('a headless run (prebuild, first start) stops at the first failing step', () => {
  it("runs the steps in order and exits with the failing step's code", () => {
    const script = headlessScript(
      [
        { name: 'onCreateCommand', script: 'echo step-1' },
        { name: 'empty', script: '   ' },
        { name: 'updateContentCommand', script: 'echo step-2\nexit 4\necho step-never' },
        { name: 'postCreateCommand', script: 'echo step-3' },
      ],
      dir,
    )!;
    const { code, out } = sh(script);
    expect(code).toBe(4);
    expect(lines(out)).toEqual(['step-1', 'step-2']);
    expect(out).toContain('updateContentCommand failed with exit code 4');
  });

  it('exports the env, changes into the work folder, and is null with nothing to run', () => {
    const { code, out } = sh(headlessScript([{ name: 'x', script: 'echo "step $A"; echo "cwd $(pwd)"' }], dir, { A: 'a b', 'NOT-A-NAME': 'x' })!);
    expect(code).toBe(0);
    expect(lines(out)).toEqual(['step a b', `cwd ${dir}`]);
    expect(
      headlessScript(
        [
          { name: 'x', script: null },
          { name: 'y', script: ' \n' },
        ],
        dir,
      ),
    ).toBeNull();
  });
});

describe('lifecycle commands in their three forms', () => {
  it('a string is shell, an array is one quoted command', () => {
    expect(sh(lifecycleToShell('echo step-$((1+1))')!).out.trim()).toBe('step-2');
    expect(sh(lifecycleToShell(['echo', 'step', '$HOME; rm -rf /'])!).out.trim()).toBe('step $HOME; rm -rf /');
    expect(lifecycleToShell('  ')).toBeNull();
    expect(lifecycleToShell([])).toBeNull();
    expect(lifecycleToShell(null)).toBeNull();
  });

  it('named commands run in parallel, each line prefixed with its name', () => {
    const ok = sh(lifecycleToShell({ a: 'echo one', b: ['echo', 'two'] })!);
    expect(ok.code).toBe(0);
    expect(ok.out.split('\n').filter(Boolean).sort()).toEqual(['[a] one', '[b] two']);
    expect(lifecycleToShell({ a: 'echo only' })).toBe('echo only');
    expect(lifecycleToShell({ a: '', b: [] })).toBeNull();
  });

  // The named commands are piped through sed for their prefix: the status must be each command's, not sed's.
  it.each(['/bin/sh', 'bash'])('a failing named command fails the whole with its exit code (%s), also inside a headless step', (shell) => {
    const failing = lifecycleToShell({ a: 'echo one', b: 'echo two; exit 3', c: 'sleep 0.1; echo three' })!;
    const run = sh(failing, shell);
    expect(run.code).toBe(3);
    expect(run.out.split('\n').filter(Boolean).sort()).toEqual(['[a] one', '[b] two', '[c] three']);
    const headless = sh(
      headlessScript(
        [
          { name: 'postCreateCommand', script: failing },
          { name: 'never', script: 'echo step-never' },
        ],
        dir,
      )!,
      shell,
    );
    expect(headless.code).toBe(3);
    expect(headless.out).toContain('postCreateCommand failed with exit code 3');
    expect(headless.out).not.toContain('step-never');
    expect(sh(lifecycleToShell({ a: 'true', b: ['false'] })!, shell).code).toBe(1);
  });
});

describe('which lifecycle command failed', () => {
  it('is read from the real output of a failing headless run, among the given names only', () => {
    const names = ['onCreateCommand', 'updateContentCommand', 'postCreateCommand'];
    const script = headlessScript(
      [
        { name: 'onCreateCommand', script: 'echo ok' },
        { name: 'postCreateCommand', script: 'echo "fake failed with exit code 9"; exit 3' },
      ],
      dir,
    )!;
    const run = sh(script);
    expect(run.code).toBe(3);
    expect(failedStepOf(run.out, names)).toEqual({ name: 'postCreateCommand', exitCode: 3 });
    expect(failedStepOf(sh(headlessScript([{ name: 'onCreateCommand', script: 'true' }], dir)!).out, names)).toBeNull();
  });

  it('a shell after a failure prints the notice and does not run postAttach', () => {
    const out = sh(shellRcScript({ workdir: dir, postAttach: null, notice: "postCreateCommand failed with exit code 3; it's skipped" }), 'bash').out;
    expect(out).toContain("postCreateCommand failed with exit code 3; it's skipped");
  });
});

describe('paths and quoting', () => {
  it.each([
    [null, null, '/workspace/app', '/workspace/app'],
    ['src/', null, '/workspace/src', '/workspace/src'],
    ['/abs/co', 'web', '/abs/co', '/workspace/web'],
  ])('checkoutLocation %s, workspaceLocation %s', (checkoutLocation, workspaceLocation, checkout, workdir) => {
    expect(workspacePaths({ ...defaultSpec(), checkoutLocation, workspaceLocation }, 'app')).toEqual({ checkout, workdir });
  });

  it.each(["it's", 'a b', '$(id)', '`id`', 'back\\slash', 'new\nline', ''])('shellQuote(%j) survives the shell', (value) => {
    expect(sh(`printf '%s' ${shellQuote(value)}`).out).toBe(value);
  });
});
