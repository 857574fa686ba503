/**
 * HTTP glue for the port proxy (DESIGN §7): the path form
 * `/ports/<id>/<port>/...` and the subdomain form `<port>-<id>.<domain>`,
 * both taken in an onRequest hook that runs before the auth hook and before
 * body parsing, so the raw request streams to the app untouched. WebSocket
 * upgrades go through `upgrade`. Also: PATCH visibility, and the
 * port-subdomain login handoff, which gives a port host a port session of
 * its own (the main session cookie is host-only and never reaches it).
 *
 * Port content never runs as Slipway's origin (DESIGN §10): every path-form
 * response is sandboxed (an opaque origin), a browser navigation to it goes
 * to the subdomain form when SLIPWAY_DOMAIN is set, and service-worker
 * scripts are refused there.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService, User } from '../auth/service.js';
import { SESSION_COOKIE } from '../auth/service.js';
import type { Config } from '../config/config.js';
import { errorBody, isSlipwayError, slipwayError, type SlipwayError } from '../core/errors.js';
import {
  isBrowserNavigation,
  isDocumentNavigation,
  parsePortHost,
  parsePortPath,
  pathScope,
  refusesPathFormFetch,
  safePortUrl,
  type PortAddress,
} from '../ports/access.js';
import { sendNotRunning, sendPage, sendUnreachable } from '../ports/pages.js';
import { proxyHttp, proxyUpgrade, type ProxiedUpgrade, type ProxyTarget } from '../ports/proxy.js';
import type { PortService } from '../ports/service.js';
import type { PortSessions } from '../ports/sessions.js';
import { identify } from './caller.js';
import { parseCookies, PORT_COOKIE, sessionCookie } from './cookies.js';
import type { LiveSockets } from './live-sockets.js';
import { isSameOrigin } from './origin.js';
import { rejectCrossSite, rejectUpgrade } from './upgrade.js';
import { portVisibilityInvalid, portVisibilityRoute } from './schemas.js';

export interface PortHttpDeps {
  config: Pick<Config, 'publicUrl' | 'domain'>;
  auth: AuthService;
  ports: PortService;
  portSessions: PortSessions;
  workspaces: { start(caller: User, id: string): Promise<unknown> };
}

/** Where a port request goes, and the scope a port session must have to be accepted for it. */
type Address = PortAddress & { subdomain: boolean; key: string | null; scope: string };
/** Who is calling, in the shape `identify` gives (the credential is what a revocation names). */
type Visitor = NonNullable<ReturnType<typeof identify>>;

/** Reserved on port subdomains only: where the login handoff lands. */
const HANDOFF_PATH = '/__slipway/auth';
const HANDOFF_TTL_MS = 60_000;
const START_BODY_LIMIT = 4096;
/** A port host's cookie lives as long as the login session it came from. */
const PORT_COOKIE_MAX_MS = 14 * 86_400_000;
/** A path-form key sits in URLs (history, the address bar): shorter-lived; an expired one just gets a new one on the next navigation. */
const PATH_KEY_MAX_MS = 12 * 3_600_000;
/** Headers of the pages and answers Slipway itself makes on port URLs (not the app's): see security-headers.ts. */
const OWN_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' };

export function createPortHttp(deps: PortHttpDeps) {
  const { config, auth, ports } = deps;
  const proto = new URL(config.publicUrl).protocol === 'https:' ? 'https' : 'http';
  const handoffs = new Map<string, { sessionHash: string; host: string; expires: number }>();

  function addressOf(req: IncomingMessage): Address | null {
    const url = req.url ?? '/';
    const host = parsePortHost(req.headers.host, config.domain);
    if (host) return { ...host, path: url, prefix: '', subdomain: true, key: null, scope: (req.headers.host ?? '').toLowerCase() };
    const path = parsePortPath(url);
    return path ? { ...path, subdomain: false, scope: pathScope(path.workspaceId, path.port) } : null;
  }

  /**
   * The caller on a port URL. A bearer token anywhere. On a port host, only
   * that host's own port-session cookie (never the main session); on a
   * keyed path-form URL, only its key; on the plain path form (Slipway's own
   * host), the main session. A port session names the login session it
   * came from as its credential, so a logout closes its sockets too.
   */
  function visitorOf(req: IncomingMessage, address: Address): Visitor | null {
    const header = req.headers.authorization;
    if (typeof header === 'string' && /^bearer\s+/i.test(header)) return identify(auth, req, { allowQueryToken: false });
    if (!address.subdomain && !address.key) return identify(auth, req, { allowQueryToken: false });
    const token = address.subdomain ? parseCookies(req.headers.cookie)[PORT_COOKIE] : address.key!;
    const found = deps.portSessions.identify(token, address.scope);
    return found && { user: found.user, credential: { kind: 'session', id: found.sessionHash }, via: address.subdomain ? 'cookie' : 'query' };
  }

  const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

  function jsonError(res: ServerResponse, error: SlipwayError) {
    const text = JSON.stringify(errorBody(error));
    res.writeHead(error.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...OWN_HEADERS });
    res.end(text);
  }

  function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}) {
    res.writeHead(302, { location, 'cache-control': 'no-store', 'content-length': 0, ...OWN_HEADERS, ...headers });
    res.end();
  }

  function target(record: NonNullable<ReturnType<PortService['workspace']>>, address: PortAddress, req: IncomingMessage): ProxyTarget {
    // A bearer header that authenticated to Slipway is ours, not the app's: never forward it.
    const header = req.headers.authorization;
    const slipwayBearer = typeof header === 'string' && /^bearer\s+/i.test(header) && auth.userForToken(header.replace(/^bearer\s+/i, '').trim()) !== null;
    // The path form is served from Slipway's own origin: always sandboxed, whoever looks (the owner included).
    return {
      connect: () => ports.connect(record, address.port),
      path: address.path,
      prefix: address.prefix,
      proto,
      stripCookies: [SESSION_COOKIE, PORT_COOKIE],
      stripAuthorization: slipwayBearer,
      onTraffic: () => ports.activity(record.id),
      sandbox: address.prefix !== '',
    };
  }

  async function readSmallBody(req: IncomingMessage): Promise<string> {
    let body = '';
    for await (const chunk of req) {
      body += String(chunk);
      if (body.length > START_BODY_LIMIT) break;
    }
    return body;
  }

  /** The login handoff's landing on a port subdomain: trade a one-time code for this host's own port-session cookie. */
  function landHandoff(req: IncomingMessage, res: ServerResponse, address: Address) {
    const url = new URL(req.url ?? '/', 'http://x');
    const code = url.searchParams.get('code') ?? '';
    const to = url.searchParams.get('to') ?? '/';
    const handoff = handoffs.get(code);
    handoffs.delete(code);
    if (!handoff || handoff.expires < Date.now() || handoff.host !== address.scope) {
      return jsonError(res, slipwayError('SLIPWAY_PORT_BAD_HANDOFF', 'This sign-in link has expired or was already used; open the port again'));
    }
    const safeTo = to.startsWith('/') && !to.startsWith('//') ? to : '/';
    // A credential for this one host, not the main session id; gone with that session (then the next visit hands off again).
    const minted = deps.portSessions.mint(handoff.sessionHash, address.scope, PORT_COOKIE_MAX_MS);
    if (!minted) return redirect(res, safeTo);
    redirect(res, safeTo, { 'set-cookie': sessionCookie(PORT_COOKIE, minted.token, { expires: minted.expires, secure: proto === 'https' }) });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, address: Address): Promise<void> {
    if (address.subdomain && address.path.split('?')[0] === HANDOFF_PATH) return landHandoff(req, res, address);
    const navigation = isDocumentNavigation({ method: req.method, accept: req.headers.accept, mode: single(req.headers['sec-fetch-mode']) });
    const plainPath = pathScope(address.workspaceId, address.port) + address.path;
    if (!address.subdomain) {
      const refused = refusesPathFormFetch({
        serviceWorker: single(req.headers['service-worker']),
        site: single(req.headers['sec-fetch-site']),
        dest: single(req.headers['sec-fetch-dest']),
      });
      if (refused) {
        req.resume();
        return jsonError(res, slipwayError('SLIPWAY_PORT_FORBIDDEN', refused));
      }
      // With a port domain, pages belong on their own origin: browsers go there (the app's fetches may stay, sandboxed).
      if (config.domain && navigation) {
        req.resume();
        return redirect(res, `${proto}://${address.port}-${address.workspaceId}.${config.domain}${address.path}`);
      }
    }
    const visitor = visitorOf(req, address);
    const caller = visitor?.user ?? null;
    const record = ports.workspace(address.workspaceId);
    const access = ports.decide(record, address.port, caller);
    const wantsHtml = isBrowserNavigation(req.method, req.headers.accept);
    if (access === 'login') {
      req.resume();
      // An expired path-form key: back to the plain URL, where a signed-in browser gets a fresh one.
      if (address.key && navigation) return redirect(res, plainPath);
      if (!wantsHtml) return jsonError(res, slipwayError('SLIPWAY_AUTH_REQUIRED', 'This port is private: sign in, or send Authorization: Bearer <token>'));
      if (address.subdomain) {
        const here = `${proto}://${req.headers.host}${req.url ?? '/'}`;
        return redirect(res, `${config.publicUrl}/ports-auth?to=${encodeURIComponent(here)}`);
      }
      return redirect(res, `${config.publicUrl}/login?next=${encodeURIComponent(req.url ?? '/')}`);
    }
    if (access === 'not-found' || !record) {
      req.resume();
      return jsonError(res, slipwayError('SLIPWAY_WORKSPACE_NOT_FOUND', `No workspace "${address.workspaceId}"`));
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
    // A sandboxed page's own requests (scripts, styles, fetches) carry no cookie, so a private port's page on
    // the path form gets a URL with a key instead: a port session for this port only, kept by relative URLs.
    const isPrivate = ports.decide(record, address.port, null) !== 'allow';
    if (!address.subdomain && !address.key && navigation && isPrivate && visitor?.via === 'cookie' && visitor.credential.kind === 'session') {
      const minted = deps.portSessions.mint(visitor.credential.id, address.scope, PATH_KEY_MAX_MS);
      if (minted) {
        req.resume();
        return redirect(res, `${address.scope}~${minted.token}${address.path}`);
      }
    }
    ports.activity(record.id);
    await proxyHttp(req, res, target(record, address, req), () => sendUnreachable(res, wantsHtml, page));
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
        sendPage(reply.raw, false, slipwayError('SLIPWAY_INTERNAL', 'The port proxy failed; the log has the details'), '');
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
      let identity = visitorOf(req, address);
      const record = ports.workspace(address.workspaceId);
      if (identity?.via === 'cookie') {
        const sameOrigin = address.subdomain ? isSameOrigin(req.headers, `${proto}://${req.headers.host ?? ''}`) : isSameOrigin(req.headers, config.publicUrl);
        if (!sameOrigin) {
          if (ports.decide(record, address.port, null) !== 'allow') return (rejectCrossSite(socket), true);
          identity = null;
        }
      }
      const caller = identity?.user ?? null;
      const access = ports.decide(record, address.port, caller);
      if (access === 'login') return (rejectUpgrade(socket, slipwayError('SLIPWAY_AUTH_REQUIRED', 'This port is private: sign in first')), true);
      if (access === 'not-found' || !record)
        return (rejectUpgrade(socket, slipwayError('SLIPWAY_WORKSPACE_NOT_FOUND', `No workspace "${address.workspaceId}"`)), true);
      // 409 here (the registry's 503 is the page's): kept, clients of the upgrade rely on it.
      if (record.status !== 'running')
        return (rejectUpgrade(socket, slipwayError('SLIPWAY_PORT_WORKSPACE_NOT_RUNNING', `The workspace is ${record.status}`, { status: 409 })), true);
      ports.activity(record.id);
      // Tracked from now, not from when the upstream answers: a revocation while connecting must not be missed.
      let proxied: ProxiedUpgrade | null = null;
      const forget = identity && sockets ? sockets.track(identity, (code, reason) => (proxied ? proxied.close(code, reason) : socket.destroy())) : () => {};
      socket.once('close', forget);
      void proxyUpgrade(req, socket, head, target(record, address, req), () => {
        rejectUpgrade(socket, slipwayError('SLIPWAY_PORT_UNREACHABLE', `Nothing is listening on port ${address.port}`));
      }).then(
        (handle) => (proxied = handle),
        () => socket.destroy(),
      );
      return true;
    },

    register(app: FastifyInstance) {
      app.patch('/api/workspaces/:id/ports/:port', { schema: portVisibilityRoute, config: { invalid: portVisibilityInvalid } }, async (request) => {
        const { id, port } = request.params as { id: string; port: string };
        const body = (request.body ?? {}) as { visibility?: unknown };
        return ports.setVisibility(request.caller!, id, /^\d{1,5}$/.test(port) ? Number(port) : NaN, body.visibility);
      });

      // The main host's half of the handoff: the session cookie lives here; mint a one-time code for the port host,
      // which trades it for a port session of its own (the main session id never leaves this host).
      app.get('/ports-auth', async (request, reply) => {
        const to = (request.query as { to?: string }).to ?? '';
        const url = safePortUrl(to, config.domain);
        if (!url) throw slipwayError('SLIPWAY_PORT_BAD_REQUEST', 'to= must be a port URL of this server');
        const session = identify(auth, request.raw, { allowQueryToken: false });
        const caller = session?.user;
        if (!caller || session.via !== 'cookie' || session.credential.kind !== 'session') {
          return reply.redirect(`${config.publicUrl}/login?next=${encodeURIComponent(`/ports-auth?to=${encodeURIComponent(to)}`)}`);
        }
        const address = parsePortHost(url.host, config.domain)!;
        const record = ports.workspace(address.workspaceId);
        // Only the owner (or an admin) is ever signed in on a port host.
        if (!record || (record.ownerId !== caller.id && !caller.isAdmin))
          throw slipwayError('SLIPWAY_WORKSPACE_NOT_FOUND', `No workspace "${address.workspaceId}"`);
        const now = Date.now();
        for (const [code, h] of handoffs) if (h.expires < now) handoffs.delete(code);
        const code = randomBytes(24).toString('base64url');
        handoffs.set(code, { sessionHash: session.credential.id, host: url.host.toLowerCase(), expires: now + HANDOFF_TTL_MS });
        return reply.redirect(`${url.protocol}//${url.host}${HANDOFF_PATH}?code=${code}&to=${encodeURIComponent(url.pathname + url.search)}`);
      });
    },
  };
}

export type PortHttp = ReturnType<typeof createPortHttp>;
