/**
 * The HTTP boundary against a real server over real HTTP (issue 12, items
 * 3, 8, 9, 11, 15, 19): auth is decided on the path the router matches and
 * ambiguous spellings are refused; cookie-authenticated changes need the
 * server's Origin and bodies are JSON only; bodies are size- and
 * depth-limited without freezing the event loop; logins are throttled per
 * user and per address; /metrics is for admins and the metrics token; the
 * client address is the socket's unless a proxy is configured. Raw paths and
 * several client addresses (127.0.0.x) go through node:http.
 */
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, type RawRequest } from '../../helpers/raw-http.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';

const METRICS_TOKEN = 'metrics-scraper-token-0123456789';
let s: TestServer;
let alice: { id: string; token: string };
let aliceCookie: string;
let origin: string;

const req = (p: string, options: RawRequest = {}) => rawRequest(s.baseUrl, p, options);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function loginCookie(username: string, password: string): Promise<string> {
  const r = await req('/api/auth/login', { method: 'POST', ...json({ username, password }) });
  expect(r.status, r.text).toBe(200);
  return String(r.headers['set-cookie']![0]).split(';')[0]!;
}

function login(username: string, password: string, localAddress: string, headers: Record<string, string> = {}) {
  return req('/api/auth/login', {
    method: 'POST',
    localAddress,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  });
}

beforeAll(async () => {
  s = await startSlipway({ SLIPWAY_METRICS_TOKEN: METRICS_TOKEN });
  origin = new URL(s.config.publicUrl).origin;
  alice = await s.newUser('alice');
  aliceCookie = await loginCookie('alice', 'password-of-alice');
});
afterAll(async () => {
  await s?.close();
});

describe('auth on the normalized path (item 3)', () => {
  it('percent-encoded spellings of closed routes need credentials like the plain ones', async () => {
    for (const [method, p] of [
      ['POST', '/%61pi/workspaces/wnothere/stop'],
      ['GET', '/%61pi/workspaces'],
      ['GET', '/api/%77orkspaces'],
      ['GET', '/%6detrics'],
      ['GET', '/%61pi/tokens'],
      ['GET', '/api/user%73'],
    ] as const) {
      const r = await req(p, { method });
      expect(r.status, `${method} ${p}: ${r.text}`).toBe(401);
      expect(r.json.code).toBe('SLIPWAY_AUTH_REQUIRED');
    }
    // The same spellings still work for a caller with credentials: they are the same routes.
    expect((await req('/%61pi/workspaces', { headers: bearer(alice.token) })).status).toBe(200);
  });

  it('ambiguous spellings are refused with 400 before routing', async () => {
    for (const p of [
      '/api/workspaces/x%2Fstop',
      '/api/webhooks%2F..%2Fworkspaces',
      '/api/webhooks/%2e%2e/workspaces',
      '/api/webhooks/../workspaces',
      '/api/health/../workspaces',
      '/api/webhooks/./x',
      '/api/workspaces/a%5Cb',
      '/api\\workspaces',
      '/api/workspaces/%00',
      '/api/workspaces/a%252Fb',
      '//api/workspaces',
      '/api//workspaces',
      '/api/workspaces/%zz',
      '/api/workspaces/%C0%AF',
    ]) {
      const r = await req(p, { headers: bearer(alice.token) });
      expect(r.status, `${p}: ${r.text}`).toBe(400);
      expect(r.json.code, p).toBe('SLIPWAY_HTTP_BAD_PATH');
    }
  });

  it('the port path form still takes raw paths (an encoded "/" belongs to the app)', async () => {
    const r = await req('/ports/wnothere/8000/files/a%2Fb', { headers: bearer(alice.token) });
    expect(r.json?.code).not.toBe('SLIPWAY_HTTP_BAD_PATH');
    expect(r.status).toBe(404);
    expect(r.json.code).toBe('SLIPWAY_WORKSPACE_NOT_FOUND');
  });
});

describe('cross-site requests and body types (item 8)', () => {
  const tokenPost = (headers: Record<string, string>) =>
    req('/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"name":"x"}' });

  it("a cookie-authenticated change needs the server's Origin", async () => {
    const refused: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      {},
      { 'sec-fetch-site': 'cross-site' },
      { origin: origin.replace('127.0.0.1', 'localhost') },
    ];
    for (const bad of refused) {
      const r = await tokenPost({ cookie: aliceCookie, ...bad });
      expect(r.status, `${JSON.stringify(bad)}: ${r.text}`).toBe(403);
      expect(r.json.code).toBe('SLIPWAY_HTTP_CROSS_SITE');
      expect(r.json.message).toMatch(/SLIPWAY_PUBLIC_URL/);
    }
    expect((await req('/api/tokens', { method: 'DELETE', headers: { cookie: aliceCookie, origin: 'https://evil.example' } })).status).toBe(403);
    expect((await req('/api/workspaces/wnothere', { method: 'DELETE', headers: { cookie: aliceCookie, origin: 'https://evil.example' } })).status).toBe(403);
    expect(
      (
        await req('/api/workspaces/wnothere/ports/8000', {
          method: 'PATCH',
          headers: { cookie: aliceCookie, origin: 'https://evil.example', 'content-type': 'application/json' },
          body: '{"visibility":"public"}',
        })
      ).status,
    ).toBe(403);
    expect((await req('/api/auth/logout', { method: 'POST', headers: { cookie: aliceCookie, origin: 'https://evil.example' } })).status).toBe(403);
    // Reads are not state changes; the browser's own pages pass.
    expect((await req('/api/tokens', { headers: { cookie: aliceCookie } })).status).toBe(200);
    expect((await tokenPost({ cookie: aliceCookie, origin })).status).toBe(201);
    expect((await tokenPost({ cookie: aliceCookie, 'sec-fetch-site': 'same-origin' })).status).toBe(201);
  });

  it('bearer clients are unaffected by Origin', async () => {
    expect((await tokenPost({ ...bearer(alice.token), origin: 'https://evil.example' })).status).toBe(201);
    expect((await tokenPost(bearer(alice.token))).status).toBe(201);
  });

  it('a login that names a foreign Origin is refused (login CSRF); scripts without Origin may log in', async () => {
    const foreign = await login('alice', 'password-of-alice', '127.0.0.1', { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.json.code).toBe('SLIPWAY_HTTP_CROSS_SITE');
    expect(foreign.headers['set-cookie']).toBeUndefined();
    expect((await login('alice', 'password-of-alice', '127.0.0.1', { origin })).status).toBe(200);
    expect((await login('alice', 'password-of-alice', '127.0.0.1')).status).toBe(200);
  });

  it('bodies are JSON only (415), a request without a body needs no type', async () => {
    const same = { cookie: aliceCookie, origin };
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'name=x'],
      ['text/plain', '{"name":"x"}'],
      ['multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n'],
    ]) {
      for (const headers of [same, bearer(alice.token)]) {
        const r = await req('/api/tokens', { method: 'POST', headers: { ...headers, 'content-type': type! }, body });
        expect(r.status, `${type}: ${r.text}`).toBe(415);
        expect(r.json.code).toBe('SLIPWAY_HTTP_UNSUPPORTED_MEDIA_TYPE');
      }
    }
    const untyped = await req('/api/tokens', { method: 'POST', headers: bearer(alice.token), body: '{"name":"x"}' });
    expect(untyped.status).toBe(415);
    // No body, no type: the route answers (404: no such workspace), not the parser.
    const empty = await req('/api/workspaces/wnothere/stop', { method: 'POST', headers: bearer(alice.token) });
    expect(empty.status, empty.text).toBe(404);
  });

  it('webhooks keep their formats: a form-encoded GitHub delivery reaches the signature check', async () => {
    const form = new URLSearchParams({
      payload: JSON.stringify({ ref: 'refs/heads/main', repository: { clone_url: 'https://github.com/a/b.git' } }),
    }).toString();
    const r = await req('/api/webhooks/github', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'push' },
      body: form,
    });
    expect(r.status, r.text).toBe(401);
    expect(r.json.code).toBe('SLIPWAY_WEBHOOK_BAD_SIGNATURE');
  });
});

describe('body size and depth (item 9)', () => {
  /** Polls health every 50 ms while `work` runs; returns the slowest answer. */
  async function healthDuring<T>(work: () => Promise<T>): Promise<{ result: T; slowestMs: number; polls: number }> {
    let slowestMs = 0;
    let polls = 0;
    let done = false;
    const poller = (async () => {
      while (!done) {
        const r = await req('/api/health');
        expect(r.status).toBe(200);
        slowestMs = Math.max(slowestMs, r.ms);
        polls++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const result = await work();
    await new Promise((resolve) => setTimeout(resolve, 120));
    done = true;
    await poller;
    return { result, slowestMs, polls };
  }

  it('a 10 MB webhook body is refused with 413 while it streams; health stays under 1 s', async () => {
    // Without Content-Length (chunked): refused once the limit is passed, not after buffering it all.
    const chunk = Buffer.alloc(64 * 1024, '['.charCodeAt(0));
    let sent = 0;
    const stream = new Readable({
      read() {
        if (sent >= 10 * 1024 * 1024) return this.push(null);
        sent += chunk.length;
        setTimeout(() => this.push(chunk), 1);
      },
    });
    const { result, slowestMs, polls } = await healthDuring(() =>
      req('/api/webhooks/github', { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push' }, body: stream }),
    );
    expect(result.status, result.text).toBe(413);
    expect(result.json.code).toBe('SLIPWAY_HTTP_BODY_TOO_LARGE');
    expect(sent).toBeLessThan(10 * 1024 * 1024);
    expect(polls).toBeGreaterThan(0);
    expect(slowestMs).toBeLessThan(1000);

    // With a Content-Length that says 10 MB: refused before the body is read.
    const big = Buffer.alloc(10 * 1024 * 1024, 'a'.charCodeAt(0));
    const declared = await healthDuring(() =>
      req('/api/webhooks/github', { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push' }, body: big }),
    );
    expect(declared.result.status).toBe(413);
    expect(declared.slowestMs).toBeLessThan(1000);
  });

  it('the API has the same limit (1 MiB by default)', async () => {
    const body = JSON.stringify({ contextUrl: 'x'.repeat(1024 * 1024 + 10) });
    const r = await req('/api/workspaces', { method: 'POST', headers: { ...bearer(alice.token), 'content-type': 'application/json' }, body });
    expect(r.status, r.text).toBe(413);
    expect(r.json.code).toBe('SLIPWAY_HTTP_BODY_TOO_LARGE');
    expect(r.json.message).toMatch(/SLIPWAY_BODY_LIMIT_BYTES/);
  });

  it('JSON nested 100 000 deep is 400 at once, on the API and on webhooks; 64 levels are fine', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const { result, slowestMs } = await healthDuring(() =>
      req('/api/workspaces', { method: 'POST', headers: { ...bearer(alice.token), 'content-type': 'application/json' }, body: deep }),
    );
    expect(result.status, result.text).toBe(400);
    expect(result.json.code).toBe('SLIPWAY_HTTP_BODY_TOO_DEEP');
    expect(result.ms).toBeLessThan(1000);
    expect(slowestMs).toBeLessThan(1000);
    const hook = await req('/api/webhooks/github', { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push' }, body: deep });
    expect(hook.status).toBe(400);
    expect(hook.json.code).toBe('SLIPWAY_HTTP_BODY_TOO_DEEP');
    const form = await req('/api/webhooks/github', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'push' },
      body: `payload=${encodeURIComponent('{"a":' + deep + '}')}`,
    });
    expect(form.json.code).toBe('SLIPWAY_HTTP_BODY_TOO_DEEP');

    // 64 levels pass the parser (the route then says what is wrong with the content).
    const ok = '{"name":"deep","extra":' + '['.repeat(63) + ']'.repeat(63) + '}';
    const fine = await req('/api/tokens', { method: 'POST', headers: { ...bearer(alice.token), 'content-type': 'application/json' }, body: ok });
    expect(fine.status, fine.text).toBe(201);
  });
});

describe('login throttling (item 11) and the client address (item 19)', () => {
  it('5 failures for a user answer 429 with Retry-After, for that user only and from every address', async () => {
    await s.newUser('rl-victim');
    await s.newUser('rl-bystander');
    for (let i = 0; i < 5; i++) expect((await login('rl-victim', 'wrong-password', '127.0.0.11')).status).toBe(401);
    const blocked = await login('rl-victim', 'password-of-rl-victim', '127.0.0.11');
    expect(blocked.status, blocked.text).toBe(429);
    expect(blocked.json.code).toBe('SLIPWAY_AUTH_RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Per user: the right password from another address waits too.
    expect((await login('rl-victim', 'password-of-rl-victim', '127.0.0.12')).status).toBe(429);
    // Another user from the same address is not slowed.
    expect((await login('rl-bystander', 'password-of-rl-bystander', '127.0.0.11')).status).toBe(200);
    // After Retry-After the right password works again.
    await new Promise((resolve) => setTimeout(resolve, Number(blocked.headers['retry-after']) * 1000 + 100));
    expect((await login('rl-victim', 'password-of-rl-victim', '127.0.0.11')).status).toBe(200);
  });

  it("a success resets the user's count", async () => {
    await s.newUser('rl-typo');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect((await login('rl-typo', 'wrong-password', '127.0.0.13')).status).toBe(401);
      expect((await login('rl-typo', 'password-of-rl-typo', '127.0.0.13')).status).toBe(200);
    }
  });

  it('many failures from one address (over many usernames) slow that address only; X-Forwarded-For does not change it', async () => {
    await s.newUser('rl-late');
    // 20 failures spread over 10 names (2 each: no single user is throttled), each claiming another forwarded address.
    for (let i = 0; i < 20; i++) {
      const r = await login(`nobody-${i % 10}`, 'wrong-password', '127.0.0.14', { 'x-forwarded-for': `203.0.113.${i}` });
      expect(r.status).toBe(401);
    }
    const sprayer = await login('rl-late', 'password-of-rl-late', '127.0.0.14', { 'x-forwarded-for': '198.51.100.7' });
    expect(sprayer.status, sprayer.text).toBe(429);
    expect((await login('rl-late', 'password-of-rl-late', '127.0.0.15')).status).toBe(200);
  });

  it('the audit log keeps the socket address of a login, not X-Forwarded-For', async () => {
    await s.newUser('audit-me');
    expect((await login('audit-me', 'password-of-audit-me', '127.0.0.16', { 'x-forwarded-for': '203.0.113.99' })).status).toBe(200);
    expect(lastLoginAddress(s, 'audit-me')).toBe('127.0.0.16');
  });

  it('with SLIPWAY_TRUST_PROXY naming the proxy, X-Forwarded-For is the client address', async () => {
    const proxied = await startSlipway({ SLIPWAY_TRUST_PROXY: '127.0.0.17' });
    try {
      const user = await proxied.newUser('behind-proxy');
      expect(user.id).toBeTruthy();
      const viaProxy = await rawRequest(proxied.baseUrl, '/api/auth/login', {
        method: 'POST',
        localAddress: '127.0.0.17',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.50' },
        body: JSON.stringify({ username: 'behind-proxy', password: 'password-of-behind-proxy' }),
      });
      expect(viaProxy.status).toBe(200);
      expect(lastLoginAddress(proxied, 'behind-proxy')).toBe('203.0.113.50');
      // A client that is not the named proxy cannot pick its address.
      const direct = await rawRequest(proxied.baseUrl, '/api/auth/login', {
        method: 'POST',
        localAddress: '127.0.0.18',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.51' },
        body: JSON.stringify({ username: 'behind-proxy', password: 'password-of-behind-proxy' }),
      });
      expect(direct.status).toBe(200);
      expect(lastLoginAddress(proxied, 'behind-proxy')).toBe('127.0.0.18');
    } finally {
      await proxied.close();
    }
  });
});

describe('/metrics (item 15)', () => {
  it('admins and the metrics token only', async () => {
    expect((await req('/metrics')).status).toBe(401);
    const user = await req('/metrics', { headers: bearer(alice.token) });
    expect(user.status).toBe(403);
    expect(user.json.code).toBe('SLIPWAY_AUTH_FORBIDDEN');
    expect(user.text).not.toMatch(/slipway_workspaces/);
    expect((await req('/metrics', { headers: { cookie: aliceCookie } })).status).toBe(403);
    expect((await req('/metrics', { headers: bearer(METRICS_TOKEN.slice(0, -1) + 'X') })).status).toBe(401);
    const scraper = await req('/metrics', { headers: bearer(METRICS_TOKEN) });
    expect(scraper.status).toBe(200);
    expect(scraper.text).toMatch(/slipway_http_requests_total/);
    expect((await req('/metrics', { headers: bearer(s.adminToken) })).status).toBe(200);
    // The metrics token is no user's token: it opens nothing else.
    expect((await req('/api/workspaces', { headers: bearer(METRICS_TOKEN) })).status).toBe(401);
  });
});

/** The address of the newest `auth.login` audit entry of a user, read from the server's own database. */
function lastLoginAddress(server: TestServer, username: string): string | undefined {
  const db = new Database(path.join(server.dataDir, 'slipway.db'), { readonly: true });
  try {
    const row = db
      .prepare("SELECT a.detail FROM audit a JOIN users u ON u.id = a.target WHERE a.action = 'auth.login' AND u.username = ? ORDER BY a.id DESC LIMIT 1")
      .get(username) as { detail: string | null } | undefined;
    return row?.detail ? (JSON.parse(row.detail) as { address?: string }).address : undefined;
  } finally {
    db.close();
  }
}
