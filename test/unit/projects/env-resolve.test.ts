/** Which variables a workspace and a prebuild get, and which wins (issue 16, item 6), over a real in-memory store. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { repoOwnerAndRepo } from '../../../server/git/index.js';
import { createSecretBox } from '../../../server/projects/crypto.js';
import { createEnvResolver } from '../../../server/projects/env-resolve.js';
import { openDatabase } from '../../../server/store/db.js';
import { createEnvStore } from '../../../server/store/env-vars.js';
import type { ProjectRecord } from '../../../server/store/projects.js';

function setup() {
  const db = openDatabase(':memory:');
  const now = new Date().toISOString();
  for (const id of ['alice', 'bob']) db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, ?)').run(id, id, now);
  for (const [id, owner] of [
    ['p-alice', 'alice'],
    ['p-bob', 'bob'],
  ]) {
    db.prepare(
      "INSERT INTO projects (id, owner_id, name, repo_url, repo_key, webhook_secret_enc, created_at, updated_at) VALUES (?, ?, 'app', 'https://github.com/acme/app.git', 'github.com/acme/app', 'x', ?, ?)",
    ).run(id, owner, now, now);
  }
  const store = createEnvStore(db);
  const box = createSecretBox(randomBytes(32));
  const projects = [
    { id: 'p-alice', ownerId: 'alice', createdAt: now },
    { id: 'p-bob', ownerId: 'bob', createdAt: now },
  ] as ProjectRecord[];
  const resolver = createEnvResolver({ store, box, projectsFor: () => projects });
  return { store, box, resolver };
}

describe('environment resolution', () => {
  it('owner/repo comes from git identity, for every URL form of a forge repository', () => {
    expect(repoOwnerAndRepo('https://github.com/acme/app.git')).toBe('acme/app');
    expect(repoOwnerAndRepo('git@github.com:acme/app.git')).toBe('acme/app');
    expect(repoOwnerAndRepo('https://gitlab.com/group/sub/app')).toBe('sub/app');
    expect(repoOwnerAndRepo('file:///srv/git/app')).toBeNull();
    expect(repoOwnerAndRepo('not a url')).toBeNull();
  });

  it("a workspace: its owner's project (not hidden), then matching user vars, most specific last; never another user's project", () => {
    const { store, box, resolver } = setup();
    store.projectPut('p-alice', 'SHARED', box.encrypt('from-project'), false);
    store.projectPut('p-alice', 'VISIBLE', box.encrypt('visible'), false);
    store.projectPut('p-alice', 'HIDDEN', box.encrypt('hidden'), true);
    store.projectPut('p-bob', 'BOBS', box.encrypt('bobs-secret'), false);
    store.userPut('alice', 'SHARED', '*/*', box.encrypt('any'));
    store.userPut('alice', 'SHARED', 'acme/app', box.encrypt('exact'));
    store.userPut('alice', 'SHARED', 'acme/*', box.encrypt('owner'));
    store.userPut('alice', 'ELSEWHERE', 'other/*', box.encrypt('no'));
    expect(resolver.forWorkspace('alice', 'https://github.com/acme/app.git')).toEqual({ SHARED: 'exact', VISIBLE: 'visible' });
    expect(resolver.forWorkspace('alice', 'https://github.com/acme/lib.git')).toEqual({ SHARED: 'owner', VISIBLE: 'visible' });
    expect(resolver.forWorkspace('bob', 'https://github.com/acme/app.git')).toEqual({ BOBS: 'bobs-secret' });
  });

  it('a prebuild: all of its project, hidden too, no user vars', () => {
    const { store, box, resolver } = setup();
    store.projectPut('p-alice', 'HIDDEN', box.encrypt('hidden'), true);
    store.projectPut('p-alice', 'VISIBLE', box.encrypt('visible'), false);
    store.userPut('alice', 'USER', '*/*', box.encrypt('user'));
    expect(resolver.forPrebuild('p-alice')).toEqual({ HIDDEN: 'hidden', VISIBLE: 'visible' });
  });
});
