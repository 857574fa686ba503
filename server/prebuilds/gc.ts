/**
 * Snapshot garbage collection: per project and branch keep the newest N
 * ready prebuilds, and never a snapshot that a workspace still uses (a
 * workspace record with that imageRef; deleting the workspace deletes the
 * record). A collected prebuild keeps its row, with imageRef null and
 * collectedAt set, so its history and log stay readable.
 */
import { errorMessage } from '../core/errors.js';
import { nowIso } from '../store/db.js';
import type { PrebuildRecord, PrebuildStore } from '../store/prebuilds.js';
import { applyPrebuildEvent } from './records.js';

/** Which ready snapshots to remove: pure, so the rule is unit-tested. */
export function planCollection(
  readyNewestFirst: readonly Pick<PrebuildRecord, 'id' | 'branch' | 'imageRef'>[],
  keep: number,
  inUse: ReadonlySet<string>,
): string[] {
  const seen = new Map<string, number>();
  const remove: string[] = [];
  for (const p of readyNewestFirst) {
    if (!p.imageRef) continue;
    const branch = p.branch ?? '';
    const count = (seen.get(branch) ?? 0) + 1;
    seen.set(branch, count);
    if (count > keep && !inUse.has(p.imageRef)) remove.push(p.id);
  }
  return remove;
}

export function createSnapshotCollector(deps: {
  store: PrebuildStore;
  removeImage(ref: string): Promise<void>;
  /** Image refs of workspaces that exist (any status but deleted). */
  imagesInUse(): Set<string>;
  keepPerBranch: number;
  logger: { warn(obj: unknown, msg?: string): void };
}) {
  async function remove(record: PrebuildRecord): Promise<boolean> {
    if (!record.imageRef) return true;
    try {
      await deps.removeImage(record.imageRef);
    } catch (error) {
      // Typically a stopped container still made from it: keep it, try again next time.
      deps.logger.warn({ prebuild: record.id, image: record.imageRef, err: errorMessage(error) }, 'snapshot not removed');
      return false;
    }
    // Through the phase machine, the one writer of prebuild rows.
    applyPrebuildEvent(deps.store, record.id, { type: 'collect', at: nowIso() });
    return true;
  }

  return {
    /** Collects old snapshots of one project; returns the prebuild ids collected. */
    async collect(projectId: string, keep = deps.keepPerBranch): Promise<string[]> {
      const ready = deps.store.list({ projectId, status: 'ready' });
      const ids = planCollection(ready, keep, deps.imagesInUse());
      const done: string[] = [];
      for (const id of ids) {
        const record = ready.find((r) => r.id === id)!;
        if (await remove(record)) done.push(id);
      }
      return done;
    },
    /** Every snapshot of a project that nothing uses (the project is being deleted). */
    async removeAll(projectId: string): Promise<void> {
      const inUse = deps.imagesInUse();
      for (const record of deps.store.list({ projectId, status: 'ready' })) {
        if (record.imageRef && !inUse.has(record.imageRef)) await remove(record);
      }
    },
  };
}
