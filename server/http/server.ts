/**
 * The fastify server: error shape, auth, request logging (through the pino
 * logger app.ts makes: server/logger.ts), and the route modules. The only
 * place (with ws in `upgrade.ts`) that knows HTTP.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import { isSlipwayErrorCode, type SlipwayErrorCode } from '../core/error-codes.js';
import { isSlipwayError, slipwayError } from '../core/errors.js';
import { useJsonBodies } from './body.js';
import { registerRequestGuards } from './request-guards.js';
import { registerAuthRoutes } from './auth-routes.js';
import { registerWorkspaceRoutes } from './workspace-routes.js';
import { registerStatic } from './static.js';
import { attachUpgradeHandler } from './upgrade.js';
import { registerMetrics } from './metrics.js';
import { securityHeaders } from './security-headers.js';
import { sendError } from './reply-error.js';
import type { HttpDeps } from './deps.js';
import { invalidRequestError } from './schemas.js';

/** fastify's own 4xx errors a client can cause, in Slipway's words. */
const FRAMEWORK_ERRORS: Record<string, { code: SlipwayErrorCode; message: (config: Config) => string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'SLIPWAY_HTTP_BODY_TOO_LARGE',
    message: (c) => `The request body is larger than ${c.bodyLimitBytes} bytes (SLIPWAY_BODY_LIMIT_BYTES)`,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'SLIPWAY_HTTP_UNSUPPORTED_MEDIA_TYPE',
    message: () => 'Request bodies are JSON: send Content-Type: application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'SLIPWAY_HTTP_BAD_REQUEST', message: () => 'The body is not as long as its Content-Length says' },
};

export function createHttpServer(deps: HttpDeps): FastifyInstance {
  const app = Fastify({
    // The process's one pino logger (made by app.ts with redaction and printable names: server/logger.ts).
    loggerInstance: deps.logger,
    // Route schemas (schemas.ts) check types, never convert them: a number where a string belongs stays refused.
    ajv: { customOptions: { coerceTypes: false } },
    // Checked while the body streams in, for every route (webhooks too): 413 before the rest is read.
    bodyLimit: deps.config.bodyLimitBytes,
    // Off unless configured: X-Forwarded-For from anyone else would pick the address in logs and rate limits.
    trustProxy: deps.config.trustProxy,
    // Errors of the router itself, before any hook, in Slipway's error shape: a malformed %-escape
    // (400), or a path parameter over 100 characters, which names nothing that exists (404).
    frameworkErrors: (error, _request, reply) => {
      const r = reply as FastifyReply;
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
        return void sendError(r, slipwayError('SLIPWAY_HTTP_NOT_FOUND', `Nothing is named like that: a path parameter is longer than 100 characters`));
      void sendError(r, slipwayError('SLIPWAY_HTTP_BAD_PATH', `${error.message}: send a plain path like /api/workspaces/<id>`));
    },
  });

  app.decorateRequest('caller', null);
  app.addHook('onSend', securityHeaders(deps.config));

  // First listener: a refused peer never reaches the HTTP parser, TLS or any hook.
  const refuse = deps.refuseConnection;
  if (refuse)
    app.server.prependListener('connection', (socket: import('node:net').Socket) => {
      if (socket.remoteAddress && refuse(socket.remoteAddress)) socket.destroy();
    });

  // JSON bodies only (webhooks keep their raw bytes in their own scope), depth-checked before parsing.
  useJsonBodies(app);

  // Port traffic first: `<port>-<id>.<domain>/api/...` belongs to the app, not to Slipway's API.
  if (deps.portsOnRequest) app.addHook('onRequest', deps.portsOnRequest);

  // Path check, auth on the matched route, same-origin for cookie-authenticated changes.
  registerRequestGuards(app, deps);

  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (isSlipwayError(error)) {
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      return sendError(reply, error);
    }
    // A request that fails its route's schema gets the answer the route gave before it had one.
    const invalid = invalidRequestError(error, request);
    if (invalid) return sendError(reply, invalid);
    const e = error as { statusCode?: number; code?: string; message?: string; validation?: unknown };
    if (e.statusCode && e.statusCode < 500) {
      const known = FRAMEWORK_ERRORS[e.code ?? ''];
      // The framework's status stays (its 4xx statuses are not all in the registry's entry for the code).
      if (known) return sendError(reply, slipwayError(known.code, known.message(deps.config), { status: e.statusCode }));
      const code = isSlipwayErrorCode(e.code) ? e.code : 'SLIPWAY_HTTP_BAD_REQUEST';
      return sendError(reply, slipwayError(code, e.message ?? 'Bad request', { status: e.statusCode }));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, slipwayError('SLIPWAY_INTERNAL', 'Something went wrong on the server; the log has the details'));
  });

  app.setNotFoundHandler((request, reply) => {
    sendError(reply, slipwayError('SLIPWAY_HTTP_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`));
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
