/**
 * Exact parsed values for a sample of the corpus, file by file: image,
 * tasks, ports, lifecycle commands, env. Each file is parsed at the path it
 * has in its repository, with a fixed local folder for substitutions.
 */
import { describe, expect, it } from 'vitest';
import { parseDefinition, specToJSON, type ParseResult } from '../../../server/definition/index.js';
import { readCorpus } from './helpers.js';

const LOCAL = '/src/myrepo';

function parse(corpusFile: string, repoPath: string): ParseResult {
  const result = parseDefinition(repoPath, readCorpus(corpusFile), { localWorkspaceFolder: LOCAL, localEnv: {} });
  expect(result.errors).toEqual([]);
  return result;
}

const port = (p: number, onOpen = 'notify', visibility = 'private', name: string | null = null) => ({
  port: p,
  endPort: null,
  onOpen,
  visibility,
  name,
  description: null,
  protocol: 'http',
});

describe('corpus values: .gitpod.yml', () => {
  it('0art0/lean4-gym: Dockerfile image, one init task, one extension', () => {
    const { spec } = parse('gitpod/0art0__lean4-gym.gitpod.yml', '.gitpod.yml');
    expect(spec.image).toEqual({ kind: 'dockerfile', dockerfile: '.gitpod.Dockerfile', context: '.', args: {}, target: null });
    expect(spec.tasks).toEqual([{ name: null, before: null, init: 'lake build\n', command: null, env: {}, openMode: null, openIn: null }]);
    expect(spec.extensions).toEqual(['leanprover.lean4']);
    expect(spec.lifecycle).toEqual({ onCreate: null, updateContent: null, postCreate: null, postStart: null, postAttach: null });
  });

  it('10MINT/gitpod-symfony: image name, before and init', () => {
    const { spec } = parse('gitpod/10MINT__gitpod-symfony.gitpod.yml', '.gitpod.yml');
    expect(spec.image).toEqual({ kind: 'ref', ref: 'gitpod/workspace-mysql' });
    expect(spec.tasks).toHaveLength(1);
    expect(spec.tasks[0]!.init).toBe('composer install');
    expect(spec.tasks[0]!.before).toBe('wget https://get.symfony.com/cli/installer -O - | bash && export PATH="$HOME/.symfony/bin:$PATH"');
    expect(spec.tasks[0]!.command).toBeNull();
  });

  it('4GeeksAcademy/react-flask-hello: folded scalars, ports with visibility', () => {
    const { spec } = parse('gitpod/4GeeksAcademy__react-flask-hello.gitpod.yml', '.gitpod.yml');
    expect(spec.ports).toEqual([port(3000, 'open-browser', 'public'), port(3001, 'open-preview', 'public'), port(5432, 'ignore')]);
    // A folded scalar joins lines with spaces; the file's trailing spaces stay.
    expect(spec.tasks[0]!.init).toMatch(/^nvm install 14 && \(cp -n \.env\.example \.env \|\| true\) && {2}echo "" >> \.env/);
    expect(spec.tasks[0]!.init).toContain('BACKEND_URL=https://3001-${GITPOD_WORKSPACE_URL:8}');
    expect(spec.tasks[1]).toMatchObject({
      init: null,
      command: 'nvm install 14 && npm install && python docs/assets/greeting.py front\n',
      openMode: 'split-right',
    });
  });

  it('freeCodeCamp/freeCodeCamp: four tasks, five ports', () => {
    const { spec } = parse('gitpod/freeCodeCamp__freeCodeCamp.gitpod.yml', '.gitpod.yml');
    expect(spec.tasks.map((t) => t.name)).toEqual([null, 'db', 'server', 'client']);
    expect(spec.tasks[1]!.before).toBe('mkdir -p /workspace/data && (mongod --dbpath /workspace/data &)\n');
    expect(spec.tasks[2]!.init).toBe(
      'cp sample.env .env && npm ci && gp sync-done npm-ci && gp await-port 27017 && npm run seed && mongo --eval "db.fsyncLock(); db.fsyncUnlock()"\n',
    );
    expect(spec.tasks[3]!.openMode).toBe('split-right');
    expect(spec.ports.map((p) => [p.port, p.onOpen])).toEqual([
      [27017, 'ignore'],
      [8000, 'open-preview'],
      [9228, 'ignore'],
      [3000, 'ignore'],
      [9229, 'ignore'],
    ]);
    expect(spec.extra['github']).toEqual({
      prebuilds: {
        master: true,
        branches: true,
        pullRequests: true,
        pullRequestsFromForks: true,
        addCheck: true,
        addComment: true,
        addBadge: false,
        addLabel: false,
      },
    });
  });

  it('gitpod-samples/template-php-laravel-mysql: port names and visibility', () => {
    const { spec } = parse('gitpod/gitpod-samples__template-php-laravel-mysql.gitpod.yml', '.gitpod.yml');
    expect(spec.ports).toEqual([port(3306, 'ignore', 'private', 'MySQL Database Port'), port(5173, 'ignore', 'public', 'Node Server for Vite')]);
    expect(spec.tasks[0]!.name).toBe('Setup Sail environment and Composer dependencies');
    expect(spec.tasks[0]!.before).toBe(
      'sudo curl -o /usr/local/bin/docker-compose -fsSL https://github.com/docker/compose/releases/download/v2.16.0/docker-compose-linux-$(uname -m)',
    );
    expect(spec.tasks[1]).toMatchObject({ name: 'Install Node dependencies and run Vite', openMode: 'split-right', init: null });
    expect(spec.extensions).toHaveLength(7);
  });

  it('FLimburg/wasmEdge-tutorial: `command:` with no value is null', () => {
    const { spec } = parse('gitpod/FLimburg__wasmEdge-tutorial.gitpod.yml', '.gitpod.yaml');
    expect(spec.image).toEqual({ kind: 'ref', ref: 'gitpod/workspace-rust' });
    expect(spec.tasks[0]).toMatchObject({ name: 'build and run', command: null });
    expect(spec.tasks[0]!.init!.split('\n')[0]).toBe('rustup target add wasm32-wasi');
    expect(spec.tasks[1]).toMatchObject({ name: 'test', openMode: 'tab-after', command: 'gp ports await 8080\ncurl localhost:8080\n' });
  });

  it('100DaysOfCloud/challenge-dynamodb-local: task env', () => {
    const { spec } = parse('gitpod/100DaysOfCloud__challenge-dynamodb-local.gitpod.yml', '.gitpod.yml');
    expect(spec.tasks.map((t) => t.name)).toEqual(['docker', 'aws-cli']);
    expect(spec.tasks[1]!.env).toEqual({ AWS_CLI_AUTO_PROMPT: 'on-partial' });
    expect(spec.tasks[0]!.command).toBe('docker-compose up\n');
  });

  it('gitpod-samples/template-ruby-on-rails-postgres: jetbrains kept, names before ports', () => {
    const { spec } = parse('gitpod/gitpod-samples__template-ruby-on-rails-postgres.gitpod.yml', '.gitpod.yml');
    expect(spec.ports).toEqual([port(3000, 'open-preview', 'private', 'Rails server'), port(5432, 'ignore', 'private', 'PostgreSQL server')]);
    expect(spec.extra['jetbrains']).toEqual({ rubymine: { prebuilds: { version: 'both' } } });
    expect(spec.tasks[0]!.command).toBe('rails server -b 0.0.0.0\n');
  });

  it('leanprover-community/mathlib4 and eclipse-theia/theia: Dockerfile paths as written from the root', () => {
    expect(parse('gitpod/leanprover-community__mathlib4.gitpod.yml', '.gitpod.yml').spec.image).toMatchObject({
      dockerfile: '.docker/gitpod/Dockerfile',
      context: '.',
    });
    const theia = parse('gitpod/eclipse-theia__theia.gitpod.yml', '.gitpod.yml').spec;
    expect(theia.image).toMatchObject({ kind: 'dockerfile', dockerfile: '.gitpod.dockerfile' });
    expect(theia.tasks[0]!.command).toBe('jwm & npm run start:browser ../.. --hostname=0.0.0.0\n');
    expect(theia.ports.map((p) => p.port)).toEqual([3000, 3030, 5900, 6080, 9229, 9339]);
    expect(theia.ports[0]!.onOpen).toBe('notify');
  });

  it('gitpod-io/demo-multi-repo-frontend: additionalRepositories kept, with a warning', () => {
    const r = parse('gitpod/gitpod-io__demo-multi-repo-frontend.gitpod.yml', '.gitpod.yml');
    expect(r.spec.extra['additionalRepositories']).toEqual([{ url: 'https://github.com/gitpod-io/demo-multi-repo-backend', checkoutLocation: 'backend' }]);
    expect(r.warnings.map((w) => [w.path, w.line])).toEqual([['additionalRepositories', 28]]);
    expect(r.spec.tasks[0]).toMatchObject({ name: 'backend', before: 'cd ../backend\n', init: 'echo npm install\necho npm run build\n' });
  });

  it('0xKrauser/smart-contract-boilerplate: `&source` inside a plain scalar is text', () => {
    const { spec } = parse('gitpod/0xKrauser__smart-contract-boilerplate.gitpod.yml', '.gitpod.yml');
    expect(spec.tasks[0]!.init).toContain('| bash &source /home/gitpod/.bashrc && foundryup & source');
    expect(spec.tasks[0]).toMatchObject({ name: 'Setup', before: 'yarn', command: 'yarn compile' });
  });
});

describe('corpus values: devcontainer.json', () => {
  it('PowerShell/PowerShell: every lifecycle command as an argv array', () => {
    const r = parse('devcontainer/PowerShell__PowerShell.devcontainer.json', '.devcontainer/devcontainer.json');
    const argv = (script: string) => ['/usr/bin/pwsh', '-nop', '-noni', '-f', `/devcontainer/scripts/${script}`];
    expect(r.spec.lifecycle).toEqual({
      onCreate: argv('1-onCreate.ps1'),
      updateContent: argv('2-updateContent.ps1'),
      postCreate: argv('3-postCreate.ps1'),
      postStart: argv('4-postStart.ps1'),
      postAttach: null,
    });
    expect(r.spec.image).toEqual({
      kind: 'dockerfile',
      dockerfile: '.devcontainer/Dockerfile',
      context: '.devcontainer',
      args: { VARIANT: '1-10.0-preview-noble' },
      target: null,
    });
    expect(r.spec.user).toBe('vscode');
    expect(r.spec.env).toEqual({ PATH: '/home/vscode/.dotnet:${containerEnv:PATH}' });
    expect(r.spec.checkoutLocation).toBe('/powershell');
    expect(r.spec.extra['capAdd']).toEqual(['NET_RAW']);
    expect(r.spec.extra['hostRequirements']).toEqual({ cpus: 4 });
  });

  it('microsoft/TypeScript: postCreateCommand object form', () => {
    const { spec } = parse('devcontainer/microsoft__TypeScript.devcontainer.json', '.devcontainer/devcontainer.json');
    expect(spec.image).toEqual({ kind: 'ref', ref: 'mcr.microsoft.com/devcontainers/javascript-node:1-22-bookworm' });
    expect(spec.lifecycle.postCreate).toEqual({
      'Configure Build Tools': 'sudo npm install -g hereby; npm ci',
      'Install pprof': 'go install github.com/google/pprof@latest',
      'Install Graphviz': 'sudo apt install graphviz',
    });
    expect(spec.user).toBe('node');
    expect(spec.extensions).toEqual(['dbaeumer.vscode-eslint', 'dprint.dprint']);
    expect(spec.extra['features']).toEqual({ 'ghcr.io/devcontainers/features/go:1': {} });
  });

  it('withastro/astro deno: subfolder config, Dockerfile one level up, openPreview, postAttach object', () => {
    const { spec } = parse('devcontainer/withastro__astro__deno.devcontainer.json', '.devcontainer/deno/devcontainer.json');
    expect(spec.image).toEqual({
      kind: 'dockerfile',
      dockerfile: '.devcontainer/examples.deno.Dockerfile',
      context: '.devcontainer/deno',
      args: {},
      target: null,
    });
    expect(spec.ports).toEqual([port(4321, 'open-preview', 'private', 'Application')]);
    expect(spec.lifecycle.postCreate).toBe('pnpm install && cd /workspaces/astro && pnpm run build');
    expect(spec.lifecycle.postAttach).toEqual({ Server: 'pnpm start --host' });
    expect(spec.checkoutLocation).toBe('/workspaces/astro/examples/deno');
    expect(spec.extra['waitFor']).toBe('postCreateCommand');
  });

  it('moby/moby: context and Dockerfile one level up resolve to the root; build.target', () => {
    const { spec } = parse('devcontainer/moby__moby.devcontainer.json', '.devcontainer/devcontainer.json');
    expect(spec.image).toEqual({ kind: 'dockerfile', dockerfile: 'Dockerfile', context: '.', args: {}, target: 'dev' });
    expect(spec.user).toBe('root');
    expect(spec.extra['runArgs']).toEqual(['--privileged']);
    expect(spec.extra['workspaceMount']).toBe(`source=${LOCAL},target=/go/src/github.com/docker/docker,type=bind,consistency=cached`);
  });

  it('home-assistant/core: legacy dockerFile + context, appPort kept', () => {
    const r = parse('devcontainer/home-assistant__core.devcontainer.json', '.devcontainer/devcontainer.json');
    expect(r.spec.image).toEqual({ kind: 'dockerfile', dockerfile: 'Dockerfile.dev', context: '.', args: {}, target: null });
    expect(r.spec.extra['appPort']).toBe(8123);
    expect(r.spec.lifecycle.postCreate).toBe('mkdir -p config && pip3 install -e .');
    expect(r.spec.extensions).toHaveLength(5);
    expect(r.warnings.find((w) => w.path === 'appPort')?.line).toBe(7);
  });

  it('dotnet/runtime wasm: ${containerWorkspaceFolder} defaults to /workspaces/<folder name>', () => {
    const { spec } = parse('devcontainer/dotnet__runtime__wasm.devcontainer.json', '.devcontainer/wasm/devcontainer.json');
    expect(spec.image).toMatchObject({ dockerfile: '.devcontainer/wasm/Dockerfile', context: '.devcontainer/wasm', args: { VARIANT: '8.0-noble' } });
    expect(spec.lifecycle.onCreate).toBe('/workspaces/myrepo/.devcontainer/scripts/onCreateCommand.sh wasm');
    expect(spec.lifecycle.postCreate).toBe('/workspaces/myrepo/.devcontainer/scripts/postCreateCommand.sh wasm');
    expect(spec.env).toEqual({ PATH: '/workspaces/myrepo/.dotnet:/workspaces/myrepo/.dotnet-tools-global:${containerEnv:PATH}' });
    expect(spec.ports).toEqual([port(8000, 'notify', 'private', 'mono wasm samples (8000)')]);
  });

  it('rails/rails: compose, containerEnv, workspaceFolder with the folder basename', () => {
    const { spec } = parse('devcontainer/rails__rails.devcontainer.json', '.devcontainer/devcontainer.json');
    expect(spec.image).toEqual({ kind: 'compose', files: ['.devcontainer/docker-compose.yml'], service: 'rails' });
    expect(spec.env).toEqual({ PGHOST: 'postgres', PGUSER: 'postgres', PGPASSWORD: 'postgres', MYSQL_HOST: 'mariadb', REDIS_URL: 'redis://redis/0' });
    expect(spec.checkoutLocation).toBe('/workspaces/myrepo');
    expect(spec.lifecycle.postCreate).toBe('.devcontainer/boot.sh');
  });

  it('AetherRadio/X6100Buildroot: CRLF file, compose list, positions count CRLF as one line end', () => {
    const r = parse('devcontainer/AetherRadio__X6100Buildroot.devcontainer.json', '.devcontainer.json');
    expect(r.spec.image).toEqual({ kind: 'compose', files: ['docker-compose.yml'], service: 'buildroot' });
    expect(r.spec.extensions).toHaveLength(11);
    expect(r.spec.checkoutLocation).toBe('/workspace');
    const w = r.warnings.find((d) => d.path === 'extensions')!;
    expect([w.line, w.column]).toEqual([8, 5]);
  });

  it('DataDog/stickerlandia: portsAttributes labels applied to forwarded ports', () => {
    const { spec } = parse('devcontainer/DataDog__stickerlandia.devcontainer.json', '.devcontainer/devcontainer.json');
    expect(spec.ports).toEqual([
      port(8080, 'notify', 'private', 'stickerlandia'),
      port(8081, 'notify', 'private', 'Traefik dash'),
      port(8082, 'notify', 'private', 'Redpanda console'),
    ]);
    expect(spec.lifecycle.postAttach).toBe('chmod +x .devcontainer/setup.sh && .devcontainer/setup.sh');
  });

  it('Homebrew/brew and 0xJacky/nginx-ui: ${localEnv:…} with no value becomes empty', () => {
    const brew = parse('devcontainer/Homebrew__brew.devcontainer.json', '.devcontainer/devcontainer.json').spec;
    expect(brew.env).toEqual({ HOMEBREW_GITHUB_API_TOKEN: '' });
    expect(brew.lifecycle.onCreate).toBe('.devcontainer/on-create-command.sh');
    const nginx = parse('devcontainer/0xJacky__nginx-ui.devcontainer.json', '.devcontainer/devcontainer.json').spec;
    expect(nginx.extra['mounts']).toEqual(['source=/.ssh,target=/root/.ssh,type=bind,consistency=cached']);
    expect(nginx.user).toBe('root');
    expect(nginx.lifecycle.postStart).toBe('./.devcontainer/start.sh');
  });

  it('github/docs: build args, legacy short feature ids kept', () => {
    const { spec } = parse('devcontainer/github__docs.devcontainer.json', '.devcontainer/devcontainer.json');
    expect(spec.image).toEqual({ kind: 'dockerfile', dockerfile: '.devcontainer/Dockerfile', context: '.devcontainer', args: { VARIANT: '16' }, target: null });
    expect(spec.ports.map((p) => p.port)).toEqual([4000]);
    expect(spec.extra['features']).toEqual({ 'git-lfs': 'latest', sshd: 'latest' });
    expect(spec.user).toBe('node');
  });

  it('ARM-software/SCP-firmware: legacy dockerFile combined with build.target', () => {
    const { spec } = parse('devcontainer/ARM-software__SCP-firmware.devcontainer.json', '.devcontainer.json');
    expect(spec.image).toEqual({ kind: 'dockerfile', dockerfile: 'docker/Dockerfile', context: '.', args: {}, target: 'dev' });
    expect(spec.checkoutLocation).toBe('/scp-firmware');
    expect(spec.extra['settings']).toEqual({ 'terminal.integrated.shell.linux': null });
  });
});

describe('corpus values: devcontainers/cli test configs', () => {
  it('image.json: remoteEnv escapes kept, localEnv substituted, containerEnv left for the container', () => {
    const { spec } = parse('devcontainer-cli-configs/image.json', '.devcontainer.json');
    expect(spec.env).toEqual({
      TEST: 'ENV',
      TEST_ESCAPING: '{\n  "fo$o": "ba\'r"\n}',
      LOCAL_PATH: '',
      CONTAINER_PATH: '${containerEnv:PATH}',
      TEST_RE: '${containerEnv:TEST_CE}',
    });
    expect(spec.extra['runArgs']).toEqual(['-e', 'TEST_CE=TEST_VALUE3']);
    expect(spec.lifecycle.postCreate).toBe('echo "Val: $TEST" > /postCreateCommand.txt');
  });

  it('poetry-example.json: named command whose value is an argv array', () => {
    const { spec } = parse('devcontainer-cli-configs/poetry-example.json', '.devcontainer.json');
    expect(spec.lifecycle.postStart).toEqual({
      'poetry setup': ['/bin/bash', '-i', '-c', 'python3 -m venv $HOME/.local && source $HOME/.local/bin/activate && poetry install'],
    });
  });

  it('dockerfile-with-parallel-commands.json: three object-form hooks', () => {
    const { spec } = parse('devcontainer-cli-configs/dockerfile-with-parallel-commands.json', '.devcontainer.json');
    expect(Object.keys(spec.lifecycle.postCreate as object)).toEqual(['post-create-command-1', 'post-create-command-2']);
    expect((spec.lifecycle.postStart as Record<string, string>)['post-start-command-2']).toBe(
      'touch /tmp/postStartCommand2.testmarker && echo post start command 2',
    );
    expect(Object.keys(spec.lifecycle.postAttach as object)).toHaveLength(2);
    expect(spec.image).toEqual({ kind: 'dockerfile', dockerfile: 'Dockerfile', context: '.', args: { VARIANT: '16-bullseye' }, target: null });
  });

  it('dockerfile-with-target.json and dockerfile-without-features--subfolder.json', () => {
    const target = parse('devcontainer-cli-configs/dockerfile-with-target.json', '.devcontainer.json').spec;
    expect(target.image).toMatchObject({ target: 'desired-image', args: { VARIANT: '18-bookworm' } });
    expect(target.extra['buildOptions']).toEqual(['--label', 'test_build_options=success']);
    const sub = parse('devcontainer-cli-configs/dockerfile-without-features--subfolder.json', '.devcontainer/subfolder/devcontainer.json').spec;
    expect(sub.image).toEqual({
      kind: 'dockerfile',
      dockerfile: '.devcontainer/subfolder/Dockerfile',
      context: '.devcontainer/subfolder',
      args: {},
      target: null,
    });
    expect(sub.env).toEqual({ SUBFOLDER_CONFIG_REMOTE_ENV: 'true' });
  });

  it('compose-Dockerfile-alpine.json: compose, user, workspaceFolder "/"', () => {
    const { spec } = parse('devcontainer-cli-configs/compose-Dockerfile-alpine.json', '.devcontainer/devcontainer.json');
    expect(spec.image).toEqual({ kind: 'compose', files: ['.devcontainer/docker-compose.yml'], service: 'test' });
    expect(spec.user).toBe('bar');
    expect(spec.checkoutLocation).toBe('/');
    expect(spec.env).toEqual({ bar: 'baz' });
    expect(spec.extensions).toEqual(['dbaeumer.vscode-eslint']);
    expect(spec.extra['devPort']).toBe(1234);
  });

  it('image-containerEnv-issue.json: $${…} stays as written (compose escaping, not ours)', () => {
    const { spec } = parse('devcontainer-cli-configs/image-containerEnv-issue.json', '.devcontainer/devcontainer.json');
    expect(spec.env['ROSCONSOLE_FORMAT']).toBe('[$${severity}] [$${walltime:%Y-%m-%d %H:%M:%S}] [$${node}]: $${message}');
    expect(spec.env['VAR_WITH_BACK_SLASH']).toBe('value with \\back slash');
    expect(spec.checkoutLocation).toBe('/workspaces/cli');
  });

  it('image-with-parallel-initialize-command.json: host command kept with ${localWorkspaceFolder}, warned', () => {
    const r = parse('devcontainer-cli-configs/image-with-parallel-initialize-command.json', '.devcontainer.json');
    expect(r.spec.extra['initializeCommand']).toEqual({
      'touch-test1': `touch ${LOCAL}/initializeCommand.1.testMarker`,
      'touch-test2': `touch ${LOCAL}/initializeCommand.2.testMarker`,
    });
    expect(r.warnings.find((w) => w.path === 'initializeCommand')?.message).toMatch(/host/);
  });

  it('image-with-mounts.json, updateUIDOnly.json, set-up-with-config.json', () => {
    expect(parse('devcontainer-cli-configs/image-with-mounts.json', '.devcontainer/devcontainer.json').spec.extra['mounts']).toEqual([
      { target: '/home/test_devcontainer_config', type: 'volume' },
    ]);
    const uid = parse('devcontainer-cli-configs/updateUIDOnly.json', '.devcontainer.json').spec;
    expect(uid.image).toMatchObject({ args: { LOCAL_GID: '' } });
    expect(uid.user).toBe('foo');
    const setUp = parse('devcontainer-cli-configs/set-up-with-config.json', 'devcontainer.json');
    expect(setUp.spec.image).toEqual({ kind: 'default' });
    expect(setUp.spec.lifecycle.postAttach).toBe('touch /postAttachCommand.txt');
    expect(setUp.warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/default workspace image/));
  });

  it('specToJSON of a parsed file is plain JSON with every key', () => {
    const json = specToJSON(parse('devcontainer-cli-configs/example.json', '.devcontainer.json').spec);
    expect(Object.keys(json)).toEqual([
      'image',
      'tasks',
      'lifecycle',
      'ports',
      'env',
      'user',
      'checkoutLocation',
      'workspaceLocation',
      'extensions',
      'gitConfig',
      'extra',
    ]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json['image']).toEqual({ kind: 'ref', ref: 'mcr.microsoft.com/devcontainers/base:latest' });
  });
});
