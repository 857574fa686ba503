import type { Db } from './db.js';
import { nowIso } from './db.js';

export interface AuditEntry {
  id: number;
  at: string;
  userId: string | null;
  action: string;
  target: string | null;
  detail: unknown;
}

/** Append-only log of every state-changing action: who, what, when. */
export function createAuditLog(db: Db) {
  const insert = db.prepare('INSERT INTO audit (at, user_id, action, target, detail) VALUES (?, ?, ?, ?, ?)');
  return {
    record(userId: string | null, action: string, target: string | null, detail?: unknown): void {
      insert.run(nowIso(), userId, action, target, detail === undefined ? null : JSON.stringify(detail));
    },
    list(filter: { target?: string; limit?: number } = {}): AuditEntry[] {
      const limit = filter.limit ?? 200;
      const rows = (
        filter.target
          ? db.prepare('SELECT * FROM audit WHERE target = ? ORDER BY id DESC LIMIT ?').all(filter.target, limit)
          : db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit)
      ) as {
        id: number;
        at: string;
        user_id: string | null;
        action: string;
        target: string | null;
        detail: string | null;
      }[];
      return rows.map((r) => ({ id: r.id, at: r.at, userId: r.user_id, action: r.action, target: r.target, detail: r.detail ? JSON.parse(r.detail) : null }));
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
