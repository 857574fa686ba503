/**
 * Environment variables of users (each for a repository pattern) and of
 * projects. Values arrive already sealed (projects/crypto.ts): this layer
 * never sees them in clear. Rows go with their user or project (cascade).
 */
import type { Db } from './db.js';
import { nowIso } from './db.js';

export interface UserEnvRecord {
  userId: string;
  name: string;
  repositoryPattern: string;
  valueEnc: string;
  createdAt: string;
  updatedAt: string;
}

export interface ProjectEnvRecord {
  projectId: string;
  name: string;
  valueEnc: string;
  /** Given to prebuilds only, never to workspaces. */
  hidden: boolean;
  createdAt: string;
  updatedAt: string;
}

interface UserRow {
  user_id: string;
  name: string;
  repository_pattern: string;
  value_enc: string;
  created_at: string;
  updated_at: string;
}
interface ProjectRow {
  project_id: string;
  name: string;
  value_enc: string;
  hidden: number;
  created_at: string;
  updated_at: string;
}

const fromUserRow = (row: UserRow): UserEnvRecord => ({
  userId: row.user_id,
  name: row.name,
  repositoryPattern: row.repository_pattern,
  valueEnc: row.value_enc,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});
const fromProjectRow = (row: ProjectRow): ProjectEnvRecord => ({
  projectId: row.project_id,
  name: row.name,
  valueEnc: row.value_enc,
  hidden: row.hidden === 1,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function createEnvStore(db: Db) {
  return {
    userList(userId: string): UserEnvRecord[] {
      return (db.prepare('SELECT * FROM user_env WHERE user_id = ? ORDER BY name, repository_pattern').all(userId) as UserRow[]).map(fromUserRow);
    },
    /** Insert or replace; keeps the first created_at. */
    userPut(userId: string, name: string, repositoryPattern: string, valueEnc: string): void {
      const now = nowIso();
      db.prepare(
        `INSERT INTO user_env (user_id, name, repository_pattern, value_enc, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (user_id, name, repository_pattern) DO UPDATE SET value_enc = excluded.value_enc, updated_at = excluded.updated_at`,
      ).run(userId, name, repositoryPattern, valueEnc, now, now);
    },
    /** True when a row went. */
    userDelete(userId: string, name: string, repositoryPattern: string): boolean {
      return db.prepare('DELETE FROM user_env WHERE user_id = ? AND name = ? AND repository_pattern = ?').run(userId, name, repositoryPattern).changes > 0;
    },
    projectList(projectId: string): ProjectEnvRecord[] {
      return (db.prepare('SELECT * FROM project_env WHERE project_id = ? ORDER BY name').all(projectId) as ProjectRow[]).map(fromProjectRow);
    },
    projectPut(projectId: string, name: string, valueEnc: string, hidden: boolean): void {
      const now = nowIso();
      db.prepare(
        `INSERT INTO project_env (project_id, name, value_enc, hidden, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (project_id, name) DO UPDATE SET value_enc = excluded.value_enc, hidden = excluded.hidden, updated_at = excluded.updated_at`,
      ).run(projectId, name, valueEnc, hidden ? 1 : 0, now, now);
    },
    projectDelete(projectId: string, name: string): boolean {
      return db.prepare('DELETE FROM project_env WHERE project_id = ? AND name = ?').run(projectId, name).changes > 0;
    },
  };
}

export type EnvStore = ReturnType<typeof createEnvStore>;
