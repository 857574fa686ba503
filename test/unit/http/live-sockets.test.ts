/**
 * The socket registry against the real auth service: a revocation closes
 * exactly the sockets its credential opened (4001), and a throwing ws
 * handler closes only its own socket (1011) on a real WebSocket server.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { createAuthService } from '../../../server/auth/service.js';
import { createLiveSockets } from '../../../server/http/live-sockets.js';
import { guarded } from '../../../server/http/upgrade.js';
import { createAuditLog } from '../../../server/store/audit.js';
import { openDatabase } from '../../../server/store/db.js';
import { createUserStore } from '../../../server/store/users.js';

async function setup() {
  const db = openDatabase(':memory:');
  const auth = createAuthService({ users: createUserStore(db), audit: createAuditLog(db) });
  const admin = await auth.createUser({ username: 'root', password: 'password1', isAdmin: true }, null);
  const ann = await auth.createUser({ username: 'ann', password: 'password1' }, null);
  const bob = await auth.createUser({ username: 'bob', password: 'password1' }, null);
  return { auth, admin, ann, bob, sockets: createLiveSockets(auth) };
}

describe('live sockets', () => {
  it('closes the sockets of a revoked token, a logged-out session and a deleted user, and no others', async () => {
    const { auth, admin, ann, bob, sockets } = await setup();
    const closed: string[] = [];
    const open = (name: string, identity: Parameters<typeof sockets.track>[0]) => {
      const forget = sockets.track(identity, (code, reason) => closed.push(`${name} ${code} ${reason}`));
      return forget;
    };
    const annToken = auth.issueToken(ann.id, 'a');
    const annSession = (await auth.login('ann', 'password1')).sessionId;
    const bobToken = auth.issueToken(bob.id, 'b');
    const bobSession = (await auth.login('bob', 'password1')).sessionId;
    open('ann-token-1', auth.identifyToken(annToken.token)!);
    open('ann-token-2', auth.identifyToken(annToken.token)!);
    open('ann-session', auth.identifySession(annSession)!);
    open('bob-token', auth.identifyToken(bobToken.token)!);
    const forgotten = open('bob-gone', auth.identifyToken(bobToken.token)!);
    open('bob-session', auth.identifySession(bobSession)!);
    forgotten();
    expect(sockets.size()).toBe(5);

    auth.revokeToken(ann, annToken.id);
    expect(closed).toEqual(['ann-token-1 4001 the API token was revoked', 'ann-token-2 4001 the API token was revoked']);
    auth.logout(annSession);
    expect(closed.at(-1)).toBe('ann-session 4001 signed out: sign in again');
    expect(sockets.size()).toBe(2);

    auth.deleteUser(admin, bob.id);
    expect(closed.slice(3).sort()).toEqual(['bob-session 4001 the user was deleted', 'bob-token 4001 the user was deleted']);
    expect(sockets.size()).toBe(0);
    sockets.dispose();
  });

  it('a socket whose close throws does not keep the others of that credential open', async () => {
    const { auth, ann, sockets } = await setup();
    const token = auth.issueToken(ann.id, 'a');
    const closed: number[] = [];
    sockets.track(auth.identifyToken(token.token)!, () => {
      throw new Error('already gone');
    });
    sockets.track(auth.identifyToken(token.token)!, (code) => closed.push(code));
    auth.revokeToken(ann, token.id);
    expect(closed).toEqual([4001]);
  });
});

describe('guarded ws handlers', () => {
  it('an exception in a message handler closes that socket with 1011; the server and other sockets stay up', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const errors: unknown[] = [];
    const log = { error: (obj: unknown) => void errors.push(obj) } as never;
    wss.on('connection', (ws) => {
      ws.on(
        'message',
        guarded(log, ws, 'message', (data: Buffer) => {
          const message = JSON.parse(data.toString()) as { type: string };
          ws.send(`echo ${message.type}`);
        }),
      );
    });
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    const good = new WebSocket(url);
    const bad = new WebSocket(url);
    await Promise.all([once(good, 'open'), once(bad, 'open')]);
    bad.send('null');
    const [code] = (await once(bad, 'close')) as [number];
    expect(code).toBe(1011);
    expect(errors).toHaveLength(1);
    good.send('{"type":"still here"}');
    const [reply] = (await once(good, 'message')) as [Buffer];
    expect(reply.toString()).toBe('echo still here');
    good.close();
    wss.close();
  });
});
