import type { FastifyInstance } from 'fastify';
import { slipwayError } from '../core/errors.js';
import { SESSION_COOKIE } from '../auth/service.js';
import { createLoginLimiter } from '../auth/rate-limit.js';
import { parseCookies, sessionCookie } from './cookies.js';
import { sendError } from './reply-error.js';
import type { HttpDeps } from './deps.js';
import { idRoute, loginInvalid, loginRoute, newTokenInvalid, newTokenRoute, newUserInvalid, newUserRoute } from './schemas.js';

export function registerAuthRoutes(app: FastifyInstance, deps: HttpDeps) {
  const { auth, config } = deps;
  const secure = config.publicUrl.startsWith('https:');

  // Each attempt counts as a failure when it starts (parallel guesses cannot all pass the check); a success takes it back.
  const byUser = createLoginLimiter({ freeFailures: 5 });
  const byAddress = createLoginLimiter({ freeFailures: 20 });

  const requireAdmin = (caller: { isAdmin: boolean } | null) => {
    if (!caller?.isAdmin) throw slipwayError('SLIPWAY_AUTH_FORBIDDEN', 'Only an admin may do this');
  };

  app.post('/api/auth/login', { schema: loginRoute, config: { invalid: loginInvalid } }, async (request, reply) => {
    const body = request.body as { username: string; password: string };
    // Throttled per username and (more loosely: users may share one) per client address; see rate-limit.ts.
    const userKey = body.username.trim().toLowerCase().slice(0, 64);
    const address = request.ip;
    const waitMs = Math.max(byUser.retryAfterMs(userKey), byAddress.retryAfterMs(address));
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      return sendError(
        reply.header('retry-after', String(seconds)),
        slipwayError('SLIPWAY_AUTH_RATE_LIMITED', `Too many failed sign-ins for this user or from this address: try again in ${seconds} s`),
      );
    }
    byUser.failure(userKey);
    byAddress.failure(address);
    const { user, sessionId, expiresAt } = await auth.login(body.username, body.password, { address });
    byUser.success(userKey);
    byAddress.forgive(address);
    // Host-only: port hosts never get the main session, they get a port session of their own (/ports-auth).
    reply.header('set-cookie', sessionCookie(SESSION_COOKIE, sessionId, { expires: expiresAt, secure }));
    return { user };
  });

  app.post('/api/auth/logout', async (request, reply) => {
    const session = parseCookies(request.headers.cookie)[SESSION_COOKIE];
    if (session) auth.logout(session);
    reply.header('set-cookie', sessionCookie(SESSION_COOKIE, '', { expires: null, secure }));
    return { ok: true };
  });

  app.get('/api/me', async (request) => ({ user: request.caller }));

  app.post('/api/tokens', { schema: newTokenRoute, config: { invalid: newTokenInvalid } }, async (request, reply) => {
    const body = (request.body ?? {}) as { name?: unknown };
    const token = auth.issueToken(request.caller!.id, typeof body.name === 'string' ? body.name : 'token');
    return reply.code(201).send(token);
  });
  app.get('/api/tokens', async (request) => auth.listTokens(request.caller!.id));
  app.delete('/api/tokens/:id', { schema: idRoute }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!auth.revokeToken(request.caller!, id)) throw slipwayError('SLIPWAY_AUTH_TOKEN_NOT_FOUND', `No token "${id}"`);
    return reply.code(204).send();
  });

  // The admin check comes before the body's (preValidation): a non-admin learns nothing about the route's body.
  app.post(
    '/api/users',
    { schema: newUserRoute, config: { invalid: newUserInvalid }, preValidation: async (request) => requireAdmin(request.caller) },
    async (request, reply) => {
      const body = request.body as { username: string; password: string; isAdmin?: unknown };
      const user = await auth.createUser({ username: body.username, password: body.password, isAdmin: body.isAdmin === true }, request.caller);
      return reply.code(201).send(user);
    },
  );
  app.get('/api/users', async (request) => {
    requireAdmin(request.caller);
    return auth.listUsers();
  });
  // Ends the user's sessions and tokens; their open WebSockets close (upgrade.ts listens to auth.onRevoke).
  app.delete('/api/users/:id', { schema: idRoute }, async (request, reply) => {
    auth.deleteUser(request.caller!, (request.params as { id: string }).id);
    return reply.code(204).send();
  });
}
