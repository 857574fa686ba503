/**
 * The checks every API request passes before its handler, as onRequest hooks
 * in this order (the port proxy's hook runs before all of them and takes its
 * raw paths untouched):
 *  1. the path: ambiguous spellings are refused (400, `request-path.ts`);
 *  2. who is calling, and 401 unless the matched route is open. Openness is
 *     decided on the route the router matched, never on the raw URL, so no
 *     spelling of a path can reach a closed route as an open one;
 *  3. cross-site: a cookie-authenticated state change needs the server's own
 *     Origin (403 `SLIPWAY_HTTP_CROSS_SITE`); bearer clients are unaffected.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/service.js';
import { SESSION_COOKIE } from '../auth/service.js';
import type { Config } from '../config/config.js';
import { slipwayError } from '../core/errors.js';
import { callerOf } from './caller.js';
import { parseCookies } from './cookies.js';
import { isSameOrigin, publicOrigin, usesBearer } from './origin.js';
import { checkRequestPath } from './request-path.js';
import { sendError } from './reply-error.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Routes open without a caller: health, login and logout, webhooks (they
 * check signatures), /metrics (it checks admins and the metrics token
 * itself), and everything outside /api/ (the web UI, /ports-auth, which
 * redirects to the login).
 */
export function isOpenRoute(route: string): boolean {
  if (route === '/metrics') return true;
  if (!route.startsWith('/api/')) return true;
  return route === '/api/health' || route === '/api/auth/login' || route === '/api/auth/logout' || route.startsWith('/api/webhooks/');
}

export function registerRequestGuards(app: FastifyInstance, deps: { auth: AuthService; config: Pick<Config, 'publicUrl'> }) {
  app.addHook('onRequest', async (request, reply) => {
    const checked = checkRequestPath(request.url);
    if (!checked.ok) return sendError(reply, slipwayError('SLIPWAY_HTTP_BAD_PATH', checked.message));
    request.caller = callerOf(deps.auth, request.raw, { allowQueryToken: false });
    // The route pattern the router matched; an unmatched request (404) is judged by its decoded path.
    const route = request.routeOptions.url ?? checked.path;
    if (request.caller || isOpenRoute(route)) return;
    return sendError(reply, slipwayError('SLIPWAY_AUTH_REQUIRED', 'Sign in (POST /api/auth/login) or send Authorization: Bearer <token>'));
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!STATE_CHANGING.has(request.method) || usesBearer(request.headers) || !needsOrigin(request)) return;
    if (isSameOrigin(request.headers, deps.config.publicUrl)) return;
    const origin = typeof request.headers.origin === 'string' ? request.headers.origin : 'none';
    return sendError(
      reply,
      slipwayError(
        'SLIPWAY_HTTP_CROSS_SITE',
        `A signed-in change must come from Slipway's own pages at ${publicOrigin(deps.config.publicUrl)} (this one's Origin: ${origin}). Scripts send Authorization: Bearer <token>; if you open Slipway at another address, set SLIPWAY_PUBLIC_URL to it`,
      ),
    );
  });
}

/**
 * A request the browser may have been tricked into sending with the user's
 * cookie: any that carries the session cookie, and a login that names an
 * Origin (login CSRF would sign the victim in as the attacker). A login from
 * a script (no cookie, no Origin) needs none.
 */
function needsOrigin(request: FastifyRequest): boolean {
  if (parseCookies(request.headers.cookie)[SESSION_COOKIE] !== undefined) return true;
  return request.routeOptions.url === '/api/auth/login' && request.headers.origin !== undefined;
}
