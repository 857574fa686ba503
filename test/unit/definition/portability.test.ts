import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../../../server/definition/validate-command.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-portability-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

async function validate(dir: string): Promise<{ code: number; warnings: { line: number; path: string; message: string }[] }> {
  let out = '';
  const code = await validateCommand([dir, '--json'], { stdout: (t) => void (out += t), stderr: () => {} });
  const body = JSON.parse(out);
  return { code, warnings: body.warnings.map((w: any) => ({ line: w.line, path: w.path, message: w.message })) };
}

const GITPOD = `tasks:
  - name: backend
    init: |
      npm install
      gp sync-done deps
    command: npm start
  - name: frontend
    command: |
      gp sync-await deps
      npm run dev
ports:
  - port: 3000
  - port: 8092-10000
github:
  prebuilds:
    master: true
jetbrains:
  intellij:
    prebuilds: {}
vscode:
  extensions:
    - dbaeumer.vscode-eslint
`;

describe('slipway validate: what Slipway runs differently', () => {
  it('a .gitpod.yml: no image, gp lines, a wide port range, Gitpod-only keys, VS Code extensions, each at its line', async () => {
    const { code, warnings } = await validate(repo({ '.gitpod.yml': GITPOD }));
    expect(code).toBe(0);
    expect(warnings.map((w) => [w.line, w.path])).toEqual([
      [1, ''],
      [5, 'tasks[0].init'],
      [9, 'tasks[1].command'],
      [13, 'ports[1].port'],
      [14, 'github'],
      [17, 'jetbrains'],
      [21, 'vscode.extensions'],
    ]);
    const text = warnings.map((w) => w.message).join('\n');
    expect(text).toContain('no `image`: Slipway uses its default image (slipway/workspace-full');
    expect(text).toContain("`gp sync-done` is Gitpod's workspace CLI");
    expect(text).toContain("`gp sync-await` is Gitpod's workspace CLI, which Slipway workspaces do not have yet: this line fails");
    expect(text).toContain('`ports[1].port` is the range "8092-10000" of 1909 ports: accepted');
    expect(text).toContain('`vscode.extensions` (1) are not installed');
  });

  it('a .gitpod.yml with an image and nothing Gitpod-only has no such warnings', async () => {
    const { warnings } = await validate(
      repo({ '.gitpod.yml': 'image: node:20\ntasks:\n  - init: npm ci\n    command: npm start\nports:\n  - port: 3000-3010\n' }),
    );
    expect(warnings).toEqual([]);
  });

  it('a devcontainer.json: Docker Compose, extensions and a wide forwarded range', async () => {
    const json =
      '{\n  "dockerComposeFile": "compose.yml",\n  "service": "app",\n  "forwardPorts": [3000, "8000-9999"],\n  "customizations": {\n    "vscode": {\n      "extensions": ["ms-python.python"]\n    }\n  }\n}\n';
    const { warnings } = await validate(repo({ '.devcontainer/devcontainer.json': json, '.devcontainer/compose.yml': 'services: {}\n' }));
    expect(warnings.map((w) => [w.line, w.path])).toEqual([
      [2, 'dockerComposeFile'],
      [4, 'forwardPorts[1]'],
      [7, 'customizations.vscode.extensions'],
    ]);
    expect(warnings[0]!.message).toMatch(/Docker Compose is not run by Slipway yet/);
  });

  it('a devcontainer.json: every key kept but not acted on, at its line, saying what is ignored; keys asking for nothing are quiet', async () => {
    const lines = [
      '{',
      '  "image": "node:20",',
      '  "mounts": ["source=/var/run/docker.sock,target=/var/run/docker.sock,type=bind"],',
      '  "runArgs": ["--cap-add=SYS_PTRACE"],',
      '  "privileged": true,',
      '  "capAdd": [],',
      '  "init": false,',
      '  "hostRequirements": { "cpus": 8 },',
      '  "waitFor": "postStartCommand",',
      '  "secrets": { "API_KEY": {} },',
      '  "customizations": { "vscode": { "settings": {} }, "codespaces": { "openFiles": ["README.md"] } }',
      '}',
    ];
    const { code, warnings } = await validate(repo({ '.devcontainer/devcontainer.json': lines.join('\n') + '\n' }));
    expect(code).toBe(0);
    expect(warnings.map((w) => [w.line, w.path])).toEqual([
      [3, 'mounts'],
      [4, 'runArgs'],
      [5, 'privileged'],
      [8, 'hostRequirements'],
      [9, 'waitFor'],
      [10, 'secrets'],
      [11, 'customizations.codespaces'],
    ]);
    expect(warnings[0]!.message).toMatch(/^`mounts` are not mounted: Slipway binds no host folders/);
    expect(warnings[2]!.message).toBe('`privileged` is ignored: workspaces never run privileged');
    expect(warnings[6]!.message).toMatch(/is for another tool; Slipway ignores it/);
  });
});
