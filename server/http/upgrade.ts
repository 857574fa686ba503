/**
 * WebSocket upgrades. Auth, ownership and (for cookie-authenticated
 * upgrades) the Origin are checked BEFORE the upgrade, so a stranger or a
 * foreign page never gets a socket: they get a plain HTTP 401/403/404.
 * Terminal protocol (DESIGN §6): binary frames are raw bytes both ways; text
 * frames are JSON control messages (resize from the client, exit from the
 * server). On attach the scrollback is replayed first.
 *
 * Frames are hostile input (DESIGN §10): each one goes through
 * `parseClientFrame`, and a bad one closes that socket only (1007/1008/1009).
 * Every ws callback runs inside `guarded`, so a bug in a handler closes the
 * socket it happened on (1011) and is logged, instead of reaching the
 * process's uncaughtException and taking every user's terminals down.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { errorBody, isSlipwayError, slipwayError, type SlipwayError } from '../core/errors.js';
import { MAX_INPUT_FRAME_BYTES, parseClientFrame } from '../terminals/frames.js';
import { identify } from './caller.js';
import { createLiveSockets } from './live-sockets.js';
import { isSameOrigin } from './origin.js';
import type { HttpDeps } from './deps.js';

const TERMINAL_PATH = /^\/api\/workspaces\/([a-z0-9]+)\/terminals\/([a-z0-9]+)$/;
/** RFC 6455: an unexpected condition on the server. */
const CLOSE_INTERNAL = 1011;
/** A peer that ignores our close frame is cut off after this long. */
const CLOSE_GRACE_MS = 1000;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

/** Answers a WebSocket upgrade with a plain HTTP error (the error's status, the one error body) and closes. */
export function rejectUpgrade(socket: Duplex, error: SlipwayError) {
  const text = JSON.stringify(errorBody(error));
  const reason = REASONS[error.status] ?? 'Bad Request';
  socket.end(
    `HTTP/1.1 ${error.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

/** The 403 for a cookie-authenticated upgrade from another site (or an opaque `null` origin). */
export function rejectCrossSite(socket: Duplex) {
  rejectUpgrade(
    socket,
    slipwayError(
      'SLIPWAY_HTTP_CROSS_SITE',
      "A WebSocket authenticated by the session cookie must come from the server's own pages (Origin = SLIPWAY_PUBLIC_URL); other clients pass ?token=<api token> or Authorization: Bearer",
    ),
  );
}

type Log = Pick<FastifyInstance['log'], 'error'>;

/** Wraps a ws callback: an exception closes that socket (1011) and is logged; it never leaves the handler. */
export function guarded<A extends unknown[]>(log: Log, ws: WebSocket, what: string, handler: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      handler(...args);
    } catch (error) {
      log.error({ err: error }, `WebSocket ${what} handler failed; closing that socket`);
      try {
        ws.close(CLOSE_INTERNAL, 'internal error');
      } catch {
        ws.terminate();
      }
    }
  };
}

/** Closes with a code and reason, and cuts the connection if the peer does not answer the close. */
function closeSoon(ws: WebSocket, code: number, reason: string) {
  if (ws.readyState === ws.CLOSED) return;
  // ws.close throws on a reason over 123 bytes: cut by bytes, not characters.
  if (ws.readyState === ws.OPEN)
    ws.close(
      code,
      Buffer.from(reason)
        .subarray(0, 120)
        .toString('utf8')
        .replace(/\uFFFD$/, ''),
    );
  setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
}

export function attachUpgradeHandler(app: FastifyInstance, deps: HttpDeps) {
  // maxPayload bounds every frame before it is buffered; text frames have a lower cap in parseClientFrame.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_INPUT_FRAME_BYTES });
  wss.on('error', (error) => app.log.error({ err: error }, 'WebSocket server error'));
  const sockets = createLiveSockets(deps.auth);

  function terminalUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const match = TERMINAL_PATH.exec(path);
    if (!match) return rejectUpgrade(socket, slipwayError('SLIPWAY_HTTP_NOT_FOUND', `No WebSocket at ${path}`));
    const identity = identify(deps.auth, request, { allowQueryToken: true });
    if (!identity) return rejectUpgrade(socket, slipwayError('SLIPWAY_AUTH_REQUIRED', 'Sign in, or pass ?token=<api token>'));
    // Browsers attach the cookie to upgrades any site starts: only our own pages may use it.
    if (identity.via === 'cookie' && !isSameOrigin(request.headers, deps.config.publicUrl)) return rejectCrossSite(socket);
    let terminal;
    try {
      terminal = deps.workspaces.terminal(identity.user, match[1]!, match[2]!);
    } catch (error) {
      if (isSlipwayError(error)) return rejectUpgrade(socket, error);
      return rejectUpgrade(socket, slipwayError('SLIPWAY_INTERNAL', 'terminal lookup failed'));
    }
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) =>
      guarded(app.log, ws, 'open', () => {
        let detached = false;
        const detachClient = terminal.attach({
          sendData: (data) => ws.readyState === ws.OPEN && ws.send(data, { binary: true }),
          sendControl: (message) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(message)),
          bufferedBytes: () => ws.bufferedAmount,
          close: (code, reason) => closeSoon(ws, code, reason),
        });
        const forget = sockets.track(identity, (code, reason) => {
          detach();
          closeSoon(ws, code, reason);
        });
        function detach() {
          if (detached) return;
          detached = true;
          detachClient();
          forget();
        }
        ws.on(
          'message',
          guarded(app.log, ws, 'message', (data: Buffer, isBinary: boolean) => {
            // After a close (ours or a revocation) nothing more reaches the terminal.
            if (detached || ws.readyState !== ws.OPEN) return;
            const frame = parseClientFrame(data, isBinary);
            if (frame.kind === 'input') return terminal.input(frame.data);
            if (frame.kind === 'resize') {
              terminal
                .resize(Math.max(frame.cols, 2), Math.max(frame.rows, 2))
                .catch((error: unknown) => app.log.error({ err: error }, 'terminal resize failed'));
              return;
            }
            detach();
            closeSoon(ws, frame.code, frame.reason);
          }),
        );
        ws.on('close', guarded(app.log, ws, 'close', detach));
        // ws reports protocol errors (bad UTF-8, frames over maxPayload) here and closes with 1007/1009 itself.
        ws.on('error', guarded(app.log, ws, 'error', detach));
      })(),
    );
  }

  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    try {
      for (const handler of deps.extraUpgrades ?? []) if (handler(request, socket, head, sockets)) return;
      terminalUpgrade(request, socket, head);
    } catch (error) {
      app.log.error({ err: error }, 'WebSocket upgrade failed');
      if (socket.writable) rejectUpgrade(socket, slipwayError('SLIPWAY_INTERNAL', 'The upgrade failed; the log has the details'));
      else socket.destroy();
    }
  });

  app.addHook('onClose', async () => {
    sockets.dispose();
    for (const client of wss.clients) client.terminate();
    wss.close();
  });
}
