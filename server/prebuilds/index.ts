/**
 * The prebuilds module wired from its parts, so app.ts stays a few lines:
 * projects (store, sealed secrets, service), the queue and runner, the
 * poller, snapshot GC and the chooser workspaces ask. The HTTP routes
 * (http/project-routes.ts, http/webhook-routes.ts) are mounted by app.ts.
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Config } from '../config/config.js';
import type { LogRegistry } from '../core/log-stream.js';
import { repoIdentity, type GitMirrors } from '../git/index.js';
import type { ImageResolver } from '../images/resolver.js';
import type { PrebuildMetrics } from '../metrics/metrics.js';
import type { Runtime } from '../runtime/docker.js';
import type { AuditLog } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { createPrebuildStore } from '../store/prebuilds.js';
import { createProjectStore } from '../store/projects.js';
import { createSecretBox, loadOrCreateKey } from '../projects/crypto.js';
import { createProjectService } from '../projects/service.js';
import { createContainerOps } from '../provision/container.js';
import { createPrebuildChooser } from './chooser.js';
import { createSnapshotCollector } from './gc.js';
import { createPoller } from './poller.js';
import { createPrebuildRunner } from './runner.js';
import { createPrebuildService } from './service.js';

const GC_INTERVAL_MS = 10 * 60_000;

export function createPrebuildsModule(deps: {
  config: Config;
  db: Db;
  audit: AuditLog;
  runtime: Runtime;
  git: GitMirrors;
  images: ImageResolver;
  logs: LogRegistry;
  logger: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
  /** Prebuild results and durations for /metrics (server/metrics/). */
  metrics?: PrebuildMetrics;
  /** Image refs of existing workspaces: their snapshots are never collected. */
  workspaceImages(): Set<string>;
}) {
  const { config, runtime, git, logs, logger } = deps;
  const projectStore = createProjectStore(deps.db);
  const store = createPrebuildStore(deps.db);
  const box = createSecretBox(loadOrCreateKey(config.dataDir));
  const projects = createProjectService({ store: projectStore, audit: deps.audit, box, publicUrl: () => config.publicUrl, allowFileUrls: config.allowFileUrls });
  const tmpDir = path.join(config.dataDir, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  const ops = createContainerOps({ runtime, tmpDir });
  const repoNameOf = (repoUrl: string) => repoIdentity(repoUrl).name;
  const run = createPrebuildRunner({ config, git, images: deps.images, runtime, logs, ops, repoNameOf });
  const gc = createSnapshotCollector({ store, removeImage: (ref) => runtime.removeImage(ref), imagesInUse: deps.workspaceImages, keepPerBranch: config.prebuildsKeepPerBranch, logger });
  const prebuilds = createPrebuildService({ store, projects, git, logs, run, gc, concurrency: config.prebuildConcurrency, timeoutMs: config.prebuildTimeoutMs, logger, ...(deps.metrics ? { metrics: deps.metrics } : {}) });
  const poller = createPoller({
    store: projectStore,
    // Polling reads with the project's own token, never another project's.
    lsRemote: (project) => git.lsRemote(project.repoUrl, { project: project.id }),
    onMoved: (project, branch, commit) => prebuilds.onPush(project, { branch, after: commit }, 'poll'),
    logger,
  });
  projects.setHooks({
    async changed(project) {
      // The first poll is the baseline: take it now, so a push right after registering is seen as a move.
      // Bounded: an unreachable server must not hold the API answer; the poll goes on in the background.
      if (project.pollIntervalSeconds > 0 && project.pollHeads === null) {
        await Promise.race([poller.poll(project), new Promise((r) => setTimeout(r, 15_000).unref())]);
      }
    },
    deleting: (project) => prebuilds.projectDeleting(project),
  });
  const chooser = createPrebuildChooser({
    config,
    projects,
    store,
    git,
    images: deps.images,
    logs,
    waitFor: (id, ms) => prebuilds.waitFor(id, ms),
    // The mirror's own HEAD: the open that asks has just fetched (as its user).
    defaultBranch: (repoUrl) => git.defaultBranch(repoUrl).catch(() => null),
  });

  let gcTimer: NodeJS.Timeout | null = null;
  return {
    projects,
    prebuilds,
    poller,
    gc,
    chooser,
    start() {
      prebuilds.recover();
      poller.start();
      // GC also runs after each ready prebuild; this pass frees snapshots whose workspace was deleted since.
      gcTimer = setInterval(() => {
        for (const project of projectStore.list()) void gc.collect(project.id).catch(() => {});
      }, GC_INTERVAL_MS);
      gcTimer.unref();
    },
    async close() {
      if (gcTimer) clearInterval(gcTimer);
      poller.stop();
      await poller.settle();
      await prebuilds.close();
    },
  };
}
