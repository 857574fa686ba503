/**
 * buildApp(config): wires every module into a running server, with no
 * globals, so tests start real servers side by side. main.ts adds signals
 * and the periodic reconciler; tests call the same function.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.js';
import { createAuthService } from './auth/service.js';
import { createLogRegistry } from './core/log-stream.js';
import { createGitMirrors, type CredentialsFor } from './git/index.js';
import { parseDefinition } from './definition/index.js';
import { createRepoAccess } from './projects/repo-access.js';
import { createHttpServer } from './http/server.js';
import { createPortHttp } from './http/port-routes.js';
import { createPortService } from './ports/service.js';
import { createPortSessions } from './ports/sessions.js';
import { createPortSessionStore } from './store/port-sessions.js';
import { createCaLayer } from './images/ca-layer.js';
import { createImageNames } from './images/image-names.js';
import { createImageResolver } from './images/resolver.js';
import { createRuntime } from './runtime/docker.js';
import { loadInstanceId } from './runtime/instance.js';
import { createAuditLog } from './store/audit.js';
import { openDatabase } from './store/db.js';
import { createUserStore } from './store/users.js';
import { createWorkspaceStore } from './store/workspaces.js';
import { createTerminalManager } from './terminals/manager.js';
import { createTerminalStore } from './store/terminals.js';
import { createWorkspaceService } from './workspaces/service.js';
import { createMetrics } from './metrics/metrics.js';
import { createPrebuildsModule } from './prebuilds/index.js';
import { registerPrebuildRoutes, registerProjectRoutes } from './http/project-routes.js';
import { registerWebhookRoutes } from './http/webhook-routes.js';

export interface App {
  http: FastifyInstance;
  config: Config;
  services: {
    auth: ReturnType<typeof createAuthService>;
    workspaces: ReturnType<typeof createWorkspaceService>;
    runtime: ReturnType<typeof createRuntime>;
    git: ReturnType<typeof createGitMirrors>;
  };
  /** Starts the periodic reconcile; the first pass runs at once. */
  startBackground(): Promise<void>;
  close(): Promise<void>;
}

export async function buildApp(config: Config, options: { logger?: boolean | Record<string, unknown> } = {}): Promise<App> {
  // Compile the definition schema now (ajv generates code: ~0.5 s), not in the first user's open.
  parseDefinition('.gitpod.yml', 'tasks: []\n');
  const db = openDatabase(config.dataDir);
  const audit = createAuditLog(db);
  const users = createUserStore(db);
  const auth = createAuthService({ users, audit });
  const runtime = createRuntime({ network: config.network, instanceId: loadInstanceId(config.dataDir), networkPool: config.networkPool });
  const terminals = createTerminalManager({ history: createTerminalStore(db) });
  const logs = createLogRegistry(path.join(config.dataDir, 'logs'));
  const workspaceStore = createWorkspaceStore(db);
  // Gauges are read at scrape time; `prebuilds` is made below, before any scrape can happen.
  const metrics = createMetrics({
    workspacesByStatus: () => {
      const byStatus: Record<string, number> = {};
      for (const w of workspaceStore.list()) byStatus[w.status] = (byStatus[w.status] ?? 0) + 1;
      return byStatus;
    },
    prebuildQueueDepth: () => prebuilds.prebuilds.queue.queued.length,
  });

  // The http layer's logger is the one pino instance; services log through it.
  let http: FastifyInstance | null = null;
  const logger = {
    info: (obj: unknown, msg?: string) => http?.log.info(obj, msg),
    warn: (obj: unknown, msg?: string) => http?.log.warn(obj, msg),
    error: (obj: unknown, msg?: string) => http?.log.error(obj, msg),
  };

  // Projects are made after git, but git fetches a private repository with the token of the project (or user) it fetches for.
  let credentialFor: CredentialsFor = () => null;
  // The server's own port is never a Git host (its address is read once it listens: tests listen on port 0).
  const ownPorts = (): number[] => {
    const address = http?.server.address();
    return [typeof address === 'object' && address ? address.port : config.port].filter((p) => p > 0);
  };
  const git = createGitMirrors({
    dataDir: config.dataDir,
    allowFileUrls: config.allowFileUrls,
    logger: { info: logger.info, warn: logger.warn },
    credentialsFor: (url, as) => credentialFor(url, as),
    // The workspaces' networks come from this pool: never a Git host, even if an operator picked public addresses for it.
    egress: { allow: config.gitHostsAllow, ownPorts, internalRanges: () => [config.networkPool.cidr] },
  });
  const images = createImageResolver({ runtime, repos: git, defaultImage: config.defaultImage, names: createImageNames({ runtime, aliases: config.imageAliases }), ...(config.extraCaCerts ? { caLayer: createCaLayer({ runtime, bundle: config.extraCaCerts }) } : {}) });
  const prebuilds = createPrebuildsModule({ config, db, audit, runtime, git, images, logs, logger, metrics, workspaceImages: () => new Set(workspaceStore.list().map((w) => w.imageRef).filter((r): r is string => r !== null)) });
  credentialFor = prebuilds.projects.credentialFor;
  const workspaces = createWorkspaceService({ config, store: workspaceStore, audit, runtime, git, images, terminals, logs, logger, metrics, prebuilds: prebuilds.chooser, repoAccess: createRepoAccess(prebuilds.projects, git) });

  const ports = createPortService({ store: workspaceStore, workspaces, runtime, audit, logger });
  workspaces.useDetectedPorts((id) => ports.detectedPorts(id));
  const portHttp = createPortHttp({ config, auth, ports, portSessions: createPortSessions(createPortSessionStore(db)), workspaces });

  http = createHttpServer({
    config,
    auth,
    workspaces,
    portsOnRequest: portHttp.onRequest,
    extraUpgrades: [portHttp.upgrade],
    extraRoutes: [
      portHttp.register,
      (app) => registerProjectRoutes(app, prebuilds),
      (app) => registerPrebuildRoutes(app, prebuilds),
      (app) => registerWebhookRoutes(app, prebuilds),
    ],
    health: () => runtime.ping(),
    // A workspace reaches the server only through its public URL (a proxy), never directly.
    refuseConnection: (address) => runtime.isWorkspaceAddress(address),
    metrics,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  });

  let timer: NodeJS.Timeout | null = null;
  return {
    http,
    config,
    services: { auth, workspaces, runtime, git },
    async startBackground() {
      const pass = async () => {
        try {
          await workspaces.reconcile();
        } catch (error) {
          logger.warn({ err: String(error) }, 'reconcile failed');
        }
      };
      try {
        // Before the first reconcile: duplicates of shared networks (item 7 of issue 12) go, one stays.
        const repaired = await runtime.repairNetworks();
        if (repaired.removed.length > 0) logger.info({ removed: repaired.removed }, 'removed empty duplicate networks');
        if (repaired.keptDuplicates.length > 0) logger.warn({ networks: repaired.keptDuplicates }, 'duplicate networks still in use are kept until their containers leave them');
      } catch (error) {
        logger.warn({ err: String(error) }, 'network repair failed');
      }
      await pass();
      timer = setInterval(() => void pass(), config.reconcileIntervalMs);
      timer.unref();
      prebuilds.start();
    },
    async close() {
      if (timer) clearInterval(timer);
      await prebuilds.close();
      ports.close();
      await workspaces.settle();
      await http!.close();
      terminals.shutdown();
      db.close();
    },
  };
}
