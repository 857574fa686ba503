/**
 * buildApp(config): the composition root. Every module is made here, in
 * dependency order, with no globals, so tests start real servers side by
 * side; main.ts adds signals and the first admin. The logger comes first:
 * each module gets a child of it naming the module.
 *
 * A few services need each other both ways (ports ↔ workspaces, projects ↔
 * poller/prebuilds, git ↔ the HTTP server's own port): those edges are
 * closures over a `const` made further down, called only once requests or
 * background work run, after buildApp has returned.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.js';
import { createAuthService } from './auth/service.js';
import { createLogRegistry } from './core/log-stream.js';
import { createGitMirrors, repoIdentity } from './git/index.js';
import { parseDefinition } from './definition/index.js';
import { createSecretBox, loadOrCreateKey } from './projects/crypto.js';
import { createRepoAccess } from './projects/repo-access.js';
import { createProjectService } from './projects/service.js';
import { createHttpServer } from './http/server.js';
import { createPortHttp } from './http/port-routes.js';
import { registerPrebuildRoutes, registerProjectRoutes } from './http/project-routes.js';
import { registerWebhookRoutes } from './http/webhook-routes.js';
import { registerEnvRoutes } from './http/env-routes.js';
import { createEnvService } from './projects/env-vars.js';
import { createEnvResolver } from './projects/env-resolve.js';
import type { TargetSecrets } from './provision/apply.js';
import { createEnvStore } from './store/env-vars.js';
import { createLogger, type Logger, type LoggerOption } from './logger.js';
import { createPortService } from './ports/service.js';
import { createPortSessions } from './ports/sessions.js';
import { createPrebuildChooser } from './prebuilds/chooser.js';
import { createSnapshotCollector } from './prebuilds/gc.js';
import { createPoller } from './prebuilds/poller.js';
import { createPrebuildRunner } from './prebuilds/runner.js';
import { createPrebuildService } from './prebuilds/service.js';
import { createContainerOps } from './provision/container.js';
import { createCaLayer } from './images/ca-layer.js';
import { createImageNames } from './images/image-names.js';
import { createImageResolver } from './images/resolver.js';
import { createRuntime } from './runtime/docker.js';
import { loadInstanceId } from './runtime/instance.js';
import { createAuditLog } from './store/audit.js';
import { openDatabase } from './store/db.js';
import { createPortSessionStore } from './store/port-sessions.js';
import { createPrebuildStore } from './store/prebuilds.js';
import { createProjectStore } from './store/projects.js';
import { createUserStore } from './store/users.js';
import { createWorkspaceStore } from './store/workspaces.js';
import { createTerminalManager } from './terminals/manager.js';
import { createTerminalStore } from './store/terminals.js';
import { createWorkspaceService } from './workspaces/service.js';
import { createMetrics } from './metrics/metrics.js';

/** Snapshot GC also runs after each ready prebuild; this pass frees snapshots whose workspace was deleted since. */
const GC_INTERVAL_MS = 10 * 60_000;
/** A new project's baseline poll may hold its API answer this long; it goes on in the background after. */
const BASELINE_POLL_WAIT_MS = 15_000;

export interface App {
  http: FastifyInstance;
  config: Config;
  /** The process's one logger (server/logger.ts); modules log through children of it. */
  logger: Logger;
  services: {
    auth: ReturnType<typeof createAuthService>;
    workspaces: ReturnType<typeof createWorkspaceService>;
    runtime: ReturnType<typeof createRuntime>;
    git: ReturnType<typeof createGitMirrors>;
  };
  /** Starts the periodic reconcile (the first pass runs at once), prebuild recovery, polling and snapshot GC. */
  startBackground(): Promise<void>;
  close(): Promise<void>;
}

export async function buildApp(config: Config, options: { logger?: LoggerOption } = {}): Promise<App> {
  const logger = createLogger({ level: config.logLevel, ...(options.logger !== undefined ? { override: options.logger } : {}) });
  const log = (module: string) => logger.child({ module });
  // Compile the definition schema now (ajv generates code: ~0.5 s), not in the first user's open.
  parseDefinition('.gitpod.yml', 'tasks: []\n');
  const db = openDatabase(config.dataDir);
  const audit = createAuditLog(db);
  const auth = createAuthService({ users: createUserStore(db), audit });
  const runtime = createRuntime({ network: config.network, instanceId: loadInstanceId(config.dataDir), networkPool: config.networkPool });
  const terminals = createTerminalManager({ history: createTerminalStore(db) });
  const logs = createLogRegistry(path.join(config.dataDir, 'logs'));
  const workspaceStore = createWorkspaceStore(db);
  const projectStore = createProjectStore(db);
  const prebuildStore = createPrebuildStore(db);
  // Gauges are read at scrape time, after buildApp has made `prebuilds`.
  const metrics = createMetrics({
    workspacesByStatus: () => {
      const byStatus: Record<string, number> = {};
      for (const w of workspaceStore.list()) byStatus[w.status] = (byStatus[w.status] ?? 0) + 1;
      return byStatus;
    },
    prebuildQueueDepth: () => prebuilds.queue.queued.length,
  });

  // One key seals every secret at rest: project tokens and webhook secrets, environment variables.
  const secretBox = createSecretBox(loadOrCreateKey(config.dataDir));
  // Projects before git: git fetches a private repository with the token of the project (or user) it fetches for.
  const projects = createProjectService({
    store: projectStore,
    audit,
    box: secretBox,
    publicUrl: () => config.publicUrl,
    allowFileUrls: config.allowFileUrls,
    hooks: {
      async changed(project) {
        // The first poll is the baseline: take it now, so a push right after registering is seen as a move.
        // Bounded: an unreachable server must not hold the API answer; the poll goes on in the background.
        if (project.pollIntervalSeconds > 0 && project.pollHeads === null) {
          await Promise.race([poller.poll(project), new Promise((r) => setTimeout(r, BASELINE_POLL_WAIT_MS).unref())]);
        }
      },
      deleting: (project) => prebuilds.projectDeleting(project),
    },
  });
  const envStore = createEnvStore(db);
  const env = createEnvService({
    store: envStore,
    box: secretBox,
    audit,
    assertProjectOwner: (caller, projectId) => void projects.get(caller, projectId),
  });
  const envResolver = createEnvResolver({ store: envStore, box: secretBox, projectsFor: (repoUrl) => projects.forRepo(repoUrl) });
  const secrets: TargetSecrets = (target) =>
    target.kind === 'prebuild' ? envResolver.forPrebuild(target.projectId) : envResolver.forWorkspace(target.ownerId, target.repo.repoUrl);
  // The server's own port is never a Git host (read at fetch time, once it listens: tests listen on port 0).
  const ownPorts = (): number[] => {
    const address = http.server.address();
    return [typeof address === 'object' && address ? address.port : config.port].filter((p) => p > 0);
  };
  const git = createGitMirrors({
    dataDir: config.dataDir,
    allowFileUrls: config.allowFileUrls,
    logger: log('git'),
    credentialsFor: (url, as) => projects.credentialFor(url, as),
    // The workspaces' networks come from this pool: never a Git host, even if an operator picked public addresses for it.
    egress: { allow: config.gitHostsAllow, ownPorts, internalRanges: () => [config.networkPool.cidr] },
  });
  const images = createImageResolver({
    runtime,
    repos: git,
    defaultImage: config.defaultImage,
    names: createImageNames({ runtime, aliases: config.imageAliases }),
    ...(config.extraCaCerts ? { caLayer: createCaLayer({ runtime, bundle: config.extraCaCerts }) } : {}),
  });

  // Prebuilds: the runner, snapshot GC, the queue's service, the poller, and the chooser workspaces ask.
  const tmpDir = path.join(config.dataDir, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  const run = createPrebuildRunner({
    config,
    git,
    images,
    runtime,
    logs,
    ops: createContainerOps({ runtime, tmpDir }),
    repoNameOf: (repoUrl) => repoIdentity(repoUrl).name,
    secrets,
  });
  const gc = createSnapshotCollector({
    store: prebuildStore,
    removeImage: (ref) => runtime.removeImage(ref),
    // Snapshots a workspace was made from are never collected.
    imagesInUse: () =>
      new Set(
        workspaceStore
          .list()
          .map((w) => w.imageRef)
          .filter((r): r is string => r !== null),
      ),
    keepPerBranch: config.prebuildsKeepPerBranch,
    logger: log('prebuild-gc'),
  });
  const prebuilds = createPrebuildService({
    store: prebuildStore,
    projects,
    git,
    logs,
    run,
    gc,
    concurrency: config.prebuildConcurrency,
    timeoutMs: config.prebuildTimeoutMs,
    logger: log('prebuilds'),
    metrics,
  });
  const poller = createPoller({
    store: projectStore,
    // Polling reads with the project's own token, never another project's.
    lsRemote: (project) => git.lsRemote(project.repoUrl, { project: project.id }),
    onMoved: (project, branch, commit) => prebuilds.onPush(project, { branch, after: commit }, 'poll'),
    logger: log('poller'),
  });
  const chooser = createPrebuildChooser({
    config,
    projects,
    store: prebuildStore,
    git,
    images,
    logs,
    waitFor: (id, ms) => prebuilds.waitFor(id, ms),
    // The mirror's own HEAD: the open that asks has just fetched (as its user).
    defaultBranch: (repoUrl) => git.defaultBranch(repoUrl).catch(() => null),
  });

  const workspaces = createWorkspaceService({
    config,
    secrets,
    store: workspaceStore,
    audit,
    runtime,
    git,
    images,
    terminals,
    logs,
    logger: log('workspaces'),
    metrics,
    prebuilds: chooser,
    repoAccess: createRepoAccess(projects, git),
    detectedPorts: (id) => ports.detectedPorts(id),
  });
  const ports = createPortService({ store: workspaceStore, workspaces, runtime, audit, logger: log('ports') });
  const portHttp = createPortHttp({ config, auth, ports, portSessions: createPortSessions(createPortSessionStore(db)), workspaces });

  const http = createHttpServer({
    config,
    auth,
    workspaces,
    logger,
    portsOnRequest: portHttp.onRequest,
    extraUpgrades: [portHttp.upgrade],
    extraRoutes: [
      portHttp.register,
      (app) => registerProjectRoutes(app, { projects, prebuilds }),
      (app) => registerPrebuildRoutes(app, { prebuilds }),
      (app) => registerWebhookRoutes(app, { projects, prebuilds }),
      (app) => registerEnvRoutes(app, { env }),
    ],
    health: () => runtime.ping(),
    // A workspace reaches the server only through its public URL (a proxy), never directly.
    refuseConnection: (address) => runtime.isWorkspaceAddress(address),
    metrics,
  });

  const background = log('background');
  let reconcileTimer: NodeJS.Timeout | null = null;
  let gcTimer: NodeJS.Timeout | null = null;
  return {
    http,
    config,
    logger,
    services: { auth, workspaces, runtime, git },
    async startBackground() {
      const pass = async () => {
        try {
          await workspaces.reconcile();
        } catch (error) {
          background.warn({ err: String(error) }, 'reconcile failed');
        }
      };
      try {
        // Before the first reconcile: duplicates of shared networks (item 7 of issue 12) go, one stays.
        const repaired = await runtime.repairNetworks();
        if (repaired.removed.length > 0) background.info({ removed: repaired.removed }, 'removed empty duplicate networks');
        if (repaired.keptDuplicates.length > 0)
          background.warn({ networks: repaired.keptDuplicates }, 'duplicate networks still in use are kept until their containers leave them');
      } catch (error) {
        background.warn({ err: String(error) }, 'network repair failed');
      }
      await pass();
      reconcileTimer = setInterval(() => void pass(), config.reconcileIntervalMs);
      reconcileTimer.unref();
      prebuilds.recover();
      poller.start();
      gcTimer = setInterval(() => {
        for (const project of projectStore.list()) void gc.collect(project.id).catch(() => {});
      }, GC_INTERVAL_MS);
      gcTimer.unref();
    },
    async close() {
      if (reconcileTimer) clearInterval(reconcileTimer);
      if (gcTimer) clearInterval(gcTimer);
      poller.stop();
      await poller.settle();
      await prebuilds.close();
      ports.close();
      await workspaces.settle();
      await http.close();
      terminals.shutdown();
      db.close();
    },
  };
}
