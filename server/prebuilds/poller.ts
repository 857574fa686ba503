/**
 * Polling, for Git servers without webhooks: every project's
 * `pollIntervalSeconds`, `git ls-remote --heads`, and a prebuild for each
 * matching branch whose head moved since the last poll. The first poll of a
 * project only records the heads (the baseline): registering a repository
 * must not start a prebuild of every branch at once.
 */
import { errorMessage } from '../core/errors.js';
import { nowIso } from '../store/db.js';
import type { ProjectRecord, ProjectStore } from '../store/projects.js';

/** Branches whose head is new or moved: pure, unit-tested. */
export function movedHeads(previous: Record<string, string> | null, current: Map<string, string>): { branch: string; commit: string }[] {
  if (previous === null) return [];
  return [...current].filter(([branch, commit]) => previous[branch] !== commit).map(([branch, commit]) => ({ branch, commit }));
}

export function createPoller(deps: {
  store: ProjectStore;
  /** The project's branch heads, read with the project's own credentials. */
  lsRemote(project: ProjectRecord): Promise<Map<string, string>>;
  onMoved(project: ProjectRecord, branch: string, commit: string): Promise<unknown>;
  logger: { warn(obj: unknown, msg?: string): void };
  tickMs?: number;
}) {
  const busy = new Set<string>();
  let timer: NodeJS.Timeout | null = null;

  async function poll(project: ProjectRecord): Promise<void> {
    if (busy.has(project.id)) return;
    busy.add(project.id);
    try {
      const heads = await deps.lsRemote(project);
      // Re-read: the project may have changed or gone while ls-remote ran.
      const current = deps.store.get(project.id);
      if (!current) return;
      const moved = movedHeads(current.pollHeads, heads);
      // Only the poll's own columns: a settings change saved meanwhile stays.
      deps.store.recordPoll(current.id, { at: nowIso(), heads: Object.fromEntries(heads) });
      for (const { branch, commit } of moved) await deps.onMoved(current, branch, commit);
    } catch (error) {
      deps.store.recordPoll(project.id, { at: nowIso(), error: errorMessage(error) });
      deps.logger.warn({ project: project.id, err: errorMessage(error) }, 'poll failed');
    } finally {
      busy.delete(project.id);
    }
  }

  function due(project: ProjectRecord, now: number): boolean {
    if (project.pollIntervalSeconds <= 0) return false;
    return project.lastPolledAt === null || Date.parse(project.lastPolledAt) + project.pollIntervalSeconds * 1000 <= now;
  }

  return {
    poll,
    async tick(): Promise<void> {
      const now = Date.now();
      await Promise.all(
        deps.store
          .list()
          .filter((p) => due(p, now))
          .map(poll),
      );
    },
    start() {
      if (timer) return;
      timer = setInterval(() => void this.tick(), deps.tickMs ?? 1000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    /** Waits for polls in flight (shutdown). */
    async settle() {
      while (busy.size > 0) await new Promise((r) => setTimeout(r, 50));
    },
  };
}
