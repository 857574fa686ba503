/**
 * Keeps the store true to the Docker engine (DESIGN §5), on server start and
 * on an interval: a container gone → failed; stopped behind our back →
 * stopped; running again → adopted; work cut off by a restart → resolved;
 * containers labelled as ours (this server's instance id) with no record →
 * reported, never deleted silently; a container still on the shared network
 * of an older version → moved to its own. Also stops idle workspaces.
 */
import type { WorkspaceRecord } from '../store/workspaces.js';
import type { WorkspaceDeps } from './deps.js';
import type { Effect, PhaseEvent } from './phase-machine.js';
import { isBusy } from './phase-machine.js';
import type { LiveContext } from './sessions.js';
import { nowIso } from '../store/db.js';

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
      if (isBusy(record.status)) {
        // Only a server restart leaves a record busy with no lock: the work was cut off.
        const reason = `the server restarted while the workspace was ${record.status}`;
        if (record.status === 'stopping' && record.containerId) {
          await runtime.stopContainer(record.containerId);
          ctx.apply(record, { type: 'container-stopped' });
        } else {
          await ctx.performEffects(record, ctx.apply(record, { type: 'fail', reason }));
        }
        return;
      }
      if (!record.containerId) return;
      const info = await runtime.inspectContainer(record.containerId);
      if (!info) {
        if (record.status !== 'failed') await ctx.performEffects(record, ctx.apply(record, { type: 'container-gone' }));
        else {
          record.containerId = null;
          store.save(record);
        }
        return;
      }
      if (!info.isolated) {
        // Made by an older version on the shared network: move it to a network of its own.
        try {
          await runtime.isolateContainer(record.containerId);
          logger.info({ workspace: record.id }, 'workspace moved from the shared network to its own');
        } catch (error) {
          logger.warn({ workspace: record.id, err: String(error) }, 'moving the workspace to its own network failed; retried on the next pass');
        }
      }
      if (!info.running && record.status === 'running') {
        await ctx.performEffects(record, ctx.apply(record, { type: 'container-stopped', reason: `the container stopped outside Slipway (exit code ${info.exitCode})` }));
        ctx.live.delete(record.id);
        return;
      }
      if (info.running && record.status === 'stopped') {
        // Started behind our back (e.g. `docker start`): adopt it as running.
        record.status = 'running';
        record.statusReason = 'the container was started outside Slipway';
        record.phases.push({ phase: 'running', at: nowIso(), reason: record.statusReason });
        store.save(record);
      }
    });
  }

  // Idle: no attached client, no terminal input, no API activity for the timeout.
  if (config.idleTimeoutMs > 0) {
    const now = Date.now();
    for (const record of store.list()) {
      if (record.status !== 'running' || ctx.isLocked(record.id)) continue;
      if (terminals.clientCount(record.id) > 0) {
        store.touch(record.id);
        continue;
      }
      const idleFor = now - Date.parse(record.lastActivityAt);
      if (idleFor >= config.idleTimeoutMs) {
        logger.info({ workspace: record.id, idleMs: idleFor }, 'stopping idle workspace');
        await ctx.stop(null, record.id, `idle for ${Math.round(idleFor / 60_000)} minutes`).catch(() => {});
      }
    }
  }

  // Only this server's containers (runtime lists by its instance label): another Slipway on the engine is none of our business.
  const orphans = (await runtime.listContainers({ 'slipway.workspace': '' }))
    .filter((c) => !known.has(c.labels['slipway.workspace'] ?? ''))
    .map((c) => c.id);
  if (orphans.length > 0) logger.warn({ orphans }, 'containers labelled as Slipway workspaces have no record; left in place, remove them with docker rm if unwanted');
  // Networks whose container was removed behind our back (the engine never removes them itself).
  const networks = await runtime.collectNetworks().catch(() => []);
  if (networks.length > 0) logger.info({ networks }, 'removed networks of containers that are gone');
  return { orphans };
}
