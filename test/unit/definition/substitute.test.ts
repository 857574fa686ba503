/**
 * devcontainer variable substitution: each variable, its defaults, what is
 * left for later, and where in a devcontainer.json it applies.
 */
import { describe, expect, it } from 'vitest';
import { parseDefinition, resolveContainerEnv, resolveContainerEnvDeep } from '../../../server/definition/index.js';
import { substitute, type SubstitutionContext } from '../../../server/definition/substitute.js';

const ctx: SubstitutionContext = {
  localEnv: { HOME: '/home/me', EMPTY: '', USER: 'me' },
  localWorkspaceFolder: '/home/me/src/proj',
  containerWorkspaceFolder: '/workspaces/proj',
};

describe('substitute', () => {
  it.each([
    ['${localEnv:HOME}/.ssh', '/home/me/.ssh'],
    ['${localEnv:MISSING}', ''],
    ['${localEnv:MISSING:fallback}', 'fallback'],
    ['${localEnv:MISSING:http://x:8080}', 'http://x:8080'],
    ['${localEnv:EMPTY:fallback}', ''],
    ['${env:USER}', 'me'],
    ['${localWorkspaceFolder}', '/home/me/src/proj'],
    ['${localWorkspaceFolderBasename}', 'proj'],
    ['${containerWorkspaceFolder}/bin', '/workspaces/proj/bin'],
    ['${containerWorkspaceFolderBasename}', 'proj'],
    ['${containerEnv:PATH}:/x', '${containerEnv:PATH}:/x'],
    ['${devcontainerId}', '${devcontainerId}'],
    ['${unknown}', '${unknown}'],
    ['$HOME and ${HOME}', '$HOME and ${HOME}'],
    ['$${localEnv:USER}', '$me'],
    ['a ${localEnv:USER} b ${localEnv:HOME} c', 'a me b /home/me c'],
    ['no variables', 'no variables'],
  ])('%s → %s', (input, output) => {
    expect(substitute(input, ctx)).toBe(output);
  });

  it('leaves folder variables as written when the folders are not known', () => {
    const bare: SubstitutionContext = { localEnv: {}, localWorkspaceFolder: undefined, containerWorkspaceFolder: undefined };
    for (const v of ['${localWorkspaceFolder}', '${localWorkspaceFolderBasename}', '${containerWorkspaceFolder}', '${containerWorkspaceFolderBasename}']) {
      expect(substitute(v, bare)).toBe(v);
    }
    expect(substitute('${localEnv:HOME}', bare)).toBe('');
  });

  it('takes the basename of Windows-style and trailing-slash folders', () => {
    expect(substitute('${localWorkspaceFolderBasename}', { ...ctx, localWorkspaceFolder: 'C:\\src\\proj\\' })).toBe('proj');
  });
});

describe('resolveContainerEnv', () => {
  it.each([
    ['${containerEnv:PATH}:/x', { PATH: '/usr/bin' }, '/usr/bin:/x'],
    ['${containerEnv:NOPE}', {}, ''],
    ['${containerEnv:NOPE:/default}', {}, '/default'],
    ['${localEnv:X} ${containerEnv:A}', { A: 'a' }, '${localEnv:X} a'],
  ])('%s with %j → %s', (input, env, output) => {
    expect(resolveContainerEnv(input, env)).toBe(output);
  });

  it('resolves every string in a command or env map', () => {
    expect(resolveContainerEnvDeep({ a: ['${containerEnv:H}/bin', 'x'], b: 'y' }, { H: '/h' })).toEqual({ a: ['/h/bin', 'x'], b: 'y' });
  });
});

describe('substitution in devcontainer.json', () => {
  const options = { localEnv: { TOKEN: 't0k', GID: '1000', REG: 'ghcr.io/me' }, localWorkspaceFolder: '/src/app' };
  const parse = (doc: unknown, extra: Record<string, unknown> = {}) => {
    const r = parseDefinition('.devcontainer/devcontainer.json', JSON.stringify(doc), { ...options, ...extra });
    expect(r.errors).toEqual([]);
    return r.spec;
  };

  it('applies to env, lifecycle commands, workspaceFolder, mounts, runArgs, build args and image', () => {
    const spec = parse({
      image: '${localEnv:REG}/img:1',
      workspaceFolder: '/workspaces/${localWorkspaceFolderBasename}',
      containerEnv: { T: '${localEnv:TOKEN}' },
      remoteEnv: { P: '${containerWorkspaceFolder}/bin:${containerEnv:PATH}' },
      postCreateCommand: ['echo', '${containerWorkspaceFolderBasename}'],
      postStartCommand: { a: 'ls ${containerWorkspaceFolder}' },
      mounts: ['source=${localWorkspaceFolder}/.cache,target=/c,type=bind', { source: '${localEnv:TOKEN}', target: '/t', type: 'volume' }],
      runArgs: ['--label', 'dir=${localWorkspaceFolder}'],
    });
    expect(spec.image).toEqual({ kind: 'ref', ref: 'ghcr.io/me/img:1' });
    expect(spec.checkoutLocation).toBe('/workspaces/app');
    expect(spec.env).toEqual({ T: 't0k', P: '/workspaces/app/bin:${containerEnv:PATH}' });
    expect(spec.lifecycle.postCreate).toEqual(['echo', 'app']);
    expect(spec.lifecycle.postStart).toEqual({ a: 'ls /workspaces/app' });
    expect(spec.extra['mounts']).toEqual(['source=/src/app/.cache,target=/c,type=bind', { source: 't0k', target: '/t', type: 'volume' }]);
    expect(spec.extra['runArgs']).toEqual(['--label', 'dir=/src/app']);
    expect(parse({ build: { dockerfile: 'D', args: { GID: '${localEnv:GID}', U: '${localEnv:NOPE:1000}' } } }).image).toMatchObject({
      args: { GID: '1000', U: '1000' },
    });
  });

  it('picks the container folder: workspaceFolder, else the option, else /workspaces/<local folder name>', () => {
    const cmd = { postCreateCommand: 'cd ${containerWorkspaceFolder}' };
    expect(parse({ image: 'x', workspaceFolder: '/w', ...cmd }, { containerWorkspaceFolder: '/opt' }).lifecycle.postCreate).toBe('cd /w');
    expect(parse({ image: 'x', ...cmd }, { containerWorkspaceFolder: '/opt' }).lifecycle.postCreate).toBe('cd /opt');
    expect(parse({ image: 'x', ...cmd }).lifecycle.postCreate).toBe('cd /workspaces/app');
    const none = parseDefinition('.devcontainer.json', JSON.stringify({ image: 'x', ...cmd }));
    expect(none.spec.lifecycle.postCreate).toBe('cd ${containerWorkspaceFolder}');
  });

  it('does not substitute in features or customizations (kept as written)', () => {
    const spec = parse({ image: 'x', features: { f: { v: '${localEnv:TOKEN}' } }, customizations: { vscode: { settings: { a: '${localEnv:TOKEN}' } } } });
    expect(spec.extra['features']).toEqual({ f: { v: '${localEnv:TOKEN}' } });
    expect(spec.extra['customizations']).toEqual({ vscode: { settings: { a: '${localEnv:TOKEN}' } } });
  });

  it('does not substitute in .gitpod.yml (the format has no variables of this kind)', () => {
    const r = parseDefinition('.gitpod.yml', 'tasks:\n  - command: echo ${localEnv:TOKEN}\n', options);
    expect(r.spec.tasks[0]!.command).toBe('echo ${localEnv:TOKEN}');
  });
});
