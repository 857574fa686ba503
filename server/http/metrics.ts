import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { slipwayError } from '../core/errors.js';
import type { HttpDeps } from './server.js';

/** Gauges the composition root can read at scrape time, plus request counts kept here. */
export interface Metrics {
  gauges(): Record<string, { help: string; values: { labels?: Record<string, string>; value: number }[] }>;
}

export function registerMetrics(app: FastifyInstance, deps: HttpDeps) {
  const requests = new Map<string, number>();
  app.addHook('onResponse', async (request, reply) => {
    const key = `${request.method} ${reply.statusCode}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
  });
  // Open in the auth hook: this route decides (admins, or the metrics token, which is no user's token).
  app.get('/metrics', async (request, reply) => {
    if (!request.caller?.isAdmin && !hasMetricsToken(request, deps.config.metricsToken)) {
      if (request.caller) throw slipwayError('SLIPWAY_AUTH_FORBIDDEN', 'Only admins (or a scraper with SLIPWAY_METRICS_TOKEN) may read /metrics');
      throw slipwayError('SLIPWAY_AUTH_REQUIRED', 'Send Authorization: Bearer <SLIPWAY_METRICS_TOKEN> or an admin\'s token');
    }
    const lines: string[] = [];
    const gauges: ReturnType<Metrics['gauges']> = {
      ...deps.metrics.gauges(),
      slipway_process_resident_memory_bytes: { help: 'Resident memory of the server process', values: [{ value: process.memoryUsage().rss }] },
      slipway_process_uptime_seconds: { help: 'Seconds since the server started', values: [{ value: Math.round(process.uptime()) }] },
    };
    for (const [name, gauge] of Object.entries(gauges)) {
      lines.push(`# HELP ${name} ${gauge.help}`, `# TYPE ${name} gauge`);
      for (const v of gauge.values) lines.push(`${name}${labels(v.labels)} ${v.value}`);
    }
    lines.push('# HELP slipway_http_requests_total HTTP requests answered', '# TYPE slipway_http_requests_total counter');
    for (const [key, count] of requests) {
      const [method, status] = key.split(' ');
      lines.push(`slipway_http_requests_total${labels({ method: method!, status: status! })} ${count}`);
    }
    return reply.type('text/plain; version=0.0.4').send(lines.join('\n') + '\n');
  });
}

/** Compared as SHA-256 digests with timingSafeEqual: equal lengths, and no early exit that times the match. */
function hasMetricsToken(request: FastifyRequest, token: string | null): boolean {
  const header = request.headers.authorization;
  if (!token || typeof header !== 'string' || !/^bearer\s+/i.test(header)) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(header.replace(/^bearer\s+/i, '').trim()), digest(token));
}

function labels(values?: Record<string, string>): string {
  if (!values || Object.keys(values).length === 0) return '';
  return `{${Object.entries(values).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}`;
}
