/**
 * Environment variables and secrets in containers (issue 16, item 6), with
 * real Docker and a real git server: a prebuild's init gets its project's
 * variables, hidden ones too, and no user's; a secret it prints is
 * `[redacted]` in the log; the snapshot's Config.Env and labels hold no
 * value; a workspace opened from it gets the owner's variables whose
 * pattern matches `owner/repo` (the most specific first, over the
 * project's) and the project's non-hidden ones, and never a hidden one.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';
import { inWorkspace, openWorkspace, removeSnapshots, waitForPrebuild } from './helpers.js';

const HIDDEN = 'hidden-deploy-key-93f1c2';
const VISIBLE = 'visible-project-value-5d2e';
const USER_TOKEN = 'user-token-for-acme-7a8b';
const OTHER = 'other-owner-token-1c9d';
const SHARED_USER = 'shared-from-user-exact-4e4e';

const GITPOD_YML = `tasks:
  - name: main
    init: |
      [ -n "$HIDDEN_KEY" ] && echo "HIDDEN_PRESENT"
      echo "VISIBLE_IN_INIT=$VISIBLE_KEY"
      echo "USERVAR=\${USER_TOKEN:-none}"
    command: env | grep -E '^(USER_TOKEN|OTHER_TOKEN|VISIBLE_KEY|HIDDEN_KEY|SHARED)=' | sort > /tmp/task-env.txt
`;

let git: GitServer;
let server: TestServer;
const projectIds: string[] = [];

beforeAll(async () => {
  git = await startGitServer();
  server = await startSlipway();
});
afterAll(async () => {
  await server?.close();
  if (server) await removeSnapshots(server, projectIds);
  await git?.close();
});

const put = async (url: string, body: unknown) => {
  const r = await server.api('PUT', url, body);
  expect(r.status, r.text).toBe(200);
};

describe('environment variables in prebuilds and workspaces', () => {
  it('prebuild: project vars (hidden too), no user vars, a printed secret redacted, nothing in the snapshot; workspace: matching user vars over project ones, no hidden', async () => {
    const { url: repoUrl } = await git.createRepo('acme/app', { '.gitpod.yml': GITPOD_YML, 'README.md': 'app\n' });
    const created = await server.api('POST', '/api/projects', { repoUrl });
    expect(created.status, created.text).toBe(201);
    const projectId = created.body.id as string;
    projectIds.push(projectId);

    await put(`/api/projects/${projectId}/env/HIDDEN_KEY`, { value: HIDDEN, hidden: true });
    await put(`/api/projects/${projectId}/env/VISIBLE_KEY`, { value: VISIBLE });
    await put(`/api/projects/${projectId}/env/SHARED`, { value: 'shared-from-project-0000' });
    await put('/api/me/env/USER_TOKEN', { value: USER_TOKEN, repositoryPattern: 'acme/*' });
    await put('/api/me/env/OTHER_TOKEN', { value: OTHER, repositoryPattern: 'other/*' });
    await put('/api/me/env/SHARED', { value: 'shared-from-user-any-1111', repositoryPattern: '*/*' });
    await put('/api/me/env/SHARED', { value: SHARED_USER, repositoryPattern: 'acme/app' });

    const manual = await server.api('POST', `/api/projects/${projectId}/prebuilds`, {});
    expect(manual.status, manual.text).toBe(201);
    const ready = await waitForPrebuild(server, manual.body.id, ['ready', 'failed']);
    const log = (await server.api('GET', `/api/prebuilds/${ready.id}/logs`)).text;
    expect(ready.status, log).toBe('ready');
    expect(log).toContain('HIDDEN_PRESENT');
    expect(log).toContain('VISIBLE_IN_INIT=[redacted]');
    expect(log).toContain('USERVAR=none');
    for (const value of [HIDDEN, VISIBLE, USER_TOKEN]) expect(log).not.toContain(value);

    // The snapshot: Config.Env and labels (the whole inspect, in fact) hold no value.
    const inspect = execFileSync('docker', ['image', 'inspect', ready.imageRef], { encoding: 'utf8' });
    const [image] = JSON.parse(inspect) as { Config: { Env: string[]; Labels: Record<string, string> } }[];
    expect(image!.Config.Env.some((e) => e.startsWith('HIDDEN_KEY=') || e.startsWith('VISIBLE_KEY='))).toBe(false);
    for (const value of [HIDDEN, VISIBLE, USER_TOKEN]) expect(inspect).not.toContain(value);

    const { workspace } = await openWorkspace(server, repoUrl);
    expect(workspace.status, JSON.stringify(workspace)).toBe('running');
    expect(workspace.startedFrom).toBe('prebuild');
    let seen = '';
    for (let i = 0; i < 100 && !seen.includes('VISIBLE_KEY='); i++) {
      seen = await inWorkspace(server, workspace.id, 'cat /tmp/task-env.txt 2>/dev/null || true');
      if (!seen.includes('VISIBLE_KEY=')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen.trim().split('\n')).toEqual([`SHARED=${SHARED_USER}`, `USER_TOKEN=${USER_TOKEN}`, `VISIBLE_KEY=${VISIBLE}`]);
    // A new shell sees them too (the container's environment).
    expect(await inWorkspace(server, workspace.id, 'echo "$USER_TOKEN|${HIDDEN_KEY:-no-hidden}|${OTHER_TOKEN:-no-other}"')).toBe(
      `${USER_TOKEN}|no-hidden|no-other\n`,
    );
    const json = (await server.api('GET', `/api/workspaces/${workspace.id}`)).text;
    for (const value of [HIDDEN, VISIBLE, USER_TOKEN, SHARED_USER]) expect(json).not.toContain(value);
  }, 300_000);
});
