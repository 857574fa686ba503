/**
 * Numbered, append-only schema migrations. Never edit one that has shipped:
 * add the next number instead.
 */
export interface Migration {
  version: number;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT,
        is_admin INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      );
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        last_used_at TEXT
      );
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL REFERENCES users(id),
        context_url TEXT NOT NULL,
        repo_url TEXT NOT NULL,
        repo_name TEXT NOT NULL,
        branch TEXT,
        commit_sha TEXT,
        status TEXT NOT NULL,
        status_reason TEXT,
        phases TEXT NOT NULL DEFAULT '[]',
        timings TEXT NOT NULL DEFAULT '{}',
        container_id TEXT,
        image_ref TEXT,
        started_from TEXT,
        prebuild TEXT,
        spec TEXT,
        definition_file TEXT,
        port_visibility TEXT NOT NULL DEFAULT '{}',
        created_once INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_activity_at TEXT NOT NULL
      );
      CREATE INDEX workspaces_owner ON workspaces(owner_id);
      CREATE TABLE terminals (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        task_index INTEGER,
        state TEXT NOT NULL DEFAULT 'running',
        exit_code INTEGER,
        created_at TEXT NOT NULL,
        ended_at TEXT
      );
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        user_id TEXT,
        action TEXT NOT NULL,
        target TEXT,
        detail TEXT
      );
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL REFERENCES users(id),
        name TEXT NOT NULL,
        repo_url TEXT NOT NULL,
        repo_key TEXT NOT NULL,
        prebuild_branches TEXT,
        poll_interval_seconds INTEGER NOT NULL DEFAULT 0,
        webhook_secret_enc TEXT NOT NULL,
        access_token_enc TEXT,
        poll_heads TEXT,
        last_polled_at TEXT,
        poll_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX projects_repo_key ON projects(repo_key);
      CREATE TABLE prebuilds (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        repo_url TEXT NOT NULL,
        branch TEXT,
        commit_sha TEXT NOT NULL,
        status TEXT NOT NULL,
        trigger TEXT NOT NULL,
        image_ref TEXT,
        base_image_ref TEXT,
        definition_hash TEXT,
        error TEXT,
        exit_code INTEGER,
        tasks TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        collected_at TEXT
      );
      CREATE INDEX prebuilds_project ON prebuilds(project_id, branch);
      CREATE INDEX prebuilds_commit ON prebuilds(commit_sha);
    `,
  },
  {
    // Hashes of revoked API tokens: SLIPWAY_ADMIN_TOKEN is re-added at every
    // start unless its revocation is remembered (issue 12, item 18).
    version: 3,
    sql: `
      CREATE TABLE revoked_tokens (
        token_hash TEXT PRIMARY KEY,
        revoked_at TEXT NOT NULL
      );
    `,
  },
  {
    // Port sessions (issue 12, item 1): the credential a port host's cookie
    // (scope = that host) or a path-form URL key (scope = `/ports/<id>/<port>`)
    // carries, never the main session id. Each belongs to the login session
    // it was minted from and ends with it (logout, user deleted: cascade).
    version: 4,
    sql: `
      CREATE TABLE port_sessions (
        token_hash TEXT PRIMARY KEY,
        session_hash TEXT NOT NULL REFERENCES sessions(id_hash) ON DELETE CASCADE,
        scope TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX port_sessions_session ON port_sessions(session_hash);
    `,
  },
  {
    // A devcontainer lifecycle command that failed (issue 13, item 4): the
    // workspace keeps running and says which command failed, with its code.
    version: 5,
    sql: `
      ALTER TABLE workspaces ADD COLUMN lifecycle TEXT;
    `,
  },
  {
    // Environment variables (issue 16, item 6): a user's, each for a
    // repository pattern, and a project's; values sealed (projects/crypto.ts).
    version: 6,
    sql: `
      CREATE TABLE user_env (
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        repository_pattern TEXT NOT NULL,
        value_enc TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (user_id, name, repository_pattern)
      );
      CREATE TABLE project_env (
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        value_enc TEXT NOT NULL,
        hidden INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (project_id, name)
      );
    `,
  },
];
