/**
 * Keeps the store true to the Docker engine (DESIGN §5), on server start and
 * on an interval: a container gone → failed; stopped behind our back →
 * stopped; running again → adopted; work cut off by a restart → resolved;
 * containers labelled as ours (this server's instance id) with no record →
 * reported, never deleted silently; a container still on the shared network
 * of an older version → moved to its own. Also stops idle workspaces.
 * What to do is decided by the pure functions of reconcile-decide.ts; this
 * file applies it.
 */
import type { WorkspaceRecord } from '../store/workspaces.js';
import type { WorkspaceDeps } from './deps.js';
import type { Effect, PhaseEvent } from './phase-machine.js';
import { decide, findOrphans, idleDecision, needsEngine } from './reconcile-decide.js';
import type { LiveContext } from './sessions.js';

export interface ReconcileContext {
  deps: WorkspaceDeps;
  apply: (record: WorkspaceRecord, event: PhaseEvent) => Effect[];
  performEffects: (record: WorkspaceRecord, effects: Effect[]) => Promise<void>;
  withLock: <T>(id: string, work: () => Promise<T>) => Promise<T>;
  isLocked: (id: string) => boolean;
  stop: (caller: null, id: string, reason: string) => Promise<unknown>;
  live: Map<string, LiveContext>;
}

export async function reconcile(ctx: ReconcileContext): Promise<{ orphans: string[] }> {
  const { store, runtime, terminals, config, logger } = ctx.deps;
  const records = store.list();
  const known = new Set(records.map((r) => r.id));

  for (const snapshot of records) {
    if (ctx.isLocked(snapshot.id)) continue; // an operation is under way: it owns the record
    await ctx.withLock(snapshot.id, async () => {
      const record = store.get(snapshot.id);
      if (!record) return;
      const info = needsEngine(record) ? await runtime.inspectContainer(record.containerId!) : null;
      for (const action of decide(record, info)) {
        switch (action.kind) {
          case 'finish-stop':
            await runtime.stopContainer(record.containerId!);
            ctx.apply(record, { type: 'container-stopped' });
            break;
          case 'fail':
            await ctx.performEffects(record, ctx.apply(record, { type: 'fail', reason: action.reason }));
            break;
          case 'container-gone':
            await ctx.performEffects(record, ctx.apply(record, { type: 'container-gone' }));
            break;
          case 'forget-container':
            record.containerId = null;
            store.save(record);
            break;
          case 'isolate':
            try {
              await runtime.isolateContainer(record.containerId!);
              logger.info({ workspace: record.id }, 'workspace moved from the shared network to its own');
            } catch (error) {
              logger.warn({ workspace: record.id, err: String(error) }, 'moving the workspace to its own network failed; retried on the next pass');
            }
            break;
          case 'mark-stopped':
            await ctx.performEffects(record, ctx.apply(record, { type: 'container-stopped', reason: action.reason }));
            ctx.live.delete(record.id);
            break;
          case 'adopt':
            // Started behind our back (e.g. `docker start`): adopted as running, through the phase machine.
            ctx.apply(record, { type: 'container-started', reason: action.reason });
            break;
        }
      }
    });
  }

  // Idle: no attached client, no terminal input, no API activity for the timeout.
  if (config.idleTimeoutMs > 0) {
    const now = Date.now();
    for (const record of store.list()) {
      if (ctx.isLocked(record.id)) continue;
      const idle = idleDecision({
        status: record.status,
        clients: terminals.clientCount(record.id),
        lastActivityAt: record.lastActivityAt,
        now,
        idleTimeoutMs: config.idleTimeoutMs,
      });
      if (idle.kind === 'touch') store.touch(record.id);
      if (idle.kind === 'stop') {
        logger.info({ workspace: record.id, idleMs: idle.idleMs }, 'stopping idle workspace');
        await ctx.stop(null, record.id, `idle for ${Math.round(idle.idleMs / 60_000)} minutes`).catch(() => {});
      }
    }
  }

  // Only this server's containers (runtime lists by its instance label): another Slipway on the engine is none of our business.
  const orphans = findOrphans(known, await runtime.listContainers({ 'slipway.workspace': '' }));
  if (orphans.length > 0)
    logger.warn({ orphans }, 'containers labelled as Slipway workspaces have no record; left in place, remove them with docker rm if unwanted');
  // Networks whose container was removed behind our back (the engine never removes them itself).
  const networks = await runtime.collectNetworks().catch(() => []);
  if (networks.length > 0) logger.info({ networks }, 'removed networks of containers that are gone');
  return { orphans };
}
