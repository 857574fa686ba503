/**
 * Project records. Secrets are stored already sealed (see projects/crypto.ts):
 * this layer never sees them in clear.
 */
import type { Db } from './db.js';
import { nowIso } from './db.js';

export interface ProjectRecord {
  id: string;
  ownerId: string;
  name: string;
  repoUrl: string;
  /** normalizeRepoKey(repoUrl): how webhook payloads and workspaces find the project. */
  repoKey: string;
  /** Glob patterns; null = the repository's default branch only. */
  prebuildBranches: string[] | null;
  /** 0 = no polling. */
  pollIntervalSeconds: number;
  webhookSecretEnc: string;
  accessTokenEnc: string | null;
  /** Branch heads seen by the last poll (the baseline for "moved"). */
  pollHeads: Record<string, string> | null;
  lastPolledAt: string | null;
  pollError: string | null;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: string;
  owner_id: string;
  name: string;
  repo_url: string;
  repo_key: string;
  prebuild_branches: string | null;
  poll_interval_seconds: number;
  webhook_secret_enc: string;
  access_token_enc: string | null;
  poll_heads: string | null;
  last_polled_at: string | null;
  poll_error: string | null;
  created_at: string;
  updated_at: string;
}

const fromRow = (row: Row): ProjectRecord => ({
  id: row.id,
  ownerId: row.owner_id,
  name: row.name,
  repoUrl: row.repo_url,
  repoKey: row.repo_key,
  prebuildBranches: row.prebuild_branches ? (JSON.parse(row.prebuild_branches) as string[]) : null,
  pollIntervalSeconds: row.poll_interval_seconds,
  webhookSecretEnc: row.webhook_secret_enc,
  accessTokenEnc: row.access_token_enc,
  pollHeads: row.poll_heads ? (JSON.parse(row.poll_heads) as Record<string, string>) : null,
  lastPolledAt: row.last_polled_at,
  pollError: row.poll_error,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const COLUMNS: Record<string, (r: ProjectRecord) => unknown> = {
  owner_id: (r) => r.ownerId,
  name: (r) => r.name,
  repo_url: (r) => r.repoUrl,
  repo_key: (r) => r.repoKey,
  prebuild_branches: (r) => (r.prebuildBranches ? JSON.stringify(r.prebuildBranches) : null),
  poll_interval_seconds: (r) => r.pollIntervalSeconds,
  webhook_secret_enc: (r) => r.webhookSecretEnc,
  access_token_enc: (r) => r.accessTokenEnc,
  poll_heads: (r) => (r.pollHeads ? JSON.stringify(r.pollHeads) : null),
  last_polled_at: (r) => r.lastPolledAt,
  poll_error: (r) => r.pollError,
  created_at: (r) => r.createdAt,
  updated_at: (r) => r.updatedAt,
};

/** The poller's columns: written only by `recordPoll`, never by a `save` of the project's settings. */
const POLL_COLUMNS = new Set(['poll_heads', 'last_polled_at', 'poll_error']);

/** Projects. One writer per column: `save` (the project service's settings) and `recordPoll` (the poller). */
export function createProjectStore(db: Db) {
  const names = Object.keys(COLUMNS);
  const saved = names.filter((n) => !POLL_COLUMNS.has(n));
  const insert = db.prepare(`INSERT INTO projects (id, ${names.join(', ')}) VALUES (?, ${names.map(() => '?').join(', ')})`);
  const update = db.prepare(`UPDATE projects SET ${saved.map((n) => `${n} = ?`).join(', ')} WHERE id = ?`);
  const values = (r: ProjectRecord, columns: string[]) => columns.map((n) => COLUMNS[n]!(r));
  // A failed poll keeps the heads it saw last (the baseline for "moved").
  const pollOk = db.prepare('UPDATE projects SET poll_heads = ?, last_polled_at = ?, poll_error = NULL WHERE id = ?');
  const pollFailed = db.prepare('UPDATE projects SET last_polled_at = ?, poll_error = ? WHERE id = ?');
  return {
    insert(record: ProjectRecord): void {
      insert.run(record.id, ...values(record, names));
    },
    save(record: ProjectRecord): ProjectRecord {
      record.updatedAt = nowIso();
      update.run(...values(record, saved), record.id);
      return record;
    },
    /** What a poll saw: the branch heads, or the error that stopped it. */
    recordPoll(id: string, poll: { at: string; heads: Record<string, string> } | { at: string; error: string }): void {
      if ('heads' in poll) pollOk.run(JSON.stringify(poll.heads), poll.at, id);
      else pollFailed.run(poll.at, poll.error, id);
    },
    get(id: string): ProjectRecord | null {
      const row = db.prepare('SELECT * FROM projects WHERE id = ?').get(id) as Row | undefined;
      return row ? fromRow(row) : null;
    },
    list(filter: { ownerId?: string } = {}): ProjectRecord[] {
      const rows = (
        filter.ownerId
          ? db.prepare('SELECT * FROM projects WHERE owner_id = ? ORDER BY created_at').all(filter.ownerId)
          : db.prepare('SELECT * FROM projects ORDER BY created_at').all()
      ) as Row[];
      return rows.map(fromRow);
    },
    byRepoKey(repoKey: string): ProjectRecord[] {
      return (db.prepare('SELECT * FROM projects WHERE repo_key = ? ORDER BY created_at').all(repoKey) as Row[]).map(fromRow);
    },
    delete(id: string): void {
      db.prepare('DELETE FROM projects WHERE id = ?').run(id);
    },
  };
}

export type ProjectStore = ReturnType<typeof createProjectStore>;
