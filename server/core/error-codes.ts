/**
 * The registry of every error code Slipway answers with, grouped by area (in
 * the manner of fastify's FST_ERR_* table). Each code has the HTTP status
 * `slipwayError` gives it by default, what it means and what the user can do;
 * docs/errors.md is generated from this table (`npm run docs:errors`) and a
 * unit test keeps the two, and the source, in step.
 *
 * Codes are part of the API contract: never rename, remove or reuse one
 * (clients and scripts match on them). A code that is no longer raised stays
 * here, marked retired in its summary, so that its name is never given to
 * something else.
 */

import type { ErrorArea, ErrorCodeInfo } from './error-code-info.js';
import { INPUT_AREAS } from './error-codes-input.js';

export type { ErrorArea, ErrorCodeInfo };

export const ERROR_AREAS = {
  auth: {
    title: 'Sign-in, users and API tokens',
    codes: {
      SLIPWAY_AUTH_REQUIRED: {
        status: 401,
        summary: 'The request needs a signed-in user or an API token, and came with neither (or with one that is no longer valid).',
        fix: 'Sign in (POST /api/auth/login), or send Authorization: Bearer <token>; WebSockets may pass ?token=<token>.',
      },
      SLIPWAY_AUTH_BAD_CREDENTIALS: { status: 401, summary: 'Wrong username or password.', fix: 'Check both; an admin can create a new user or password.' },
      SLIPWAY_AUTH_RATE_LIMITED: {
        status: 429,
        summary: 'Too many failed sign-ins for this user or from this address.',
        fix: 'Wait the seconds the Retry-After header names, then try again.',
      },
      SLIPWAY_AUTH_FORBIDDEN: {
        status: 403,
        summary: 'Only an admin may do this (or, for /metrics, an admin or the metrics token).',
        fix: 'Ask an admin, or sign in as one.',
      },
      SLIPWAY_AUTH_BAD_REQUEST: {
        status: 400,
        summary: 'The body of a sign-in or user request is not what the route takes.',
        fix: 'Send {"username": "...", "password": "..."} (and "isAdmin" when creating a user).',
      },
      SLIPWAY_AUTH_BAD_USERNAME: {
        status: 400,
        summary: 'The username is not 1-64 letters, digits, dots, dashes or underscores starting with a letter or digit.',
        fix: 'Pick a username of that form.',
      },
      SLIPWAY_AUTH_WEAK_PASSWORD: { status: 400, summary: 'The password is shorter than 8 characters.', fix: 'Choose a longer password.' },
      SLIPWAY_AUTH_USER_EXISTS: { status: 409, summary: 'A user with this username already exists.', fix: 'Pick another username.' },
      SLIPWAY_AUTH_USER_NOT_FOUND: { status: 404, summary: 'No user has this id.', fix: 'List the users (GET /api/users) for their ids.' },
      SLIPWAY_AUTH_DELETE_SELF: { status: 409, summary: 'An admin tried to delete their own user.', fix: 'Sign in as another admin to delete this one.' },
      SLIPWAY_AUTH_USER_OWNS_WORK: {
        status: 409,
        summary: 'The user still owns workspaces or projects (counted in detail).',
        fix: 'Delete their workspaces and projects first; an admin may.',
      },
      SLIPWAY_AUTH_TOKEN_NOT_FOUND: { status: 404, summary: 'You hold no API token with this id.', fix: 'List your tokens (GET /api/tokens) for their ids.' },
    },
  },
  config: {
    title: 'Server configuration',
    codes: {
      SLIPWAY_CONFIG_INVALID: {
        status: 500,
        summary: 'A SLIPWAY_* environment variable or a file the server needs (image alias map, CA bundle, secret.key) is invalid; the server does not start.',
        fix: 'Fix the variable or file the message names (README.md, Configuration), then start again.',
      },
    },
  },
  ...INPUT_AREAS,
  internal: {
    title: 'The server itself',
    codes: {
      SLIPWAY_INTERNAL: {
        status: 500,
        summary: 'Something went wrong on the server (a bug, or a failure of the machine).',
        fix: 'Try again; the server log has the details. Report it if it persists.',
      },
    },
  },
  port: {
    title: 'Workspace ports and the port proxy',
    codes: {
      SLIPWAY_PORT_BAD_REQUEST: {
        status: 400,
        summary: 'A port number or visibility in the request is invalid, or a port sign-in link points elsewhere.',
        fix: 'Send a port from 1 to 65535 and {"visibility": "public"} or {"visibility": "private"}.',
      },
      SLIPWAY_PORT_BAD_HANDOFF: {
        status: 400,
        summary: 'The port sign-in link has expired or was already used.',
        fix: 'Open the port again from the workspace page.',
      },
      SLIPWAY_PORT_FORBIDDEN: {
        status: 403,
        summary: 'The browser request to a path-form port URL is refused (a service worker, or a cross-site fetch), to keep apps on one origin apart.',
        fix: 'Set SLIPWAY_DOMAIN so that each port gets an origin of its own, or open the port as a page.',
      },
      SLIPWAY_PORT_UNREACHABLE: {
        status: 502,
        summary: 'Nothing is listening on the port in the workspace (yet).',
        fix: "Start the app's server in the workspace; the page retries by itself.",
      },
      SLIPWAY_PORT_WORKSPACE_NOT_RUNNING: {
        status: 503,
        alsoStatus: [409],
        summary: 'The workspace of the port is not running (503 for requests, 409 for WebSocket upgrades).',
        fix: 'Start the workspace (the page offers to); then open the port again.',
      },
    },
  },
  prebuild: {
    title: 'Prebuilds',
    codes: {
      SLIPWAY_PREBUILD_BAD_REQUEST: {
        status: 400,
        summary: 'A prebuild request lacks what it needs (a project filter, a branch or commit ref).',
        fix: 'Filter by one project (?projectId=<id>), and give a branch name or commit sha.',
      },
      SLIPWAY_PREBUILD_NOT_FOUND: {
        status: 404,
        summary: 'No prebuild has this id (or you may not see it).',
        fix: "List a project's prebuilds (GET /api/prebuilds?projectId=<id>).",
      },
      SLIPWAY_PREBUILD_NOT_CANCELABLE: {
        status: 409,
        summary: 'Only a queued or building prebuild can be canceled.',
        fix: 'Nothing to do: the prebuild has already ended.',
      },
      SLIPWAY_PREBUILD_INVALID_STATE: {
        status: 409,
        summary: "A change the prebuild's phase does not allow (e.g. a finished prebuild started again); a server-side refusal, not a client mistake.",
        fix: 'Nothing to do for the request; report it if it repeats (the server log has the prebuild id).',
      },
      SLIPWAY_PREBUILD_TASK_FAILED: {
        status: 422,
        summary: "A task's before or init commands failed in the prebuild (the prebuild log has their output).",
        fix: 'Fix the command in the definition and push; the next push prebuilds again.',
      },
    },
  },
  env: {
    title: 'Environment variables and secrets',
    codes: {
      SLIPWAY_ENV_BAD_REQUEST: {
        status: 400,
        summary:
          'The variable is invalid: a name outside `^[A-Za-z_][A-Za-z0-9_]*$` or starting with `SLIPWAY_`/`GITPOD_`, a value that is not a string, holds NUL or exceeds 32 KiB, or a repository pattern other than `owner/repo`, `owner/*`, `*/repo`, `*/*`.',
        fix: 'Send {"value": "...", "repositoryPattern": "owner/repo"} (user) or {"value": "...", "hidden"?: true} (project) as the message says.',
      },
      SLIPWAY_ENV_NOT_FOUND: {
        status: 404,
        summary: 'No variable of this name (and, for a user variable, repository pattern) is set.',
        fix: 'List the variables (GET /api/me/env, GET /api/projects/:id/env) for their names and patterns.',
      },
    },
  },
  project: {
    title: 'Projects',
    codes: {
      SLIPWAY_PROJECT_BAD_REQUEST: {
        status: 400,
        summary: 'The project body is invalid (the message says which field).',
        fix: 'Send {"repoUrl": "...", "name"?, "accessToken"?} as the message says.',
      },
      SLIPWAY_PROJECT_NOT_FOUND: { status: 404, summary: 'No project has this id (or you may not see it).', fix: 'List your projects (GET /api/projects).' },
      SLIPWAY_PROJECT_SECRET_UNREADABLE: {
        status: 500,
        summary:
          'A stored secret (access token, webhook secret) cannot be decrypted: it was altered, or secret.key in the data dir is not the key it was sealed with.',
        fix: "The operator restores secret.key from a backup of the data dir, or sets the project's secrets again.",
      },
    },
  },
  runtime: {
    title: 'The Docker engine',
    codes: {
      SLIPWAY_RUNTIME_INSTANCE_ID_INVALID: {
        status: 500,
        summary: '<data dir>/instance-id is unreadable or malformed; it ties this server to the containers, networks and images it made.',
        fix: 'The operator restores it from a backup of the data dir.',
      },
      SLIPWAY_RUNTIME_NOT_OURS: {
        status: 409,
        summary: 'The container, network or image belongs to another Slipway server on the same Docker engine; this one leaves it alone.',
        fix: 'Act on it through the server that made it.',
      },
      SLIPWAY_RUNTIME_NETWORK_TAKEN: {
        status: 409,
        summary: 'A Docker network with the name this server needs exists but was not made by this server.',
        fix: 'The operator removes it (docker network rm <name>).',
      },
      SLIPWAY_RUNTIME_NETWORK_POOL_FULL: {
        status: 503,
        summary: 'No free subnet is left in the workspace network pool.',
        fix: 'Delete unused workspaces, or have the operator give SLIPWAY_NETWORK_POOL a larger range.',
      },
    },
  },
  terminal: {
    title: 'Terminals',
    codes: {
      SLIPWAY_TERMINAL_NOT_FOUND: {
        status: 404,
        summary: 'The workspace has no terminal with this id (it ended, or the workspace restarted).',
        fix: 'List the terminals (GET /api/workspaces/<id>/terminals) or open a new one.',
      },
    },
  },
  webhook: {
    title: 'Webhooks',
    codes: {
      SLIPWAY_WEBHOOK_UNKNOWN_PROVIDER: {
        status: 404,
        summary: 'The webhook URL names a provider Slipway does not know.',
        fix: 'Use the webhook URL the project shows (github, gitlab, gitea, bitbucket or generic).',
      },
      SLIPWAY_WEBHOOK_BAD_PAYLOAD: {
        status: 400,
        summary: 'The webhook body is not a push event Slipway can read.',
        fix: "Configure the webhook to send push events as JSON, as the project's page describes.",
      },
      SLIPWAY_WEBHOOK_BAD_REPO_URL: {
        status: 400,
        summary: 'The repository URL in the webhook payload is not a repository URL.',
        fix: 'Check the forge sends the repository in the payload.',
      },
      SLIPWAY_WEBHOOK_BAD_SIGNATURE: {
        status: 401,
        summary: 'The webhook signature header is missing, or matches the secret of no project registered for the repository.',
        fix: "Set the webhook's secret to the project's webhook secret.",
      },
      SLIPWAY_WEBHOOK_UNKNOWN_REPO: {
        status: 404,
        summary: 'No project is registered for the repository of the webhook.',
        fix: 'Add a project with this repository URL.',
      },
    },
  },
  workspace: {
    title: 'Workspaces',
    codes: {
      SLIPWAY_WORKSPACE_BAD_REQUEST: { status: 400, summary: 'The body of a workspace request is invalid.', fix: 'Send {"contextUrl": "<repository URL>"}.' },
      SLIPWAY_WORKSPACE_NOT_FOUND: {
        status: 404,
        summary: 'No workspace has this id (or you may not see it).',
        fix: 'List your workspaces (GET /api/workspaces).',
      },
      SLIPWAY_WORKSPACE_INVALID_STATE: {
        status: 409,
        summary: 'The workspace is in a state that does not allow this (e.g. starting one that runs).',
        fix: 'Wait for it, or stop or start it first, as the message says.',
      },
      SLIPWAY_WORKSPACE_NOT_RUNNING: { status: 409, summary: 'The workspace is not running, so it has no terminals.', fix: 'Start the workspace first.' },
      SLIPWAY_WORKSPACE_LIFECYCLE_FAILED: {
        status: 422,
        summary:
          'A devcontainer lifecycle command (onCreateCommand, postCreateCommand, ...) failed; the workspace keeps running, its `lifecycle.failed` names the command and exit code (logged with this code), and the workspace log has its output.',
        fix: 'Fix the command in the definition file.',
      },
      SLIPWAY_WORKSPACE_SETUP_FAILED: {
        status: 500,
        summary: 'A step Slipway runs in the container to set it up (user, folders, CA certificates) failed.',
        fix: 'Check that the image has a POSIX shell and the tools the message names; the workspace log has the output.',
      },
      SLIPWAY_WORKSPACE_CHECKOUT_FAILED: {
        status: 500,
        summary: 'Packing the checkout to copy it into the container failed.',
        fix: 'Try again; report it if it persists.',
      },
    },
  },
} as const satisfies Readonly<Record<string, ErrorArea>>;

type Areas = typeof ERROR_AREAS;

/** Every code of the registry: a typo in a code is a compile error. */
export type SlipwayErrorCode = { [A in keyof Areas]: keyof Areas[A]['codes'] }[keyof Areas] & string;

/** The registry flattened: code → what it means. */
export const ERROR_CODES: Readonly<Record<SlipwayErrorCode, ErrorCodeInfo>> = Object.assign(
  {},
  ...Object.values(ERROR_AREAS).map((area) => area.codes),
) as Record<SlipwayErrorCode, ErrorCodeInfo>;

export function isSlipwayErrorCode(value: unknown): value is SlipwayErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/**
 * Codes only the web UI makes (never sent by the server): what it shows when
 * an answer is not Slipway's JSON error shape, or when no answer comes.
 */
export const WEB_ERROR_CODES = {
  SLIPWAY_HTTP_ERROR: {
    summary: "The server (or a proxy in front of it) answered with an error that is not in Slipway's JSON shape; the UI shows its status and text.",
    fix: 'Check the proxy in front of Slipway, and the server log.',
  },
  SLIPWAY_HTTP_UNREACHABLE: { summary: 'The browser got no answer from the Slipway server.', fix: 'Check that the server runs and the network reaches it.' },
} as const satisfies Readonly<Record<`SLIPWAY_${string}`, Omit<ErrorCodeInfo, 'status'>>>;
