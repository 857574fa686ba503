/**
 * The full default image (docker/workspace-full, built by `npm run setup`):
 * a repository that names no image is opened from its Git URL and its task
 * runs every toolchain a Gitpod workspace-full user expects, offline, as user
 * gitpod. The only test file on slipway/workspace-full; the rest stay on the
 * small image.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

let git: GitServer;
let slipway: TestServer;

/** One small project per toolchain, each built or run with no network. */
const FILES: Record<string, string> = {
  '.gitpod.yml': `tasks:
  - name: toolchains
    command: |
      bash ./check.sh > /workspace/check.log 2>&1; echo "exit $?" > /workspace/check.done
      python3 -m http.server 8765 --bind 127.0.0.1 >/dev/null 2>&1 &
`,
  'check.sh': `set -eu
echo "user $(id -un) $(id -u) home $HOME"
sudo -n true && echo "sudo ok"
node -e 'console.log("node " + process.versions.node)'
yarn run --silent hello
pnpm run --silent hello
npm install -g --no-audit --no-fund ./npm-tool >/dev/null && echo "npm -g: $(command -v slipway-npm-tool) $(slipway-npm-tool)"
python3 -m venv .venv
.venv/bin/pip install --quiet --no-index --no-build-isolation ./py-tool
.venv/bin/python -c 'import slipway_py_tool; print("venv " + slipway_py_tool.MESSAGE)'
pip install --quiet --user --no-index --no-build-isolation ./py-tool && echo "pip --user: $(command -v slipway-py-tool) $(slipway-py-tool)"
go build -o out/hello-go ./gocmd && ./out/hello-go
go install ./gocmd && echo "go install: $(command -v gocmd)"
mkdir -p out/java && javac -d out/java java/Hello.java && java -cp out/java Hello
(cd mvn && mvn -o -B -q package && ls target/hello-mvn-1.jar && java -cp target/classes hello.Mvn)
(cd rs && cargo build --offline --quiet && ./target/debug/hello-rs)
bundle install --local --quiet && bundle exec ruby -e 'puts "ruby " + RUBY_VERSION'
(cd php && composer dump-autoload --quiet && php main.php)
make --no-print-directory -s && ./out/hello-c
`,
  'package.json': JSON.stringify(
    { name: 'full-image-check', version: '1.0.0', private: true, scripts: { hello: 'echo "package script ran by $npm_config_user_agent"' } },
    null,
    2,
  ),
  'npm-tool/package.json': JSON.stringify({ name: 'slipway-npm-tool', version: '1.0.0', bin: { 'slipway-npm-tool': 'cli.js' } }),
  'npm-tool/cli.js': '#!/usr/bin/env node\nconsole.log("npm tool ran");\n',
  'py-tool/setup.py':
    'from setuptools import setup\nsetup(name="slipway-py-tool", version="1.0", py_modules=["slipway_py_tool"], entry_points={"console_scripts": ["slipway-py-tool=slipway_py_tool:main"]})\n',
  'py-tool/slipway_py_tool.py': 'MESSAGE = "python tool imported"\ndef main():\n    print("python tool ran")\n',
  'go.mod': 'module example.com/check\n\ngo 1.19\n',
  'gocmd/main.go': 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("go binary ran") }\n',
  'java/Hello.java': 'public class Hello { public static void main(String[] a) { System.out.println("javac class ran"); } }\n',
  'mvn/pom.xml': `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>check</groupId><artifactId>hello-mvn</artifactId><version>1</version><packaging>jar</packaging>
  <properties><maven.compiler.source>17</maven.compiler.source><maven.compiler.target>17</maven.compiler.target><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
</project>
`,
  'mvn/src/main/java/hello/Mvn.java': 'package hello;\npublic class Mvn { public static void main(String[] a) { System.out.println("maven jar ran"); } }\n',
  'rs/Cargo.toml': '[package]\nname = "hello-rs"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n',
  'rs/src/main.rs': 'fn main() { println!("cargo binary ran"); }\n',
  Gemfile: 'source "https://rubygems.org"\n',
  'php/composer.json': JSON.stringify({ name: 'check/php', autoload: { 'psr-4': { 'Check\\': 'src/' } } }),
  'php/src/Greeter.php': '<?php\nnamespace Check;\nclass Greeter { public static function hello(): string { return "php autoload ran"; } }\n',
  'php/main.php': '<?php\nrequire __DIR__ . "/vendor/autoload.php";\necho Check\\Greeter::hello(), "\\n";\n',
  'hello.c': '#include <stdio.h>\nint main(void) { puts("gcc binary ran"); return 0; }\n',
  Makefile: 'out/hello-c: hello.c\n\tmkdir -p out && cc -O2 -o $@ $<\n',
};

beforeAll(async () => {
  git = await startGitServer();
  slipway = await startSlipway({ SLIPWAY_DEFAULT_IMAGE: 'slipway/workspace-full', SLIPWAY_GIT_HOSTS_ALLOW: '127.0.0.1' });
});

afterAll(async () => {
  await slipway?.close();
  await git?.close();
});

async function execIn(workspaceId: string, script: string): Promise<string> {
  const [container] = await slipway.app.services.runtime.listContainers({ 'slipway.workspace': workspaceId });
  return (await slipway.app.services.runtime.exec(container!.id, { cmd: ['sh', '-c', script] })).output;
}

describe('slipway/workspace-full, the default image', () => {
  it('opens a repository that names no image and runs every toolchain in its task, offline, as gitpod', async () => {
    const repoUrl = (await git.createRepo('toolchains', FILES)).url;
    const created = await slipway.api('POST', '/api/workspaces', { contextUrl: repoUrl });
    expect(created.status).toBe(202);
    const workspace = await slipway.waitForStatus(created.body.id, ['running', 'failed'], undefined, 120_000);
    expect(workspace.statusReason).toBeNull();
    expect(workspace.image).toBe('slipway/workspace-full');

    const deadline = Date.now() + 240_000;
    let done = '';
    while (Date.now() < deadline && !done.includes('exit')) {
      done = await execIn(workspace.id, 'cat /workspace/check.done 2>/dev/null || true');
      if (!done.includes('exit')) await new Promise((r) => setTimeout(r, 1000));
    }
    const log = await execIn(workspace.id, 'cat /workspace/check.log');
    expect(done.trim(), log).toBe('exit 0');
    const lines = [
      'user gitpod 33333 home /home/gitpod',
      'sudo ok',
      'node 18.',
      'package script ran by yarn/1.22',
      'package script ran by pnpm/9',
      'npm -g: /home/gitpod/.npm-global/bin/slipway-npm-tool npm tool ran',
      'venv python tool imported',
      'pip --user: /home/gitpod/.local/bin/slipway-py-tool python tool ran',
      'go binary ran',
      'go install: /home/gitpod/go/bin/gocmd',
      'javac class ran',
      'target/hello-mvn-1.jar',
      'maven jar ran',
      'cargo binary ran',
      'ruby 3.',
      'php autoload ran',
      'gcc binary ran',
    ];
    for (const line of lines) expect(log, `missing "${line}" in:\n${log}`).toContain(line);

    // The one listener is the task's server: Docker's DNS listener on 127.0.0.11 is not a workspace port.
    let ports: { port: number }[] = [];
    for (let i = 0; i < 40 && !ports.some((p) => p.port === 8765); i++) {
      ports = (await slipway.api('GET', `/api/workspaces/${workspace.id}`)).body.ports;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(ports.map((p) => p.port)).toEqual([8765]);
  }, 400_000);
});
