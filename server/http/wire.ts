/**
 * The JSON shapes of the HTTP API (DESIGN §7), in the one file the web UI
 * imports from the server (web/src/api-types.ts re-exports it). Types only:
 * each shape is the server's own type, re-exported from where the server
 * makes it, so the two sides cannot drift. A unit test
 * (test/unit/architecture/import-cycles.test.ts) fails when web/ imports any
 * other server file.
 */
import type { TokenRecord } from '../store/users.js';
import type { AuthService } from '../auth/service.js';

/** Every error answer: `{code, message, detail?}` (core/errors.ts `errorBody`). */
export type { ErrorBody as ApiError } from '../core/errors.js';
export type { User } from '../auth/service.js';
export type { ApiWorkspace, ApiPort, ApiTask } from '../workspaces/view.js';
export type { PhaseRecord } from '../store/workspaces.js';
export type { TerminalInfo } from '../terminals/terminal.js';
export type { ApiProject, ApiProjectInput } from '../projects/view.js';
export type { ApiPrebuild, ApiPrebuildTask } from '../prebuilds/view.js';
export type { PrebuildStatus } from '../store/prebuilds.js';

/** GET /api/tokens: a user's API tokens, never their secret. */
export type ApiToken = TokenRecord;
/** POST /api/tokens (201): the new token's secret, shown once. */
export type NewToken = ReturnType<AuthService['issueToken']>;
