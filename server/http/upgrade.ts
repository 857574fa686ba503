/**
 * WebSocket upgrades. Auth and ownership are checked BEFORE the upgrade, so a
 * stranger never gets a socket: they get a plain HTTP 401/404 answer.
 * Terminal protocol (DESIGN §6): binary frames are raw bytes both ways; text
 * frames are JSON control messages (resize from the client, exit from the
 * server). On attach the scrollback is replayed first.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { isSlipwayError } from '../core/errors.js';
import { callerOf } from './caller.js';
import type { HttpDeps } from './server.js';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

const TERMINAL_PATH = /^\/api\/workspaces\/([a-z0-9]+)\/terminals\/([a-z0-9]+)$/;

export function rejectUpgrade(socket: Duplex, status: number, body: { code: string; message: string }) {
  const text = JSON.stringify(body);
  const reason = status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : status === 409 ? 'Conflict' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

export function attachUpgradeHandler(app: FastifyInstance, deps: HttpDeps) {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 * 1024 });

  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    for (const handler of deps.extraUpgrades ?? []) if (handler(request, socket, head)) return;
    const path = (request.url ?? '').split('?')[0] ?? '';
    const match = TERMINAL_PATH.exec(path);
    if (!match) return rejectUpgrade(socket, 404, { code: 'SLIPWAY_HTTP_NOT_FOUND', message: `No WebSocket at ${path}` });
    const caller = callerOf(deps.auth, request, { allowQueryToken: true });
    if (!caller) return rejectUpgrade(socket, 401, { code: 'SLIPWAY_AUTH_REQUIRED', message: 'Sign in, or pass ?token=<api token>' });
    let terminal;
    try {
      terminal = deps.workspaces.terminal(caller, match[1]!, match[2]!);
    } catch (error) {
      if (isSlipwayError(error)) return rejectUpgrade(socket, error.status, error.toJSON());
      return rejectUpgrade(socket, 500, { code: 'SLIPWAY_INTERNAL', message: 'terminal lookup failed' });
    }
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const detach = terminal.attach({
        sendData: (data) => ws.readyState === ws.OPEN && ws.send(data, { binary: true }),
        sendControl: (message) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(message)),
        bufferedBytes: () => ws.bufferedAmount,
        close: (code, reason) => ws.close(code, reason.slice(0, 120)),
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) return terminal.input(data);
        let message: { type?: string; cols?: number; rows?: number; data?: string };
        try {
          message = JSON.parse(data.toString('utf8'));
        } catch {
          return;
        }
        if (message.type === 'resize' && Number.isInteger(message.cols) && Number.isInteger(message.rows)) {
          const cols = Math.min(Math.max(message.cols!, 2), 1000);
          const rows = Math.min(Math.max(message.rows!, 2), 1000);
          void terminal.resize(cols, rows);
        } else if (message.type === 'input' && typeof message.data === 'string') {
          terminal.input(message.data);
        }
      });
      ws.on('close', detach);
      ws.on('error', detach);
    });
  });

  app.addHook('onClose', async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
  });
}
