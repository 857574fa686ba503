import type { Db } from './db.js';
import { nowIso } from './db.js';

export interface TerminalRecord {
  id: string;
  workspaceId: string;
  name: string;
  kind: 'task' | 'shell';
  taskIndex: number | null;
  /** running, exited, or lost (its session ended with a server restart or a stop). */
  state: 'running' | 'exited' | 'lost';
  exitCode: number | null;
  createdAt: string;
  endedAt: string | null;
}

/** The history of a workspace's terminals; live sessions are in terminals/. */
export function createTerminalStore(db: Db) {
  return {
    opened(t: { id: string; workspaceId: string; name: string; kind: 'task' | 'shell'; taskIndex: number | null }): void {
      db.prepare('INSERT INTO terminals (id, workspace_id, name, kind, task_index, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        t.id,
        t.workspaceId,
        t.name,
        t.kind,
        t.taskIndex,
        'running',
        nowIso(),
      );
    },
    ended(id: string, state: 'exited' | 'lost', exitCode: number | null): void {
      db.prepare("UPDATE terminals SET state = ?, exit_code = ?, ended_at = ? WHERE id = ? AND state = 'running'").run(state, exitCode, nowIso(), id);
    },
    /** After a restart no session of before survives: mark them lost. */
    markAllLost(): number {
      return db.prepare("UPDATE terminals SET state = 'lost', ended_at = ? WHERE state = 'running'").run(nowIso()).changes;
    },
    list(workspaceId: string): TerminalRecord[] {
      const rows = db.prepare('SELECT * FROM terminals WHERE workspace_id = ? ORDER BY created_at').all(workspaceId) as {
        id: string;
        workspace_id: string;
        name: string;
        kind: 'task' | 'shell';
        task_index: number | null;
        state: TerminalRecord['state'];
        exit_code: number | null;
        created_at: string;
        ended_at: string | null;
      }[];
      return rows.map((r) => ({
        id: r.id,
        workspaceId: r.workspace_id,
        name: r.name,
        kind: r.kind,
        taskIndex: r.task_index,
        state: r.state,
        exitCode: r.exit_code,
        createdAt: r.created_at,
        endedAt: r.ended_at,
      }));
    },
  };
}

export type TerminalStore = ReturnType<typeof createTerminalStore>;
