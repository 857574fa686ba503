/**
 * What the HTTP layer is given by the composition root (server/app.ts), in
 * one type every route module imports. Route modules import this file and
 * never server.ts, so http/ has no import circle (issue 19 item 4).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService, User } from '../auth/service.js';
import type { Config } from '../config/config.js';
import type { Metrics as AppMetrics } from '../metrics/metrics.js';
import type { WorkspaceService } from '../workspaces/service.js';
import type { LiveSockets } from './live-sockets.js';

/** Handles an upgrade it recognises (returns true); `sockets` remembers who opened what, for revocation. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer, sockets: LiveSockets) => boolean;

/** What /metrics serves: the app's own registry (server/metrics/metrics.ts). */
export type HttpMetrics = Pick<AppMetrics, 'httpResponse' | 'text' | 'contentType'>;

export interface HttpDeps {
  config: Config;
  auth: AuthService;
  workspaces: WorkspaceService;
  health: () => Promise<{ ok: boolean; version: string | null; error?: string }>;
  metrics: HttpMetrics;
  /** Extra route modules (prebuilds, projects, webhooks, ports) added by the composition root. */
  extraRoutes?: ((app: FastifyInstance) => void)[];
  /** Extra WebSocket upgrade handlers, tried before the terminal one; return true when handled. */
  extraUpgrades?: UpgradeHandler[];
  /** The port proxy's onRequest hook (both URL forms), run before auth and body parsing; it hijacks the requests it takes. */
  portsOnRequest?: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** The process's pino logger (server/logger.ts: secrets redacted, names printable); requests log through a child of it. */
  logger: FastifyBaseLogger;
  /** True for a remote address whose connections are dropped before a byte is read (workspace addresses: runtime README). */
  refuseConnection?: (remoteAddress: string) => boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: User | null;
  }
}
