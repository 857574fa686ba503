/**
 * GET /metrics: the app's Prometheus registry as text, for admins and a
 * scraper holding SLIPWAY_METRICS_TOKEN only; and a count of every answer.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { slipwayError } from '../core/errors.js';
import type { HttpDeps } from './deps.js';

export function registerMetrics(app: FastifyInstance, deps: HttpDeps) {
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpResponse(request.method, reply.statusCode);
  });
  // Open in the auth hook: this route decides (admins, or the metrics token, which is no user's token).
  app.get('/metrics', async (request, reply) => {
    if (!request.caller?.isAdmin && !hasMetricsToken(request, deps.config.metricsToken)) {
      if (request.caller) throw slipwayError('SLIPWAY_AUTH_FORBIDDEN', 'Only admins (or a scraper with SLIPWAY_METRICS_TOKEN) may read /metrics');
      throw slipwayError('SLIPWAY_AUTH_REQUIRED', "Send Authorization: Bearer <SLIPWAY_METRICS_TOKEN> or an admin's token");
    }
    return reply.type(deps.metrics.contentType).send(await deps.metrics.text());
  });
}

/** Compared as SHA-256 digests with timingSafeEqual: equal lengths, and no early exit that times the match. */
function hasMetricsToken(request: FastifyRequest, token: string | null): boolean {
  const header = request.headers.authorization;
  if (!token || typeof header !== 'string' || !/^bearer\s+/i.test(header)) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(header.replace(/^bearer\s+/i, '').trim()), digest(token));
}
