/** Prebuild records: one row per (attempted) prebuild of a commit. */
import type { Db } from './db.js';

export type PrebuildStatus = 'queued' | 'building' | 'ready' | 'failed' | 'canceled';

export interface PrebuildTaskResult {
  name: string;
  exitCode: number | null;
  durationMs: number;
}

export interface PrebuildRecord {
  id: string;
  projectId: string;
  repoUrl: string;
  branch: string | null;
  commit: string;
  status: PrebuildStatus;
  /** webhook:<provider>, poll, manual. */
  trigger: string;
  /** The snapshot image; null until ready, and again once garbage-collected. */
  imageRef: string | null;
  /** The image the snapshot was made on: "same image" for incremental starts. */
  baseImageRef: string | null;
  definitionHash: string | null;
  error: string | null;
  exitCode: number | null;
  tasks: PrebuildTaskResult[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  collectedAt: string | null;
}

interface Row {
  id: string;
  project_id: string;
  repo_url: string;
  branch: string | null;
  commit_sha: string;
  status: string;
  trigger: string;
  image_ref: string | null;
  base_image_ref: string | null;
  definition_hash: string | null;
  error: string | null;
  exit_code: number | null;
  tasks: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  collected_at: string | null;
}

const fromRow = (row: Row): PrebuildRecord => ({
  id: row.id,
  projectId: row.project_id,
  repoUrl: row.repo_url,
  branch: row.branch,
  commit: row.commit_sha,
  status: row.status as PrebuildStatus,
  trigger: row.trigger,
  imageRef: row.image_ref,
  baseImageRef: row.base_image_ref,
  definitionHash: row.definition_hash,
  error: row.error,
  exitCode: row.exit_code,
  tasks: JSON.parse(row.tasks) as PrebuildTaskResult[],
  createdAt: row.created_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  collectedAt: row.collected_at,
});

const COLUMNS: Record<string, (r: PrebuildRecord) => unknown> = {
  project_id: (r) => r.projectId,
  repo_url: (r) => r.repoUrl,
  branch: (r) => r.branch,
  commit_sha: (r) => r.commit,
  status: (r) => r.status,
  trigger: (r) => r.trigger,
  image_ref: (r) => r.imageRef,
  base_image_ref: (r) => r.baseImageRef,
  definition_hash: (r) => r.definitionHash,
  error: (r) => r.error,
  exit_code: (r) => r.exitCode,
  tasks: (r) => JSON.stringify(r.tasks),
  created_at: (r) => r.createdAt,
  started_at: (r) => r.startedAt,
  finished_at: (r) => r.finishedAt,
  collected_at: (r) => r.collectedAt,
};

export function createPrebuildStore(db: Db) {
  const names = Object.keys(COLUMNS);
  const insert = db.prepare(`INSERT INTO prebuilds (id, ${names.join(', ')}) VALUES (?, ${names.map(() => '?').join(', ')})`);
  const update = db.prepare(`UPDATE prebuilds SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE id = ?`);
  const values = (r: PrebuildRecord) => names.map((n) => COLUMNS[n]!(r));
  // rowid breaks ties between rows created in the same millisecond.
  const ORDER = 'ORDER BY created_at DESC, rowid DESC';
  return {
    insert(record: PrebuildRecord): void {
      insert.run(record.id, ...values(record));
    },
    save(record: PrebuildRecord): PrebuildRecord {
      update.run(...values(record), record.id);
      return record;
    },
    get(id: string): PrebuildRecord | null {
      const row = db.prepare('SELECT * FROM prebuilds WHERE id = ?').get(id) as Row | undefined;
      return row ? fromRow(row) : null;
    },
    /** Newest first. */
    list(filter: { projectId?: string; projectIds?: string[]; status?: string } = {}): PrebuildRecord[] {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.projectId) {
        where.push('project_id = ?');
        args.push(filter.projectId);
      }
      if (filter.projectIds) {
        if (filter.projectIds.length === 0) return [];
        where.push(`project_id IN (${filter.projectIds.map(() => '?').join(', ')})`);
        args.push(...filter.projectIds);
      }
      if (filter.status) {
        where.push('status = ?');
        args.push(filter.status);
      }
      const sql = `SELECT * FROM prebuilds ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${ORDER}`;
      return (db.prepare(sql).all(...args) as Row[]).map(fromRow);
    },
    byCommit(projectIds: string[], commit: string): PrebuildRecord[] {
      if (projectIds.length === 0) return [];
      const sql = `SELECT * FROM prebuilds WHERE commit_sha = ? AND project_id IN (${projectIds.map(() => '?').join(', ')}) ${ORDER}`;
      return (db.prepare(sql).all(commit, ...projectIds) as Row[]).map(fromRow);
    },
  };
}

export type PrebuildStore = ReturnType<typeof createPrebuildStore>;
