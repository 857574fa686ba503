/**
 * Projects API and webhooks over real HTTP: each provider's real headers,
 * payload and signature is accepted, and refused with a wrong secret (401,
 * nothing queued); pings and branch deletions are 204; a replayed delivery
 * is ignored; secrets are sealed at rest and shown only to the owner.
 * Branch patterns are chosen so that nothing is prebuilt: no Docker work.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody, type WebhookProvider } from '../../../server/webhooks/index.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/webhooks/${name}`, import.meta.url));

const CASES: { provider: WebhookProvider; file: string; repoUrl: string; branch: string }[] = [
  { provider: 'github', file: 'github-push.json', repoUrl: 'https://github.com/acme-labs/rocket-shop.git', branch: 'feature/checkout-flow' },
  { provider: 'gitlab', file: 'gitlab-push.json', repoUrl: 'https://gitlab.example.org/platform/tools/slipway-demo.git', branch: 'main' },
  { provider: 'gitea', file: 'gitea-push.json', repoUrl: 'https://git.example.net/ops/infra-tools.git', branch: 'develop' },
  { provider: 'bitbucket', file: 'bitbucket-push.json', repoUrl: 'https://bitbucket.org/acme-team/billing-api', branch: 'main' },
  { provider: 'generic', file: 'generic-push.json', repoUrl: 'https://git.internal.example/team/payments.git', branch: 'release/1.8' },
];

let server: TestServer;
const secrets = new Map<string, { id: string; secret: string }>();

async function post(provider: string, body: Buffer, headers: Record<string, string>) {
  const response = await fetch(`${server.baseUrl}/api/webhooks/${provider}`, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  server = await startSlipway();
  for (const c of CASES) {
    // Only a branch name no fixture pushes: verified pushes are answered, nothing is built.
    const created = await server.api('POST', '/api/projects', { repoUrl: c.repoUrl, prebuildBranches: ['never-prebuilt'] });
    expect(created.status, created.text).toBe(201);
    secrets.set(c.provider, { id: created.body.id, secret: created.body.webhookSecret });
  }
});
afterAll(async () => {
  await server?.close();
});

describe('webhooks', () => {
  for (const c of CASES) {
    it(`${c.provider}: a signed push is accepted; a wrong secret is 401 and queues nothing`, async () => {
      const { id, secret } = secrets.get(c.provider)!;
      const body = fixture(c.file);
      const good = await post(c.provider, body, signBody(c.provider, secret, body, { deliveryId: `d-${c.provider}-1` }));
      expect(good.status, good.text).toBe(202);
      expect(good.body.projectId).toBe(id);
      expect(good.body.skipped.map((s: { branch: string }) => s.branch)).toContain(c.branch);

      const bad = await post(c.provider, body, signBody(c.provider, 'not-the-secret', body, { deliveryId: `d-${c.provider}-2` }));
      expect(bad.status).toBe(401);
      expect(bad.body.code).toBe('SLIPWAY_WEBHOOK_BAD_SIGNATURE');
      const unsigned = await post(c.provider, body, { 'content-type': 'application/json', ...(c.provider === 'github' ? { 'x-github-event': 'push' } : {}) });
      expect([400, 401]).toContain(unsigned.status);
      expect((await server.api('GET', `/api/prebuilds?projectId=${id}`)).body).toEqual([]);
    });
  }

  it('pings and branch deletions are 204; a replayed delivery id is ignored; a tampered body is 401', async () => {
    const { secret } = secrets.get('github')!;
    const ping = fixture('github-ping.json');
    expect((await post('github', ping, signBody('github', secret, ping, { event: 'ping', deliveryId: 'p1' }))).status).toBe(204);
    const del = fixture('github-branch-delete.json');
    expect((await post('github', del, signBody('github', secret, del, { deliveryId: 'del1' }))).status).toBe(204);
    const push = fixture('github-push.json');
    const headers = signBody('github', secret, push, { deliveryId: 'replay-1' });
    expect((await post('github', push, headers)).status).toBe(202);
    const again = await post('github', push, headers);
    expect(again.status).toBe(200);
    expect(again.body.ignored).toBe('duplicate delivery');
    const tampered = Buffer.from(push.toString('utf8').replace('feature/checkout-flow', 'main'));
    expect((await post('github', tampered, signBody('github', secret, push, { deliveryId: 'replay-2' }))).status).toBe(401);
  });

  it('an unknown repository looks exactly like a wrong secret', async () => {
    const body = Buffer.from(JSON.stringify({ repoUrl: 'https://nowhere.example/x/y.git', ref: 'refs/heads/main', after: 'a'.repeat(40) }));
    const response = await post('generic', body, signBody('generic', 'whatever', body, {}));
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });
});

describe('projects', () => {
  it('belong to their owner: others get 404, admins see them without the secret', async () => {
    const alice = await server.newUser('alice');
    const bob = await server.newUser('bob');
    const created = await server.api(
      'POST',
      '/api/projects',
      { repoUrl: 'https://git.example.com/alice/app.git', accessToken: 'tok-ALICE-123', pollIntervalSeconds: 0 },
      alice.token,
    );
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      repoUrl: 'https://git.example.com/alice/app.git',
      hasAccessToken: true,
      prebuildBranches: null,
      webhookUrl: `${server.baseUrl}/api/webhooks/generic`,
    });
    expect(created.body.webhookSecret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(created.text).not.toContain('tok-ALICE-123');
    const id = created.body.id;

    expect((await server.api('GET', `/api/projects/${id}`, undefined, bob.token)).status).toBe(404);
    expect((await server.api('DELETE', `/api/projects/${id}`, undefined, bob.token)).status).toBe(404);
    expect((await server.api('GET', `/api/prebuilds?projectId=${id}`, undefined, bob.token)).status).toBe(404);
    expect((await server.api('GET', '/api/projects', undefined, bob.token)).body).toEqual([]);
    const mine = await server.api('GET', `/api/projects/${id}`, undefined, alice.token);
    expect(mine.body.webhookSecret).toBe(created.body.webhookSecret);
    const asAdmin = await server.api('GET', `/api/projects/${id}`);
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.webhookSecret).toBeUndefined();

    const patched = await server.api('PATCH', `/api/projects/${id}`, { prebuildBranches: ['**'], name: 'App' }, alice.token);
    expect(patched.body).toMatchObject({ prebuildBranches: ['**'], name: 'App' });
    expect((await server.api('PATCH', `/api/projects/${id}`, { prebuildBranches: 'main' }, alice.token)).status).toBe(400);

    // Sealed at rest: neither the token nor the secret is in the database file; the key file is 0600.
    const db =
      readFileSync(path.join(server.dataDir, 'slipway.db')).toString('latin1') + readFileSync(path.join(server.dataDir, 'slipway.db-wal')).toString('latin1');
    expect(db).not.toContain('tok-ALICE-123');
    expect(db).not.toContain(created.body.webhookSecret);
    expect(statSync(path.join(server.dataDir, 'secret.key')).mode & 0o777).toBe(0o600);

    expect((await server.api('DELETE', `/api/projects/${id}`, undefined, alice.token)).status).toBe(204);
    expect((await server.api('GET', `/api/projects/${id}`, undefined, alice.token)).status).toBe(404);
  });

  it('refuses bad input with a message', async () => {
    expect((await server.api('POST', '/api/projects', {})).body.code).toBe('SLIPWAY_PROJECT_BAD_REQUEST');
    expect((await server.api('POST', '/api/projects', { repoUrl: 'ext::sh -c evil' })).status).toBe(400);
    expect((await server.api('POST', '/api/projects', { repoUrl: 'https://x.example/a/b.git', pollIntervalSeconds: -1 })).status).toBe(400);
  });
});
