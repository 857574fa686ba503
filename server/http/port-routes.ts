/**
 * HTTP glue for the port proxy (DESIGN §7): the path form
 * `/ports/<id>/<port>/...` and the subdomain form `<port>-<id>.<domain>`,
 * both taken in an onRequest hook that runs before the auth hook and before
 * body parsing, so the raw request streams to the app untouched. WebSocket
 * upgrades go through `upgrade`. Also: PATCH visibility, and the
 * port-subdomain login handoff for hosts the main session cookie does not
 * reach (`*.localhost` cannot share a Domain cookie in every browser).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService, User } from '../auth/service.js';
import { SESSION_COOKIE } from '../auth/service.js';
import type { Config } from '../config/config.js';
import { isSlipwayError, slipwayError } from '../core/errors.js';
import { isBrowserNavigation, parsePortHost, parsePortPath, safePortUrl, type PortAddress } from '../ports/access.js';
import { sendNotRunning, sendPage, sendUnreachable } from '../ports/pages.js';
import { proxyHttp, proxyUpgrade, type ProxiedUpgrade, type ProxyTarget } from '../ports/proxy.js';
import type { PortService } from '../ports/service.js';
import { callerOf, identify } from './caller.js';
import { parseCookies, sessionCookie } from './cookies.js';
import type { LiveSockets } from './live-sockets.js';
import { isSameOrigin } from './origin.js';
import { rejectCrossSite, rejectUpgrade } from './upgrade.js';

export interface PortHttpDeps {
  config: Pick<Config, 'publicUrl' | 'domain'>;
  auth: AuthService;
  ports: PortService;
  workspaces: { start(caller: User, id: string): Promise<unknown> };
}

/** Reserved on port subdomains only: where the login handoff lands. */
const HANDOFF_PATH = '/__slipway/auth';
const HANDOFF_TTL_MS = 60_000;
const START_BODY_LIMIT = 4096;

export function createPortHttp(deps: PortHttpDeps) {
  const { config, auth, ports } = deps;
  const proto = new URL(config.publicUrl).protocol === 'https:' ? 'https' : 'http';
  const handoffs = new Map<string, { sessionId: string; host: string; expires: number }>();

  function addressOf(req: IncomingMessage): (PortAddress & { subdomain: boolean }) | null {
    const url = req.url ?? '/';
    const host = parsePortHost(req.headers.host, config.domain);
    if (host) return { ...host, path: url, prefix: '', subdomain: true };
    const path = parsePortPath(url);
    return path ? { ...path, subdomain: false } : null;
  }

  function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}) {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}) {
    res.writeHead(302, { location, 'cache-control': 'no-store', 'content-length': 0, ...headers });
    res.end();
  }

  function target(record: NonNullable<ReturnType<PortService['workspace']>>, address: PortAddress, req: IncomingMessage, caller: User | null): ProxyTarget {
    // A bearer header that authenticated to Slipway is ours, not the app's: never forward it.
    const header = req.headers.authorization;
    const slipwayBearer = typeof header === 'string' && /^bearer\s+/i.test(header) && auth.userForToken(header.replace(/^bearer\s+/i, '').trim()) !== null;
    return { connect: () => ports.connect(record, address.port), path: address.path, prefix: address.prefix, proto, stripCookies: [SESSION_COOKIE], stripAuthorization: slipwayBearer, onTraffic: () => ports.activity(record.id), sandbox: address.prefix !== '' && caller !== null && caller.id !== record.ownerId };
  }

  async function readSmallBody(req: IncomingMessage): Promise<string> {
    let body = '';
    for await (const chunk of req) {
      body += String(chunk);
      if (body.length > START_BODY_LIMIT) break;
    }
    return body;
  }

  /** The login handoff's landing on a port subdomain: trade a one-time code for a host-only session cookie. */
  function landHandoff(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const code = url.searchParams.get('code') ?? '';
    const to = url.searchParams.get('to') ?? '/';
    const handoff = handoffs.get(code);
    handoffs.delete(code);
    if (!handoff || handoff.expires < Date.now() || handoff.host !== (req.headers.host ?? '').toLowerCase()) {
      return json(res, 400, { code: 'SLIPWAY_PORT_BAD_HANDOFF', message: 'This sign-in link has expired or was already used; open the port again' });
    }
    const safeTo = to.startsWith('/') && !to.startsWith('//') ? to : '/';
    const expires = new Date(Date.now() + 14 * 86_400_000);
    redirect(res, safeTo, { 'set-cookie': sessionCookie(SESSION_COOKIE, handoff.sessionId, { expires, secure: proto === 'https', domain: null }) });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, address: PortAddress & { subdomain: boolean }): Promise<void> {
    if (address.subdomain && address.path.split('?')[0] === HANDOFF_PATH) return landHandoff(req, res);
    const caller = callerOf(auth, req, { allowQueryToken: false });
    const record = ports.workspace(address.workspaceId);
    const access = ports.decide(record, address.port, caller);
    const wantsHtml = isBrowserNavigation(req.method, req.headers.accept);
    if (access === 'login') {
      req.resume();
      if (!wantsHtml) return json(res, 401, { code: 'SLIPWAY_AUTH_REQUIRED', message: 'This port is private: sign in, or send Authorization: Bearer <token>' });
      if (address.subdomain) {
        const here = `${proto}://${req.headers.host}${req.url ?? '/'}`;
        return redirect(res, `${config.publicUrl}/ports-auth?to=${encodeURIComponent(here)}`);
      }
      return redirect(res, `${config.publicUrl}/login?next=${encodeURIComponent(req.url ?? '/')}`);
    }
    if (access === 'not-found' || !record) {
      req.resume();
      return json(res, 404, { code: 'SLIPWAY_WORKSPACE_NOT_FOUND', message: `No workspace "${address.workspaceId}"` });
    }
    const page = { workspaceId: record.id, port: address.port, workspaceUrl: `${config.publicUrl}/w/${record.id}` };
    const isOwner = caller !== null && (caller.id === record.ownerId || caller.isAdmin);
    if (record.status !== 'running') {
      const body = req.method === 'POST' ? await readSmallBody(req) : (req.resume(), '');
      // Same-origin posts only: another port host of the same domain is same-site, so SameSite=Lax alone would let it through.
      const origin = req.headers.origin;
      const sameOrigin = origin === undefined || origin === `${proto}://${req.headers.host}`;
      if (isOwner && sameOrigin && record.status === 'stopped' && new URLSearchParams(body).get('slipway-action') === 'start') {
        try {
          await deps.workspaces.start(caller!, record.id);
        } catch (error) {
          if (!isSlipwayError(error)) throw error;
        }
        res.writeHead(303, { location: req.url ?? '/', 'content-length': 0 });
        return void res.end();
      }
      return sendNotRunning(res, wantsHtml || req.method === 'POST', { ...page, status: record.status, canStart: isOwner });
    }
    ports.activity(record.id);
    await proxyHttp(req, res, target(record, address, req, caller), () => sendUnreachable(res, wantsHtml, page));
  }

  return {
    /** The onRequest hook: takes port requests (raw) and leaves everything else to fastify. */
    async onRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const address = addressOf(request.raw);
      if (!address) return;
      reply.hijack();
      try {
        await handle(request.raw, reply.raw, address);
      } catch (error) {
        request.log.error({ err: error }, 'port proxy failed');
        sendPage(reply.raw, 500, false, { code: 'SLIPWAY_INTERNAL', message: 'The port proxy failed; the log has the details' }, '');
      }
    },

    /**
     * WebSocket upgrades to ports: the same access rules, answered in plain
     * HTTP when refused. A session cookie counts only from the same origin
     * (the port host itself on the subdomain form, the server on the path
     * form): another site, or another port host of the same domain, gets a
     * 403 for a private port and an anonymous socket for a public one. A
     * socket opened with a credential closes when that credential ends.
     */
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, sockets?: LiveSockets): boolean {
      const address = addressOf(req);
      if (!address) return false;
      let identity = identify(auth, req, { allowQueryToken: false });
      const record = ports.workspace(address.workspaceId);
      if (identity?.via === 'cookie') {
        const sameOrigin = address.subdomain
          ? isSameOrigin(req.headers, `${proto}://${req.headers.host ?? ''}`)
          : isSameOrigin(req.headers, config.publicUrl);
        if (!sameOrigin) {
          if (ports.decide(record, address.port, null) !== 'allow') return (rejectCrossSite(socket), true);
          identity = null;
        }
      }
      const caller = identity?.user ?? null;
      const access = ports.decide(record, address.port, caller);
      if (access === 'login') return (rejectUpgrade(socket, 401, { code: 'SLIPWAY_AUTH_REQUIRED', message: 'This port is private: sign in first' }), true);
      if (access === 'not-found' || !record) return (rejectUpgrade(socket, 404, { code: 'SLIPWAY_WORKSPACE_NOT_FOUND', message: `No workspace "${address.workspaceId}"` }), true);
      if (record.status !== 'running') return (rejectUpgrade(socket, 409, { code: 'SLIPWAY_PORT_WORKSPACE_NOT_RUNNING', message: `The workspace is ${record.status}` }), true);
      ports.activity(record.id);
      // Tracked from now, not from when the upstream answers: a revocation while connecting must not be missed.
      let proxied: ProxiedUpgrade | null = null;
      const forget = identity && sockets ? sockets.track(identity, (code, reason) => (proxied ? proxied.close(code, reason) : socket.destroy())) : () => {};
      socket.once('close', forget);
      void proxyUpgrade(req, socket, head, target(record, address, req, caller), () => {
        const text = JSON.stringify({ code: 'SLIPWAY_PORT_UNREACHABLE', message: `Nothing is listening on port ${address.port}` });
        socket.end(`HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
      }).then((handle) => (proxied = handle), () => socket.destroy());
      return true;
    },

    register(app: FastifyInstance) {
      app.patch('/api/workspaces/:id/ports/:port', async (request) => {
        const { id, port } = request.params as { id: string; port: string };
        const body = (request.body ?? {}) as { visibility?: unknown };
        return ports.setVisibility(request.caller!, id, /^\d{1,5}$/.test(port) ? Number(port) : NaN, body.visibility);
      });

      // The main host's half of the handoff: the session cookie lives here; mint a one-time code for the port host.
      app.get('/ports-auth', async (request, reply) => {
        const to = (request.query as { to?: string }).to ?? '';
        const url = safePortUrl(to, config.domain);
        if (!url) throw slipwayError('SLIPWAY_PORT_BAD_REQUEST', 'to= must be a port URL of this server', { status: 400 });
        const sessionId = parseCookies(request.headers.cookie)[SESSION_COOKIE];
        const caller = request.caller;
        if (!caller || !sessionId) {
          return reply.redirect(`${config.publicUrl}/login?next=${encodeURIComponent(`/ports-auth?to=${encodeURIComponent(to)}`)}`);
        }
        const address = parsePortHost(url.host, config.domain)!;
        const record = ports.workspace(address.workspaceId);
        // Only the owner's session is ever copied onto a port host.
        if (!record || (record.ownerId !== caller.id && !caller.isAdmin)) throw slipwayError('SLIPWAY_WORKSPACE_NOT_FOUND', `No workspace "${address.workspaceId}"`, { status: 404 });
        const now = Date.now();
        for (const [code, h] of handoffs) if (h.expires < now) handoffs.delete(code);
        const code = randomBytes(24).toString('base64url');
        handoffs.set(code, { sessionId, host: url.host.toLowerCase(), expires: now + HANDOFF_TTL_MS });
        return reply.redirect(`${url.protocol}//${url.host}${HANDOFF_PATH}?code=${code}&to=${encodeURIComponent(url.pathname + url.search)}`);
      });
    },
  };
}

export type PortHttp = ReturnType<typeof createPortHttp>;
