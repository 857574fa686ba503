/**
 * Wire types of the HTTP API (DESIGN §7). The server's own types are the one
 * source of truth: they are re-exported from where the server defines them.
 * Only small shapes the server does not export (errors, tokens) are written
 * out here, following the DESIGN §7 contract.
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

export type { ApiProject, ApiProjectInput } from '../../server/projects/view.js';
export type { ApiPrebuild, ApiPrebuildTask } from '../../server/prebuilds/view.js';
export type { PrebuildStatus } from '../../server/store/prebuilds.js';
