/**
 * The fastify server: error shape, auth, logging with secrets redacted, and
 * the route modules. The only place (with ws in `upgrade.ts`) that knows HTTP.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { AuthService, User } from '../auth/service.js';
import { isSlipwayError } from '../core/errors.js';
import { printable, printableLogOptions } from '../core/printable.js';
import type { WorkspaceService } from '../workspaces/service.js';
import { callerOf, redactUrl } from './caller.js';
import { registerAuthRoutes } from './auth-routes.js';
import { registerWorkspaceRoutes } from './workspace-routes.js';
import { registerStatic } from './static.js';
import { attachUpgradeHandler } from './upgrade.js';
import type { Metrics } from './metrics.js';
import { registerMetrics } from './metrics.js';

export interface HttpDeps {
  config: Config;
  auth: AuthService;
  workspaces: WorkspaceService;
  health: () => Promise<{ ok: boolean; version: string | null; error?: string }>;
  metrics: Metrics;
  /** Extra route modules (prebuilds, projects, webhooks, ports) added by the composition root. */
  extraRoutes?: ((app: FastifyInstance) => void)[];
  /** Extra WebSocket upgrade handlers, tried before the terminal one; return true when handled. */
  extraUpgrades?: import('./upgrade.js').UpgradeHandler[];
  /** The port proxy's onRequest hook (both URL forms), run before auth and body parsing; it hijacks the requests it takes. */
  portsOnRequest?: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  logger?: boolean | Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: User | null;
  }
}

/** Paths open without auth: health, login, webhooks (they check signatures), the web UI's files, ports (they check visibility). */
function isOpenPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  if (path === '/metrics') return false;
  if (!path.startsWith('/api/')) return true;
  return path === '/api/health' || path === '/api/auth/login' || path === '/api/auth/logout' || path.startsWith('/api/webhooks/');
}

export function createHttpServer(deps: HttpDeps): FastifyInstance {
  const app = Fastify({
    logger: deps.logger ?? {
      level: deps.config.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: printable(redactUrl(req.url)), ip: req.ip }),
      },
      // Names, branches and URLs in any log line are shown, never interpreted, by whatever displays the log.
      ...printableLogOptions,
    },
    bodyLimit: 2 * 1024 * 1024,
    trustProxy: true,
  });

  app.decorateRequest('caller', null);

  // Keep the raw body of webhooks: signatures are over the exact bytes.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    (request as FastifyRequest & { rawBody?: Buffer }).rawBody = body;
    if (body.length === 0) return done(null, {});
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch {
      if (request.url.startsWith('/api/webhooks/')) return done(null, null);
      const error = Object.assign(new Error('The request body is not valid JSON'), { statusCode: 400, code: 'SLIPWAY_HTTP_BAD_JSON' });
      done(error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    (request as FastifyRequest & { rawBody?: Buffer }).rawBody = body;
    done(null, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  });

  // Port traffic first: `<port>-<id>.<domain>/api/...` belongs to the app, not to Slipway's API.
  if (deps.portsOnRequest) app.addHook('onRequest', deps.portsOnRequest);

  app.addHook('onRequest', async (request, reply) => {
    request.caller = callerOf(deps.auth, request.raw, { allowQueryToken: false });
    if (isOpenPath(request.url) || request.caller) return;
    await reply.code(401).send({ code: 'SLIPWAY_AUTH_REQUIRED', message: 'Sign in (POST /api/auth/login) or send Authorization: Bearer <token>' });
  });

  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (isSlipwayError(error)) {
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      return reply.code(error.status).send(error.toJSON());
    }
    const e = error as { statusCode?: number; code?: string; message?: string; validation?: unknown };
    if (e.statusCode && e.statusCode < 500) {
      const code = e.code?.startsWith('SLIPWAY_') ? e.code : 'SLIPWAY_HTTP_BAD_REQUEST';
      return reply.code(e.statusCode).send({ code, message: e.message ?? 'Bad request' });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ code: 'SLIPWAY_INTERNAL', message: 'Something went wrong on the server; the log has the details' });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ code: 'SLIPWAY_HTTP_NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}` });
  });

  app.get('/api/health', async () => {
    const docker = await deps.health();
    return { ok: docker.ok, docker };
  });

  registerAuthRoutes(app, deps);
  registerWorkspaceRoutes(app, deps);
  registerMetrics(app, deps);
  for (const register of deps.extraRoutes ?? []) register(app);
  registerStatic(app, deps.config);
  attachUpgradeHandler(app, deps);
  return app;
}
