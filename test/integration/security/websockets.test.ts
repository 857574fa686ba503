/**
 * WebSockets as an attacker uses them (issue 12, items 2, 8 and 14), against
 * a real server and a real workspace: hostile terminal frames (the `null`
 * that crashed the server, then a seeded fuzz of thousands of frames from
 * several sockets while a well-behaved socket keeps typing), cross-site
 * upgrades of terminals and ports with a valid session cookie, and sockets
 * that must close when the credential that opened them ends.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGitServer, type GitServer } from '../../helpers/git-server.js';
import { startSlipway, type TestServer } from '../../helpers/slipway.js';
import { connectTerminal, plain, type TerminalClient } from '../../helpers/terminal-client.js';

let git: GitServer;
let s: TestServer;
let port: number;
let workspaceId: string;
let shellId: string;
const owner = { id: '', token: '', cookie: '' };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const p = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return p;
}

async function login(username: string, password = 'password-of-' + username): Promise<string> {
  const response = await fetch(`${s.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(response.status).toBe(200);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

/**
 * The cookie a port host gets from the login handoff (`/ports-auth`): the
 * credential the subdomain form accepts, derived from this login session.
 */
async function portCookie(session: string, host: string): Promise<string> {
  const start = await fetch(`${s.baseUrl}/ports-auth?to=${encodeURIComponent(`http://${host}/`)}`, { headers: { cookie: session }, redirect: 'manual' });
  const landing = new URL(start.headers.get('location')!);
  expect(landing.host).toBe(host);
  const cookie = await new Promise<string>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: landing.pathname + landing.search, headers: { host } }, (res) => {
        res.resume();
        resolve((res.headers['set-cookie'] ?? [])[0]?.split(';')[0] ?? '');
      })
      .on('error', reject);
  });
  expect(cookie).toMatch(/=/);
  return cookie;
}

const wsBase = () => `ws://127.0.0.1:${port}`;
const terminalUrl = (terminalId = shellId) => `${wsBase()}/api/workspaces/${workspaceId}/terminals/${terminalId}`;
const sub = (p: number) => `${p}-${workspaceId}.localhost:${port}`;

type Opened = { socket: WebSocket; status: 101 } | { status: number; body: string };

/** Opens a WebSocket with exactly these headers; resolves with the socket, or the refusal's status and body. */
function open(url: string, headers: Record<string, string>): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve({ socket, status: 101 }));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    socket.once('error', reject);
  });
}

async function openOk(url: string, headers: Record<string, string>): Promise<WebSocket> {
  const opened = await open(url, headers);
  if (opened.status !== 101) throw new Error(`refused with ${opened.status}: ${(opened as { body: string }).body}`);
  return (opened as { socket: WebSocket }).socket;
}

function closed(socket: WebSocket): Promise<{ code: number; reason: string; at: number }> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.reject(new Error('already closed'));
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })));
}

async function echo(socket: WebSocket, message: string): Promise<string> {
  const reply = new Promise<string>((resolve, reject) => {
    socket.once('message', (data: Buffer) => resolve(data.toString('utf8')));
    socket.once('close', (code) => reject(new Error(`closed with ${code}`)));
  });
  socket.send(message);
  return reply;
}

/** Types a computed echo and waits for its result: the shell is alive and this socket's input and output work. */
async function typeAndSee(terminal: TerminalClient, n: number, timeoutMs = 15_000): Promise<void> {
  terminal.send(`echo ok-$((${n}*7))\r`);
  await terminal.waitFor(new RegExp(`^ok-${n * 7}$`, 'm'), timeoutMs);
}

async function health(): Promise<number> {
  return (await fetch(`${s.baseUrl}/api/health`)).status;
}

beforeAll(async () => {
  git = await startGitServer();
  port = await freePort();
  s = await startSlipway({ SLIPWAY_DOMAIN: `localhost:${port}` }, { port });
  const { url } = await git.createRepo('ws-security', {
    '.gitpod.yml': [
      'ports:',
      '  - port: 8001',
      '    name: echo',
      'tasks:',
      '  - name: servers',
      '    command: cd "${GITPOD_REPO_ROOT:-.}" && python3 serve.py',
      '',
    ].join('\n'),
    'serve.py': await readFile(new URL('../ports/serve.py', import.meta.url), 'utf8'),
  });
  const created = await s.newUser('wsowner');
  owner.id = created.id;
  owner.token = created.token;
  owner.cookie = await login('wsowner');
  const opened = await s.api('POST', '/api/workspaces', { contextUrl: url }, owner.token);
  expect(opened.status).toBe(202);
  workspaceId = opened.body.id;
  const w = await s.waitForStatus(workspaceId, ['running', 'failed'], owner.token);
  expect(w.status, JSON.stringify(w)).toBe('running');
  shellId = (await s.api('POST', `/api/workspaces/${workspaceId}/terminals`, undefined, owner.token)).body.id;
  // The echo server in the workspace is up once a WebSocket through the proxy echoes.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const socket = await openOk(`${wsBase()}/ports/${workspaceId}/8001/`, { authorization: `Bearer ${owner.token}` }).catch(() => null);
    if (socket && (await echo(socket, 'up').catch(() => null)) === 'up') {
      socket.close();
      break;
    }
    socket?.terminate();
    if (Date.now() > deadline) throw new Error('the echo server in the workspace did not come up');
    await new Promise((r) => setTimeout(r, 300));
  }
});

afterAll(async () => {
  await s?.close();
  await git?.close();
});

describe('terminal frames are validated (item 2)', () => {
  it('a text frame `null` closes that socket with 1007; the server and another socket on the terminal stay up', async () => {
    const good = await connectTerminal(s.baseUrl, workspaceId, shellId, { token: owner.token });
    await typeAndSee(good, 1);
    const bad = await openOk(terminalUrl(), { authorization: `Bearer ${owner.token}` });
    const end = closed(bad);
    bad.send('null');
    expect((await end).code).toBe(1007);
    expect(await health()).toBe(200);
    await typeAndSee(good, 2);
    await good.close();
  });

  it('survives thousands of random frames from several sockets while a well-behaved socket keeps working', async () => {
    const seed = Number(process.env.SLIPWAY_FUZZ_SEED ?? Date.now() % 1_000_000);
    let state = seed;
    // mulberry32: small, seeded, good enough to pick cases; the seed is in the failure message.
    const random = () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (n: number) => Math.floor(random() * n);
    const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
    const numbers = [0, -0, 1, 2, 24, 80, 999, 1000, 1001, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 1e-300, Number.MAX_SAFE_INTEGER] as const;
    const jsonValue = (depth: number): unknown => {
      switch (int(depth > 4 ? 5 : 8)) {
        case 0:
          return null;
        case 1:
          return random() < 0.5;
        case 2:
          return pick(numbers);
        case 3:
          return pick(['', 'resize', 'input', 'exit', 'type', '\u0000\u202e', 'x'.repeat(int(300))]);
        case 4:
          return random() * 1e6;
        case 5:
          return Array.from({ length: int(4) }, () => jsonValue(depth + 1));
        default: {
          const object: Record<string, unknown> = {};
          for (let i = int(5); i > 0; i--) object[pick(['type', 'cols', 'rows', 'data', '__proto__', 'constructor', 'x'])] = jsonValue(depth + 1);
          if (random() < 0.5) object.type = pick(['resize', 'input', 'Resize', 'exit', '', 'resize ']);
          return object;
        }
      }
    };
    // The rule, written from the protocol (DESIGN §6), not from the server's code.
    const dimension = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1000;
    const expectedFor = (value: unknown): 'ok' | number => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return 1007;
      const o = value as Record<string, unknown>;
      const own = (k: string) => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
      if (own('type') === 'resize') return dimension(own('cols')) && dimension(own('rows')) ? 'ok' : 1007;
      return typeof own('type') === 'string' ? 1008 : 1007;
    };

    interface Case {
      data: Buffer | string;
      binary: boolean;
      expect: 'ok' | number[];
      what: string;
    }
    const textCase = (): Case => {
      const kind = int(10);
      if (kind < 2) return { data: bytes(int(200)), binary: false, expect: [1007, 1008], what: 'random bytes as text' };
      if (kind === 2) {
        const n = 1 + int(20_000);
        return { data: '['.repeat(n) + ']'.repeat(n), binary: false, expect: n * 2 > 64 * 1024 ? [1009] : [1007], what: `nesting ${n}` };
      }
      if (kind === 3 && random() < 0.2)
        return {
          data: JSON.stringify({ type: 'resize', cols: 80, rows: 24, pad: 'x'.repeat(64 * 1024 + int(100_000)) }),
          binary: false,
          expect: [1009],
          what: 'oversized control frame',
        };
      if (kind === 4) {
        const value = { type: 'resize', cols: pick([...numbers, '80', null, [80], {}]), rows: pick([...numbers, '24', true]) };
        const e = expectedFor(value);
        return { data: JSON.stringify(value), binary: false, expect: e === 'ok' ? 'ok' : [e], what: JSON.stringify(value) };
      }
      if (kind === 5)
        return { data: JSON.stringify({ type: 'resize', cols: 1 + int(1000), rows: 1 + int(1000) }), binary: false, expect: 'ok', what: 'valid resize' };
      const value = jsonValue(0);
      const text = JSON.stringify(value) ?? 'null';
      const e = expectedFor(JSON.parse(text));
      return { data: text, binary: false, expect: e === 'ok' ? 'ok' : [e], what: text.slice(0, 200) };
    };
    const binaryCase = (): Case =>
      random() < 0.01
        ? { data: bytes(1024 * 1024 + 1 + int(1000)), binary: true, expect: [1009], what: 'oversized input frame' }
        : { data: bytes(int(4096)), binary: true, expect: 'ok', what: 'random input bytes' };

    // Sends one frame and then a ping: a pong means the frame was taken, a close carries the refusal.
    const probe = (socket: WebSocket, c: Case) =>
      new Promise<'ok' | number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${c.what}`)), 20_000);
        const done = (value: 'ok' | number) => {
          clearTimeout(timer);
          socket.off('pong', onPong);
          socket.off('close', onClose);
          resolve(value);
        };
        const onPong = () => done('ok');
        const onClose = (code: number) => done(code);
        socket.on('pong', onPong);
        socket.on('close', onClose);
        socket.send(c.data, { binary: c.binary });
        socket.ping();
      });

    // Binary garbage is valid input: it goes to a terminal of its own whose TTY swallows everything.
    const sinkId = (await s.api('POST', `/api/workspaces/${workspaceId}/terminals`, undefined, owner.token)).body.id;
    const sink = await connectTerminal(s.baseUrl, workspaceId, sinkId, { token: owner.token });
    sink.send('stty raw -echo; exec cat > /dev/null\r');
    await new Promise((r) => setTimeout(r, 500));
    await sink.close();

    const good = await connectTerminal(s.baseUrl, workspaceId, shellId, { token: owner.token });
    const failures: string[] = [];
    let frames = 0;
    let refused = 0;
    let running = true;
    const fuzzer = async (terminalId: string, make: () => Case, count: number) => {
      let socket: WebSocket | null = null;
      for (let i = 0; i < count; i++) {
        socket ??= await openOk(terminalUrl(terminalId), { authorization: `Bearer ${owner.token}` });
        const c = make();
        const got = await probe(socket, c);
        frames += 1;
        const ok = c.expect === 'ok' ? got === 'ok' : got !== 'ok' && c.expect.includes(got);
        if (!ok) failures.push(`${c.what}: expected ${JSON.stringify(c.expect)}, got ${got}`);
        if (got !== 'ok') {
          refused += 1;
          socket = null;
        }
      }
      socket?.close();
    };
    let echoes = 0;
    let healthy = 0;
    const watcher = (async () => {
      for (let n = 100; running; n++) {
        expect(await health()).toBe(200);
        healthy += 1;
        await typeAndSee(good, n);
        echoes += 1;
      }
    })();
    await Promise.all([
      fuzzer(shellId, textCase, 700),
      fuzzer(shellId, textCase, 700),
      fuzzer(shellId, textCase, 700),
      fuzzer(shellId, textCase, 700),
      fuzzer(sinkId, binaryCase, 400),
      fuzzer(sinkId, binaryCase, 400),
    ]);
    running = false;
    await watcher;
    expect(failures.slice(0, 20), `seed ${seed}`).toEqual([]);
    expect(frames).toBe(3600);
    expect(refused).toBeGreaterThan(1500);
    expect(echoes).toBeGreaterThan(3);
    expect(healthy).toBeGreaterThan(3);
    await typeAndSee(good, 9);
    // No refused socket is left attached: the shell has just the good client.
    const terminals = (await s.api('GET', `/api/workspaces/${workspaceId}/terminals`, undefined, owner.token)).body as { id: string; clients: number }[];
    expect(terminals.find((t) => t.id === shellId)?.clients).toBe(1);
    expect(plain(good.output())).not.toMatch(/Unexpected|TypeError/);
    await good.close();
  }, 300_000);
});

describe('cross-site WebSocket upgrades need the server origin when the cookie is the credential (item 8)', () => {
  const evil = 'https://evil.example';

  it('terminal: a foreign or null Origin (or none) with a valid cookie is refused with 403; same origin opens', async () => {
    for (const origin of [evil, 'null', `http://${sub(8001)}`]) {
      const refused = await open(terminalUrl(), { cookie: owner.cookie, origin });
      expect(refused.status, origin).toBe(403);
      expect(JSON.parse((refused as { body: string }).body).code).toBe('SLIPWAY_HTTP_CROSS_SITE');
    }
    expect((await open(terminalUrl(), { cookie: owner.cookie })).status).toBe(403);
    const same = await openOk(terminalUrl(), { cookie: owner.cookie, origin: s.baseUrl });
    same.close();
  });

  it('terminal: ?token= and Bearer clients are not affected by the Origin', async () => {
    (await openOk(`${terminalUrl()}?token=${owner.token}`, { origin: evil })).close();
    (await openOk(terminalUrl(), { authorization: `Bearer ${owner.token}`, origin: 'null' })).close();
  });

  it('port, path form: cookie from another site → 403, from the server origin → echo', async () => {
    const url = `${wsBase()}/ports/${workspaceId}/8001/`;
    expect((await open(url, { cookie: owner.cookie, origin: evil })).status).toBe(403);
    expect((await open(url, { cookie: owner.cookie, origin: 'null' })).status).toBe(403);
    const same = await openOk(url, { cookie: owner.cookie, origin: s.baseUrl });
    expect(await echo(same, 'path same-origin')).toBe('path same-origin');
    same.close();
  });

  it('port, subdomain form: the Origin must be that port host itself, not another port host or the server', async () => {
    const url = `${wsBase()}/socket`;
    const cookie = await portCookie(owner.cookie, sub(8001));
    for (const origin of [evil, 'null', `http://${sub(8000)}`, s.baseUrl]) {
      expect((await open(url, { host: sub(8001), cookie, origin })).status, origin).toBe(403);
    }
    const same = await openOk(url, { host: sub(8001), cookie, origin: `http://${sub(8001)}` });
    expect(await echo(same, 'subdomain same-origin')).toBe('subdomain same-origin');
    same.close();
  });

  it('a public port takes a cross-site upgrade anonymously (the cookie is not used)', async () => {
    const flip = (visibility: string) => s.api('PATCH', `/api/workspaces/${workspaceId}/ports/8001`, { visibility }, owner.token);
    expect((await flip('public')).status).toBe(200);
    try {
      const socket = await openOk(`${wsBase()}/ports/${workspaceId}/8001/`, { cookie: owner.cookie, origin: evil });
      expect(await echo(socket, 'anonymous')).toBe('anonymous');
      socket.close();
    } finally {
      expect((await flip('private')).status).toBe(200);
    }
  });
});

describe('sockets close when their credential ends (item 14)', () => {
  const within5s = async (socket: WebSocket, action: () => Promise<unknown>) => {
    const end = closed(socket);
    const started = Date.now();
    await action();
    const result = await Promise.race([end, new Promise<null>((r) => setTimeout(() => r(null), 5_000))]);
    expect(result, 'the socket did not close within 5 s').not.toBeNull();
    expect(result!.at - started).toBeLessThan(5_000);
    return result!;
  };

  it('revoking a token closes its terminal and port sockets (4001); sockets of other credentials stay open', async () => {
    const issued = (await s.api('POST', '/api/tokens', { name: 'short-lived' }, owner.token)).body as { id: string; token: string };
    const terminal = await connectTerminal(s.baseUrl, workspaceId, shellId, { token: issued.token });
    const viaQuery = await openOk(`${terminalUrl()}?token=${issued.token}`, {});
    const port8001 = await openOk(`${wsBase()}/ports/${workspaceId}/8001/`, { authorization: `Bearer ${issued.token}` });
    expect(await echo(port8001, 'before')).toBe('before');
    const untouched = await connectTerminal(s.baseUrl, workspaceId, shellId, { token: owner.token });
    const untouchedPort = await openOk(`${wsBase()}/ports/${workspaceId}/8001/`, { authorization: `Bearer ${owner.token}` });

    const queryEnd = closed(viaQuery);
    const portEnd = closed(port8001);
    const result = await within5s(terminal.socket, async () =>
      expect((await s.api('DELETE', `/api/tokens/${issued.id}`, undefined, owner.token)).status).toBe(204),
    );
    expect(result).toMatchObject({ code: 4001, reason: 'the API token was revoked' });
    expect((await queryEnd).code).toBe(4001);
    expect(await portEnd).toMatchObject({ code: 4001, reason: 'the API token was revoked' });

    await typeAndSee(untouched, 11);
    expect(await echo(untouchedPort, 'still here')).toBe('still here');
    await untouched.close();
    untouchedPort.close();
    // And the revoked token opens nothing new.
    expect((await open(terminalUrl(), { authorization: `Bearer ${issued.token}` })).status).toBe(401);
  });

  it('logging out closes the sockets of that session only (terminal and port subdomain)', async () => {
    const session = await login('wsowner');
    const other = await login('wsowner');
    const sameOrigin = { origin: s.baseUrl };
    const cookieTerminal = await openOk(terminalUrl(), { cookie: session, ...sameOrigin });
    const portSocket = await openOk(`${wsBase()}/socket`, { host: sub(8001), cookie: await portCookie(session, sub(8001)), origin: `http://${sub(8001)}` });
    expect(await echo(portSocket, 'hi')).toBe('hi');
    const otherSession = await openOk(terminalUrl(), { cookie: other, ...sameOrigin });

    const portEnd = closed(portSocket);
    const result = await within5s(cookieTerminal, async () => {
      const out = await fetch(`${s.baseUrl}/api/auth/logout`, { method: 'POST', headers: { cookie: session, origin: s.baseUrl } });
      expect(out.status).toBe(200);
    });
    expect(result).toMatchObject({ code: 4001, reason: 'signed out: sign in again' });
    expect((await portEnd).code).toBe(4001);
    expect(otherSession.readyState).toBe(WebSocket.OPEN);
    otherSession.close();
  });

  it('deleting a user closes every socket they opened; refused while they own work', async () => {
    // An admin can open other users' terminals: the interesting case, since deleting them leaves the workspace alone.
    const made = await s.api('POST', '/api/users', { username: 'wsadmin2', password: 'password-of-wsadmin2', isAdmin: true });
    expect(made.status).toBe(201);
    const cookie = await login('wsadmin2');
    const token = (
      (await (
        await fetch(`${s.baseUrl}/api/tokens`, { method: 'POST', headers: { cookie, origin: s.baseUrl, 'content-type': 'application/json' }, body: '{}' })
      ).json()) as { token: string }
    ).token;
    const byToken = await openOk(terminalUrl(), { authorization: `Bearer ${token}` });
    const byCookie = await openOk(terminalUrl(), { cookie, origin: s.baseUrl });
    const port8001 = await openOk(`${wsBase()}/ports/${workspaceId}/8001/`, { authorization: `Bearer ${token}` });
    expect(await echo(port8001, 'x')).toBe('x');
    const ownerSocket = await connectTerminal(s.baseUrl, workspaceId, shellId, { token: owner.token });

    const owns = await s.api('DELETE', `/api/users/${owner.id}`);
    expect(owns.status).toBe(409);
    expect(owns.body.code).toBe('SLIPWAY_AUTH_USER_OWNS_WORK');

    const cookieEnd = closed(byCookie);
    const portEnd = closed(port8001);
    const result = await within5s(byToken, async () => expect((await s.api('DELETE', `/api/users/${made.body.id}`)).status).toBe(204));
    expect(result).toMatchObject({ code: 4001, reason: 'the user was deleted' });
    expect((await cookieEnd).code).toBe(4001);
    expect((await portEnd).code).toBe(4001);
    await typeAndSee(ownerSocket, 12);
    await ownerSocket.close();
    expect((await s.api('GET', '/api/me', undefined, token)).status).toBe(401);
    expect((await s.api('GET', '/api/users')).body.map((u: { username: string }) => u.username)).not.toContain('wsadmin2');
  });
});
