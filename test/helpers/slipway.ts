/**
 * A real Slipway server for integration tests: buildApp on a random port with
 * a fresh data dir, a known admin token, and helpers to call the API like a
 * client would (real HTTP). close() removes every container and image the
 * test made, so runs do not leak into each other.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp, type App } from '../../server/app.js';
import { loadConfig, type Config } from '../../server/config/config.js';
import { caBundleId } from '../../server/images/ca-layer.js';

export interface TestServer {
  app: App;
  config: Config;
  baseUrl: string;
  adminToken: string;
  dataDir: string;
  api<T = any>(method: string, url: string, body?: unknown, token?: string | null): Promise<{ status: number; body: T; text: string; headers: Headers }>;
  /** Makes a user and returns an API token for them. */
  newUser(username: string): Promise<{ id: string; token: string }>;
  waitForStatus(workspaceId: string, statuses: string[], token?: string, timeoutMs?: number): Promise<any>;
  /** Stops the HTTP server but keeps the data dir and containers (to test restarts). */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** `host`: where to listen (127.0.0.1 unless a test needs the server reachable on every address, e.g. from a container). */
export async function startSlipway(env: Record<string, string> = {}, options: { dataDir?: string; port?: number; host?: string } = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'slipway-test-')));
  const adminToken = 'slw_test_admin_token_0123456789';
  const config = loadConfig({
    SLIPWAY_DATA_DIR: dataDir,
    SLIPWAY_PORT: String(options.port ?? 0),
    SLIPWAY_HOST: '127.0.0.1',
    SLIPWAY_ADMIN_TOKEN: adminToken,
    SLIPWAY_ADMIN_PASSWORD: 'admin-password-1',
    SLIPWAY_LOG_LEVEL: 'warn',
    // The test git servers listen on 127.0.0.1, an internal address: admitted here, refused by
    // default (a test of the refusal passes SLIPWAY_GIT_HOSTS_ALLOW: '').
    SLIPWAY_GIT_HOSTS_ALLOW: '127.0.0.1',
    // The small image: tests that need toolchains ask for slipway/workspace-full themselves.
    SLIPWAY_DEFAULT_IMAGE: 'slipway/workspace-base',
    ...env,
  });
  const app = await buildApp(config, { logger: process.env.SLIPWAY_TEST_LOGS ? { level: 'info' } : false });
  await app.services.auth.bootstrapAdmin({ password: config.adminPassword, token: config.adminToken });
  await app.http.listen({ port: config.port, host: options.host ?? '127.0.0.1' });
  const address = app.http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const baseUrl = `http://127.0.0.1:${port}`;
  // Links the server makes must point at where it really listens.
  config.publicUrl = env.SLIPWAY_PUBLIC_URL ?? baseUrl;
  await app.startBackground();

  // Workspaces this test made: close() removes their containers, and only theirs.
  const ownedIds = new Set<string>();
  const api: TestServer['api'] = async (method, url, body, token = adminToken) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(baseUrl + url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    if (method === 'POST' && url === '/api/workspaces' && (parsed as { id?: string })?.id) ownedIds.add((parsed as { id: string }).id);
    return { status: response.status, body: parsed as any, text, headers: response.headers };
  };

  let stopped = false;
  const server: TestServer = {
    app,
    config,
    baseUrl,
    adminToken,
    dataDir,
    api,
    async newUser(username) {
      const created = await api('POST', '/api/users', { username, password: 'password-of-' + username });
      if (created.status !== 201) throw new Error(`user create failed: ${created.text}`);
      const login = await fetch(`${baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'password-of-' + username }),
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      // A cookie-authenticated change needs the server's Origin, as a browser on Slipway's own page sends it.
      const token = await fetch(`${baseUrl}/api/tokens`, {
        method: 'POST',
        headers: { cookie, origin: new URL(config.publicUrl).origin, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'test' }),
      });
      return { id: created.body.id, token: ((await token.json()) as { token: string }).token };
    },
    async waitForStatus(workspaceId, statuses, token = adminToken, timeoutMs = 180_000) {
      const deadline = Date.now() + timeoutMs;
      let last: any = null;
      while (Date.now() < deadline) {
        const response = await api('GET', `/api/workspaces/${workspaceId}`, undefined, token);
        last = response.body;
        if (statuses.includes(last?.status)) return last;
        await new Promise((r) => setTimeout(r, 150));
      }
      throw new Error(`workspace ${workspaceId} did not reach ${statuses.join('/')} in time; last: ${JSON.stringify(last)}`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
    },
    async close() {
      const runtime = app.services.runtime;
      for (const workspace of (await api('GET', '/api/workspaces').catch(() => ({ body: [] }))).body ?? []) {
        await api('DELETE', `/api/workspaces/${workspace.id}`).catch(() => {});
      }
      // Deleting a project removes its prebuild snapshots (none is in use any more).
      for (const project of (await api('GET', '/api/projects').catch(() => ({ body: [] }))).body ?? []) {
        await api('DELETE', `/api/projects/${project.id}`).catch(() => {});
      }
      await server.stop();
      // Anything the API could not delete (e.g. after a simulated crash) goes too.
      for (const c of await runtime.listContainers({ 'slipway.workspace': '' })) {
        if (ownedIds.has(c.labels['slipway.workspace'] ?? '')) await runtime.removeContainer(c.id);
      }
      // Derived CA layers (images/ca-layer.ts) made for this test's bundle.
      if (config.extraCaCerts) {
        for (const image of await runtime.listImages({ 'slipway.ca-bundle': caBundleId(config.extraCaCerts) }).catch(() => []))
          await runtime.removeImage(image.id).catch(() => {});
      }
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
