import type { Db } from './db.js';
import { nowIso } from './db.js';
import type { WorkspaceSpec } from '../definition/model.js';
import type { Phase } from '../workspaces/phase-machine.js';

export interface PhaseRecord {
  phase: Phase;
  at: string;
  reason: string | null;
}

export interface PrebuildChoice {
  id: string | null;
  commit: string | null;
  reason: string;
}

/** How the devcontainer lifecycle went: `failed` names the first command that failed (later ones are skipped). */
export interface LifecycleState {
  failed: { command: string; exitCode: number; at: string } | null;
}

export interface WorkspaceRecord {
  id: string;
  ownerId: string;
  contextUrl: string;
  repoUrl: string;
  repoName: string;
  branch: string | null;
  commit: string | null;
  status: Phase;
  statusReason: string | null;
  phases: PhaseRecord[];
  /** Milliseconds per startup step, in the order they ran. */
  timings: Record<string, number>;
  containerId: string | null;
  imageRef: string | null;
  startedFrom: 'prebuild' | 'incremental' | 'cold' | null;
  prebuild: PrebuildChoice | null;
  spec: WorkspaceSpec | null;
  definitionFile: string | null;
  portVisibility: Record<string, 'public' | 'private'>;
  /** postCreate has run (it runs once per workspace). */
  createdOnce: boolean;
  /** Null until a lifecycle command ran; absent in records made before it existed. */
  lifecycle: LifecycleState | null;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
}

interface Row {
  id: string;
  owner_id: string;
  context_url: string;
  repo_url: string;
  repo_name: string;
  branch: string | null;
  commit_sha: string | null;
  status: string;
  status_reason: string | null;
  phases: string;
  timings: string;
  container_id: string | null;
  image_ref: string | null;
  started_from: string | null;
  prebuild: string | null;
  spec: string | null;
  definition_file: string | null;
  port_visibility: string;
  created_once: number;
  lifecycle: string | null;
  created_at: string;
  updated_at: string;
  last_activity_at: string;
}

function fromRow(row: Row): WorkspaceRecord {
  return {
    id: row.id,
    ownerId: row.owner_id,
    contextUrl: row.context_url,
    repoUrl: row.repo_url,
    repoName: row.repo_name,
    branch: row.branch,
    commit: row.commit_sha,
    status: row.status as Phase,
    statusReason: row.status_reason,
    phases: JSON.parse(row.phases) as PhaseRecord[],
    timings: JSON.parse(row.timings) as Record<string, number>,
    containerId: row.container_id,
    imageRef: row.image_ref,
    startedFrom: row.started_from as WorkspaceRecord['startedFrom'],
    prebuild: row.prebuild ? (JSON.parse(row.prebuild) as PrebuildChoice) : null,
    spec: row.spec ? (JSON.parse(row.spec) as WorkspaceSpec) : null,
    definitionFile: row.definition_file,
    portVisibility: JSON.parse(row.port_visibility) as Record<string, 'public' | 'private'>,
    createdOnce: row.created_once === 1,
    lifecycle: row.lifecycle ? (JSON.parse(row.lifecycle) as LifecycleState) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastActivityAt: row.last_activity_at,
  };
}

const COLUMNS: Record<string, (r: WorkspaceRecord) => unknown> = {
  owner_id: (r) => r.ownerId,
  context_url: (r) => r.contextUrl,
  repo_url: (r) => r.repoUrl,
  repo_name: (r) => r.repoName,
  branch: (r) => r.branch,
  commit_sha: (r) => r.commit,
  status: (r) => r.status,
  status_reason: (r) => r.statusReason,
  phases: (r) => JSON.stringify(r.phases),
  timings: (r) => JSON.stringify(r.timings),
  container_id: (r) => r.containerId,
  image_ref: (r) => r.imageRef,
  started_from: (r) => r.startedFrom,
  prebuild: (r) => (r.prebuild ? JSON.stringify(r.prebuild) : null),
  spec: (r) => (r.spec ? JSON.stringify(r.spec) : null),
  definition_file: (r) => r.definitionFile,
  port_visibility: (r) => JSON.stringify(r.portVisibility),
  created_once: (r) => (r.createdOnce ? 1 : 0),
  lifecycle: (r) => (r.lifecycle ? JSON.stringify(r.lifecycle) : null),
  created_at: (r) => r.createdAt,
  updated_at: (r) => r.updatedAt,
  last_activity_at: (r) => r.lastActivityAt,
};

/**
 * Columns with an owner of their own, each changed only by a narrow UPDATE of
 * that column: the port service's run-time visibility (`setPortVisibility`)
 * and activity (`touch`). `save` never writes them, so a workspace operation
 * holding an older copy of the record cannot undo a change made meanwhile.
 */
const NARROW_COLUMNS = new Set(['port_visibility', 'last_activity_at']);

/**
 * Workspace records. One writer per column: `save` (the workspace service,
 * under its per-workspace lock) writes every column but the narrow ones above.
 */
export function createWorkspaceStore(db: Db) {
  const names = Object.keys(COLUMNS);
  const saved = names.filter((n) => !NARROW_COLUMNS.has(n));
  const insert = db.prepare(`INSERT INTO workspaces (id, ${names.join(', ')}) VALUES (?, ${names.map(() => '?').join(', ')})`);
  const update = db.prepare(`UPDATE workspaces SET ${saved.map((n) => `${n} = ?`).join(', ')} WHERE id = ?`);
  const values = (r: WorkspaceRecord, columns: string[]) => columns.map((n) => COLUMNS[n]!(r));
  // One statement: concurrent changes of different ports (or of the rest of the row) all stay.
  const setVisibility = db.prepare('UPDATE workspaces SET port_visibility = json_set(port_visibility, ?, ?) WHERE id = ?');

  return {
    insert(record: WorkspaceRecord): void {
      insert.run(record.id, ...values(record, names));
    },
    save(record: WorkspaceRecord): WorkspaceRecord {
      record.updatedAt = nowIso();
      update.run(...values(record, saved), record.id);
      return record;
    },
    get(id: string): WorkspaceRecord | null {
      const row = db.prepare('SELECT * FROM workspaces WHERE id = ?').get(id) as Row | undefined;
      return row ? fromRow(row) : null;
    },
    list(filter: { ownerId?: string } = {}): WorkspaceRecord[] {
      const rows = (
        filter.ownerId
          ? db.prepare('SELECT * FROM workspaces WHERE owner_id = ? ORDER BY created_at DESC').all(filter.ownerId)
          : db.prepare('SELECT * FROM workspaces ORDER BY created_at DESC').all()
      ) as Row[];
      return rows.map(fromRow);
    },
    delete(id: string): void {
      db.prepare('DELETE FROM workspaces WHERE id = ?').run(id);
    },
    /** The owner's run-time choice for one port; false when there is no such workspace. */
    setPortVisibility(id: string, port: number, visibility: 'public' | 'private'): boolean {
      if (!Number.isInteger(port)) throw new Error(`not a port: ${port}`); // it becomes part of a JSON path
      return setVisibility.run(`$."${port}"`, visibility, id).changes > 0;
    },
    touch(id: string): void {
      db.prepare('UPDATE workspaces SET last_activity_at = ? WHERE id = ?').run(nowIso(), id);
    },
  };
}

export type WorkspaceStore = ReturnType<typeof createWorkspaceStore>;
