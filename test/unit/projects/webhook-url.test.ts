/**
 * The webhook URL a project shows is guessed from its repository's host, as
 * git/ reads it (issue 19 item 5). projects/view.ts used to read the host with
 * its own scheme regex, which found none in an ssh `git@host:owner/repo` URL
 * and offered the generic endpoint for a GitHub repository.
 */
import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../server/projects/crypto.js';
import { createProjectService } from '../../../server/projects/service.js';
import { createAuditLog } from '../../../server/store/audit.js';
import { openDatabase } from '../../../server/store/db.js';
import { createProjectStore } from '../../../server/store/projects.js';
import { createUserStore } from '../../../server/store/users.js';

function setup() {
  const db = openDatabase(':memory:');
  const user = createUserStore(db).create({ id: 'u_alice', username: 'alice', passwordHash: null, isAdmin: false });
  const projects = createProjectService({
    store: createProjectStore(db),
    audit: createAuditLog(db),
    box: createSecretBox(Buffer.alloc(32, 5)),
    publicUrl: () => 'http://slipway.test',
    allowFileUrls: false,
  });
  return { projects, caller: { id: user.id, isAdmin: false } };
}

describe('a project’s webhook URL and key, from git’s identity of its repository', () => {
  it.each([
    ['https://github.com/acme/rocket', 'github'],
    ['git@github.com:acme/rocket.git', 'github'],
    ['ssh://git@GitHub.com/acme/rocket.git', 'github'],
    ['https://gitlab.com/platform/tools/demo', 'gitlab'],
    ['git@gitlab.example.org:platform/tools/demo.git', 'gitlab'],
    ['ssh://git@gitlab.example.org:2222/platform/tools/demo.git', 'gitlab'],
    ['https://codeberg.org/team/app', 'gitea'],
    ['git@bitbucket.org:team/app.git', 'bitbucket'],
    ['https://git.example.com/team/app.git', 'generic'],
  ])('%s → /api/webhooks/%s', async (repoUrl, provider) => {
    const { projects, caller } = setup();
    const created = await projects.create(caller, { repoUrl });
    expect(created.webhookUrl).toBe(`http://slipway.test/api/webhooks/${provider}`);
  });

  it('stores the key webhooks match on, whichever form the repository was registered with', async () => {
    const { projects, caller } = setup();
    const viaSsh = await projects.create(caller, { repoUrl: 'git@github.com:acme/rocket.git' });
    const viaPage = await projects.create(caller, { repoUrl: 'https://github.com/acme/rocket/tree/main' });
    expect(viaPage.repoUrl).toBe('https://github.com/acme/rocket.git');
    const ids = new Set([viaSsh.id, viaPage.id]);
    expect(new Set(projects.byRepoKey('github.com/acme/rocket').map((p) => p.id))).toEqual(ids);
    expect(new Set(projects.forRepo('https://github.com/acme/rocket').map((p) => p.id))).toEqual(ids);
  });
});
