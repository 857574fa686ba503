/**
 * The order and content of provisioning (server/provision/plan.ts) for a cold
 * start, a start from an exact or an ancestor's prebuild snapshot, and a
 * prebuild: what the integration tests see, checked in milliseconds.
 */
import { describe, expect, it } from 'vitest';
import { defaultSpec, parseDefinition, serverSubstitution, type WorkspaceSpec } from '../../../server/definition/index.js';
import {
  planContainer,
  planProvision,
  planScripts,
  prebuildTasks,
  type ProvisionConfig,
  type ProvisionStep,
  type ProvisionTarget,
} from '../../../server/provision/plan.js';

const config: ProvisionConfig = { publicUrl: 'https://slipway.example', extraCaCerts: null, limits: { cpus: 2, memoryBytes: 4 << 30, pids: 4096 } };
const repo = { repoUrl: 'https://git.example/team/app.git', repoName: 'app', commit: 'c'.repeat(40), branch: 'main' };

const cold: ProvisionTarget = { kind: 'workspace', id: 'w1', ownerId: 'u1', contextUrl: 'https://git.example/team/app', image: 'slipway/workspace-base', repo };
const exact: ProvisionTarget = {
  kind: 'from-snapshot',
  id: 'w2',
  ownerId: 'u1',
  contextUrl: 'https://git.example/team/app',
  snapshot: { id: 'p1', commit: repo.commit, imageRef: 'slipway/prebuild-app:p1' },
  incremental: false,
  removedFiles: [],
  repo,
};
const incremental: ProvisionTarget = {
  ...exact,
  id: 'w3',
  snapshot: { id: 'p0', commit: 'a'.repeat(40), imageRef: 'slipway/prebuild-app:p0' },
  incremental: true,
  removedFiles: ['old.txt'],
};
const prebuild: ProvisionTarget = { kind: 'prebuild', id: 'p1', projectId: 'pr1', image: 'slipway/workspace-base', repo };

function spec(file: string, text: string): WorkspaceSpec {
  const parsed = parseDefinition(file, text);
  expect(parsed.errors).toEqual([]);
  return parsed.spec;
}

const gitpod = spec(
  '.gitpod.yml',
  [
    'tasks:',
    '  - name: deps',
    '    before: echo before1',
    '    init: npm ci',
    '    command: npm start',
    '  - init: make',
    'gitConfig:',
    '  pull.rebase: "true"',
    '',
  ].join('\n'),
);
const devcontainer = spec(
  '.devcontainer/devcontainer.json',
  JSON.stringify({
    image: 'node:20',
    onCreateCommand: 'echo create',
    updateContentCommand: ['npm', 'ci'],
    postCreateCommand: 'echo post',
    postStartCommand: 'npm start',
  }),
);
const bare = spec('.gitpod.yml', 'image: node:20\n');

/** A step in a form a table can hold. */
const short = (s: ProvisionStep) =>
  s.kind === 'checkout'
    ? `checkout:${s.how}${s.early ? ':early' : ''}`
    : s.kind === 'terminals'
      ? `terminals:${s.runInit ? 'init' : 'no-init'}`
      : s.kind === 'headless'
        ? `headless:${s.name}`
        : s.kind;

describe('provision plan: what runs, in which order', () => {
  it.each([
    ['cold, .gitpod.yml', gitpod, cold, ['container', 'checkout:clone:early', 'git-config', 'terminals:init']],
    ['exact prebuild, .gitpod.yml', gitpod, exact, ['container', 'terminals:no-init']],
    ['ancestor prebuild, .gitpod.yml', gitpod, incremental, ['container', 'checkout:forward', 'terminals:init']],
    ['prebuild, .gitpod.yml', gitpod, prebuild, ['container', 'checkout:clone', 'git-config', 'headless:task-0', 'headless:task-1']],
    ['cold, devcontainer', devcontainer, cold, ['container', 'checkout:clone:early', 'headless:lifecycle', 'terminals:init']],
    ['exact prebuild, devcontainer', devcontainer, exact, ['container', 'headless:lifecycle', 'terminals:no-init']],
    ['ancestor prebuild, devcontainer', devcontainer, incremental, ['container', 'checkout:forward', 'headless:lifecycle', 'terminals:init']],
    ['prebuild, devcontainer', devcontainer, prebuild, ['container', 'checkout:clone', 'headless:task-0']],
    ['cold, no setup', bare, cold, ['container', 'checkout:clone:early', 'terminals:init']],
    ['prebuild, no setup', bare, prebuild, ['container', 'checkout:clone']],
  ] as const)('%s', (_name, s, target, expected) => {
    expect(planProvision(s, target, config).steps.map(short)).toEqual(expected);
  });

  it('each devcontainer lifecycle command runs where DESIGN §3 puts it', () => {
    const scripts = (target: ProvisionTarget) => planScripts(devcontainer, target).map((s) => (s.kind === 'headless' ? s.script : ''));
    const [coldScript] = scripts(cold);
    expect(coldScript).toMatch(/echo create[\s\S]*npm ci[\s\S]*echo post/);
    // The prebuild ran onCreate and updateContent; postCreate is once per workspace.
    expect(scripts(exact)).toEqual([expect.not.stringMatching(/echo create|npm ci/)]);
    expect(scripts(exact)[0]).toContain('echo post');
    // The content moved since the snapshot: updateContent again, never onCreate.
    expect(scripts(incremental)[0]).toMatch(/npm ci[\s\S]*echo post/);
    expect(scripts(incremental)[0]).not.toContain('echo create');
    // A prebuild never runs postCreate or postStart.
    expect(scripts(prebuild)[0]).toMatch(/echo create[\s\S]*npm ci/);
    expect(scripts(prebuild)[0]).not.toMatch(/echo post|npm start/);
  });

  it('a prebuild runs each task before + init, in its own logged step, never command', () => {
    const steps = planScripts(gitpod, prebuild).filter((s) => s.kind === 'headless');
    expect(steps.map((s) => [s.name, s.label, s.taskIndex])).toEqual([
      ['task-0', 'deps', 0],
      ['task-1', 'Task 2', 1],
    ]);
    expect(steps[0]!.kind === 'headless' && steps[0]!.script).toMatch(/echo before1[\s\S]*npm ci/);
    expect(steps.map((s) => (s.kind === 'headless' ? s.script : '')).join('\n')).not.toContain('npm start');
    expect(prebuildTasks(gitpod).map((t) => t.name)).toEqual(['deps', 'Task 2']);
  });

  it('checkout paths, the host clone and the folder prep', () => {
    const c = planProvision(gitpod, cold, config);
    expect(c.checkout).toBe('/workspace/app');
    // The cold start's prep makes the checkout's parent, so the copy needs no exec of its own.
    expect(c.prep.dirs).toEqual(['/workspace']);
    expect(c.steps.find((s) => s.kind === 'checkout')).toMatchObject({ parentReady: true, early: true, path: '/workspace/app' });
    const inc = planProvision(gitpod, incremental, config);
    expect(inc.steps.find((s) => s.kind === 'checkout')).toMatchObject({
      how: 'forward',
      removedFiles: ['old.txt'],
      title: expect.stringMatching(/from aaaaaaaaaaaa to cccccccccccc/),
    });
    expect(planProvision(gitpod, prebuild, config).scratchPrefix).toBe('prebuild-p1');
    const located = spec('.gitpod.yml', 'checkoutLocation: src/app\nworkspaceLocation: src/app/web\n');
    expect(planProvision(located, cold, config)).toMatchObject({
      checkout: '/workspace/src/app',
      workdir: '/workspace/src/app/web',
      prep: { dirs: ['/workspace/src'] },
    });
  });

  // Parsed as the server does (serverSubstitution): a devcontainer repository lives at /workspaces/<name>, at every kind of start,
  // so a prebuild's snapshot and a start from it (exact or brought forward) agree; .gitpod.yml and no definition keep /workspace/<name>.
  it('a devcontainer repository at /workspaces/<name> for every target; gitpod and the default at /workspace/<name>', () => {
    const server = (file: string, text: string) => parseDefinition(file, text, serverSubstitution(repo.repoName)).spec;
    const dc = server('.devcontainer/devcontainer.json', JSON.stringify({ image: 'node:20', postCreateCommand: 'ls ${containerWorkspaceFolder}' }));
    for (const target of [cold, exact, incremental, prebuild]) {
      const plan = planProvision(dc, target, config);
      expect([plan.checkout, plan.workdir]).toEqual(['/workspaces/app', '/workspaces/app']);
      const checkout = plan.steps.find((s) => s.kind === 'checkout');
      if (checkout) expect(checkout).toMatchObject({ path: '/workspaces/app' });
      expect(plan.container.env).toMatchObject({ SLIPWAY_REPO_ROOT: '/workspaces/app' });
    }
    expect(planProvision(dc, cold, config).prep.dirs).toEqual(['/workspaces']);
    expect(planScripts(dc, cold).map((s) => (s.kind === 'headless' ? s.script : ''))[0]).toContain('ls /workspaces/app');
    const mounted = server(
      '.devcontainer/devcontainer.json',
      JSON.stringify({ image: 'x', workspaceMount: 'source=${localWorkspaceFolder},target=/code,type=bind', workspaceFolder: '/code/web' }),
    );
    expect(planProvision(mounted, incremental, config)).toMatchObject({ checkout: '/code', workdir: '/code/web' });
    expect(planProvision(server('.gitpod.yml', 'image: node:20\n'), cold, config).checkout).toBe('/workspace/app');
    expect(planProvision(defaultSpec(), prebuild, config).checkout).toBe('/workspace/app');
  });
});

describe('provision plan: the container', () => {
  it('a workspace: its name, image, labels, env and limits', () => {
    const c = planContainer(gitpod, cold, config);
    expect(c).toMatchObject({ name: 'slipway-w1', image: 'slipway/workspace-base', hostname: 'w1', limits: config.limits });
    expect(c.labels).toEqual({
      'slipway.workspace': 'w1',
      'slipway.owner': 'u1',
      'slipway.repo': repo.repoUrl,
      'slipway.commit': repo.commit,
      'slipway.kind': 'workspace',
    });
    expect(c.env).toMatchObject({
      SLIPWAY_WORKSPACE_ID: 'w1',
      SLIPWAY_WORKSPACE_URL: 'https://slipway.example/w/w1',
      GITPOD_WORKSPACE_CONTEXT_URL: 'https://git.example/team/app',
      GITPOD_REPO_ROOT: '/workspace/app',
      SLIPWAY_COMMIT: repo.commit,
      SLIPWAY_BRANCH: 'main',
    });
    expect(c.env.NODE_EXTRA_CA_CERTS).toBeUndefined();
    expect(c.user).toBeUndefined(); // the image's own user runs; terminals use spec.user
  });

  it('a workspace from a snapshot runs the snapshot image, labelled as a workspace', () => {
    const c = planContainer(gitpod, incremental, config);
    expect(c.image).toBe('slipway/prebuild-app:p0');
    expect(c.labels['slipway.kind']).toBe('workspace');
    expect(c.labels['slipway.workspace']).toBe('w3');
  });

  it('a prebuild container: its own name and labels, the prebuild API as its URL', () => {
    const c = planContainer(gitpod, prebuild, config);
    expect(c.name).toBe('slipway-prebuild-p1');
    expect(c.labels).toEqual({ 'slipway.kind': 'prebuild-build', 'slipway.prebuild': 'p1', 'slipway.project': 'pr1' });
    expect(c.env).toMatchObject({ SLIPWAY_WORKSPACE_URL: 'https://slipway.example/api/prebuilds/p1', SLIPWAY_WORKSPACE_CONTEXT_URL: repo.repoUrl });
  });

  it('extra CA certificates: the bundle goes to the prep and NODE_EXTRA_CA_CERTS points at it, for every target', () => {
    const withCa = { ...config, extraCaCerts: '-----BEGIN CERTIFICATE-----\n' };
    for (const target of [cold, exact, incremental, prebuild]) {
      const plan = planProvision(gitpod, target, withCa);
      expect(plan.container.env.NODE_EXTRA_CA_CERTS).toBe('/.slipway/extra-ca.crt');
      expect(plan.prep.extraCaCerts).toBe(withCa.extraCaCerts);
    }
  });

  it("the definition's env comes last: it may override the defaults", () => {
    const s = spec('.gitpod.yml', 'env:\n  GITPOD_REPO_ROOT: /elsewhere\n  FOO: bar\n');
    expect(planContainer(s, cold, config).env).toMatchObject({ GITPOD_REPO_ROOT: '/elsewhere', FOO: 'bar', SLIPWAY_REPO_ROOT: '/workspace/app' });
  });
});
