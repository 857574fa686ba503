/**
 * Wire types of the HTTP API (DESIGN §7). The server's own types are the one
 * source of truth: they are re-exported from where the server defines them.
 * Only shapes the server does not export yet are written out here, following
 * the DESIGN §7 contract.
 */
export type { ApiWorkspace, ApiPort, ApiTask } from '../../server/workspaces/view.js';
export type { TerminalInfo } from '../../server/terminals/terminal.js';
export type { User } from '../../server/auth/service.js';
export type { PhaseRecord } from '../../server/store/workspaces.js';

export interface ApiError {
  code: string;
  message: string;
  detail?: unknown;
}

export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string | null;
}

export interface NewToken extends ApiToken {
  token: string;
}

export type PrebuildStatus = 'queued' | 'building' | 'ready' | 'failed' | 'canceled';

// Projects and prebuilds: DESIGN §7 until server/projects and server/prebuilds export theirs.
export interface ApiProject {
  id: string;
  name: string;
  repoUrl: string;
  prebuildBranches: string[];
  pollIntervalSeconds: number | null;
  webhookUrl?: string;
  webhookSecret?: string;
  createdAt?: string;
}

export interface ApiPrebuild {
  id: string;
  projectId: string;
  commit: string;
  branch: string;
  status: PrebuildStatus;
  imageRef: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt?: string;
  error?: string | null;
}
