/**
 * Which stored token git may send (issue 12, item 4): only the principal's
 * own (its project's, or a project its user owns), only to the exact origin
 * (scheme, host, port) it was saved for, never another user's.
 */
import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../server/projects/crypto.js';
import { createProjectService } from '../../../server/projects/service.js';
import { createAuditLog } from '../../../server/store/audit.js';
import { openDatabase } from '../../../server/store/db.js';
import { createProjectStore } from '../../../server/store/projects.js';
import { createUserStore } from '../../../server/store/users.js';

async function setup() {
  const db = openDatabase(':memory:');
  const users = createUserStore(db);
  const projects = createProjectService({
    store: createProjectStore(db),
    audit: createAuditLog(db),
    box: createSecretBox(Buffer.alloc(32, 3)),
    publicUrl: () => 'http://slipway.test',
    allowFileUrls: false,
  });
  const user = (name: string) => users.create({ id: `u_${name}`, username: name, passwordHash: null, isAdmin: false });
  return { projects, user };
}

describe('credentialFor', () => {
  it('gives a user only the token of her own project, for the exact origin it names', async () => {
    const { projects, user } = await setup();
    const alice = user('alice');
    const bob = user('bob');
    const a = await projects.create({ id: alice.id, isAdmin: false }, { repoUrl: 'https://git.example.com/team/app.git', accessToken: 'alice-token' });
    const as = { user: alice.id };
    expect(projects.credentialFor('https://git.example.com/team/app.git', as)).toMatchObject({
      token: 'alice-token',
      origin: 'https://git.example.com:443',
      projectId: a.id,
    });
    // Any spelling of the same origin and repository.
    expect(projects.credentialFor('https://GIT.example.com:443/team/app', as)?.token).toBe('alice-token');
    // Another scheme, port or host is another origin: never sent there (http would even send it in clear).
    expect(projects.credentialFor('http://git.example.com/team/app.git', as)).toBeNull();
    expect(projects.credentialFor('https://git.example.com:8443/team/app.git', as)).toBeNull();
    expect(projects.credentialFor('https://evil.example.com/team/app.git', as)).toBeNull();
    // Another repository on the same server.
    expect(projects.credentialFor('https://git.example.com/team/other.git', as)).toBeNull();
    // Another user, even one with a project of her own for it, never gets Alice's token.
    expect(projects.credentialFor('https://git.example.com/team/app.git', { user: bob.id })).toBeNull();
    const b = await projects.create({ id: bob.id, isAdmin: false }, { repoUrl: 'https://git.example.com/team/app.git', accessToken: 'bob-garbage' });
    expect(projects.credentialFor('https://git.example.com/team/app.git', { user: bob.id })?.token).toBe('bob-garbage');
    expect(projects.credentialFor('https://git.example.com/team/app.git', { project: b.id })?.token).toBe('bob-garbage');
    expect(projects.credentialFor('https://git.example.com/team/app.git', { project: a.id })?.token).toBe('alice-token');
    expect(projects.credentialFor('https://git.example.com/team/app.git', 'anonymous')).toBeNull();
  });

  it('a project without a token reads anonymously, whoever else holds one; ssh URLs never carry a token', async () => {
    const { projects, user } = await setup();
    const alice = user('alice');
    const carol = user('carol');
    await projects.create({ id: alice.id, isAdmin: false }, { repoUrl: 'https://git.example.com/team/app.git', accessToken: 'alice-token' });
    const c = await projects.create({ id: carol.id, isAdmin: false }, { repoUrl: 'https://git.example.com/team/app.git' });
    expect(projects.credentialFor('https://git.example.com/team/app.git', { project: c.id })).toBeNull();
    expect(projects.credentialFor('ssh://git@git.example.com/team/app.git', { user: alice.id })).toBeNull();
  });
});
