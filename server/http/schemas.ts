/**
 * Route schemas (fastify JSON schemas) for params, querystrings and bodies:
 * what each route takes, checked before its handler runs. A body that fails
 * its schema gets the answer the route gave before it had one: the route's
 * `config.invalid` (code, status from the registry, message), so clients and
 * tests see no change. Service-level checks stay where they are (a schema
 * says the shape; services say what a value means).
 *
 * Validation never coerces (server.ts sets `coerceTypes: false`): a number
 * where a string belongs is refused, as the handlers refused it.
 */
import type { FastifyRequest, FastifySchema } from 'fastify';
import type { SlipwayErrorCode } from '../core/error-codes.js';
import { slipwayError, type SlipwayError } from '../core/errors.js';

/** The answer to a request that fails the route's schema. */
export interface InvalidAnswer {
  code: SlipwayErrorCode;
  message: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    invalid?: InvalidAnswer;
  }
}

const string = { type: 'string' } as const;
/** Not blank: at least one character that is not white space (as `value.trim() !== ''`). */
const nonBlank = { type: 'string', pattern: '\\S' } as const;

const params = (...names: string[]) => ({
  type: 'object',
  properties: Object.fromEntries(names.map((name) => [name, string])),
  required: names,
});

/** `/…/:id` routes. */
export const idRoute: FastifySchema = { params: params('id') };
export const webhookRoute: FastifySchema = { params: params('provider') };

/** `?projectId=a&projectId=b` arrives as an array, which no lookup takes. */
export const prebuildListRoute: FastifySchema = { querystring: { type: 'object', properties: { projectId: string } } };
export const prebuildListInvalid: InvalidAnswer = { code: 'SLIPWAY_PREBUILD_BAD_REQUEST', message: 'Filter by one project: ?projectId=<id>' };

export const loginRoute: FastifySchema = {
  body: { type: 'object', properties: { username: string, password: string }, required: ['username', 'password'] },
};
export const loginInvalid: InvalidAnswer = { code: 'SLIPWAY_AUTH_BAD_REQUEST', message: 'Send {"username": "...", "password": "..."}' };

export const newUserRoute: FastifySchema = {
  body: { type: 'object', properties: { username: string, password: string, isAdmin: {} }, required: ['username', 'password'] },
};
export const newUserInvalid: InvalidAnswer = { code: 'SLIPWAY_AUTH_BAD_REQUEST', message: 'Send {"username": "...", "password": "...", "isAdmin"?: false}' };

export const newWorkspaceRoute: FastifySchema = {
  body: { type: 'object', properties: { contextUrl: nonBlank }, required: ['contextUrl'] },
};
/** Only the first of the service's checks (the repository URL); the rest depend on the URL's policy and stay in projects/service.ts. */
export const newProjectRoute: FastifySchema = {
  body: { type: 'object', properties: { repoUrl: nonBlank }, required: ['repoUrl'] },
};
export const newProjectInvalid: InvalidAnswer = { code: 'SLIPWAY_PROJECT_BAD_REQUEST', message: 'Send {"repoUrl": "<clone URL of the repository>"}' };

export const newWorkspaceInvalid: InvalidAnswer = { code: 'SLIPWAY_WORKSPACE_BAD_REQUEST', message: 'Send {"contextUrl": "<repository URL>"}' };

/**
 * Bodies of the routes that change something existing. Each body is optional
 * (`null` is what fastify validates when none was sent); the services still
 * check what a value means (a branch that exists, a poll interval in range).
 */
const optionalObject = (properties: Record<string, unknown>) => ({ type: ['object', 'null'], properties });

export const newTokenRoute: FastifySchema = { body: optionalObject({ name: string }) };
export const newTokenInvalid: InvalidAnswer = { code: 'SLIPWAY_AUTH_BAD_REQUEST', message: 'Send {"name": "<what the token is for>"}, or no body' };

export const projectUpdateRoute: FastifySchema = {
  params: params('id'),
  body: optionalObject({
    name: string,
    prebuildBranches: { type: ['array', 'null'] },
    pollIntervalSeconds: { type: ['number', 'null'] },
    accessToken: { type: ['string', 'null'] },
    rotateWebhookSecret: { type: 'boolean' },
  }),
};
export const projectUpdateInvalid: InvalidAnswer = {
  code: 'SLIPWAY_PROJECT_BAD_REQUEST',
  message: 'Send a JSON object of the settings to change: name, prebuildBranches, pollIntervalSeconds, accessToken, rotateWebhookSecret',
};

export const manualPrebuildRoute: FastifySchema = { params: params('id'), body: optionalObject({ ref: { anyOf: [nonBlank, { type: 'null' }] } }) };
export const manualPrebuildInvalid: InvalidAnswer = { code: 'SLIPWAY_PREBUILD_BAD_REQUEST', message: 'ref must be a branch name or a commit sha' };

export const portVisibilityRoute: FastifySchema = {
  params: params('id', 'port'),
  body: { type: 'object', properties: { visibility: { enum: ['public', 'private'] } }, required: ['visibility'] },
};
export const portVisibilityInvalid: InvalidAnswer = { code: 'SLIPWAY_PORT_BAD_REQUEST', message: 'Send {"visibility": "public"} or {"visibility": "private"}' };

/**
 * Environment variables (issue 16, item 6). The shape only: the service
 * checks the name, the value's size and NUL, and the pattern's form.
 */
export const userEnvPutRoute: FastifySchema = {
  params: params('name'),
  body: { type: 'object', properties: { value: string, repositoryPattern: string }, required: ['value', 'repositoryPattern'] },
};
export const userEnvPutInvalid: InvalidAnswer = { code: 'SLIPWAY_ENV_BAD_REQUEST', message: 'Send {"value": "...", "repositoryPattern": "owner/repo"}' };
export const userEnvDeleteRoute: FastifySchema = {
  params: params('name'),
  querystring: { type: 'object', properties: { repositoryPattern: string }, required: ['repositoryPattern'] },
};
export const userEnvDeleteInvalid: InvalidAnswer = { code: 'SLIPWAY_ENV_BAD_REQUEST', message: 'Say which variable: ?repositoryPattern=owner/repo' };
export const projectEnvPutRoute: FastifySchema = {
  params: params('id', 'name'),
  body: { type: 'object', properties: { value: string, hidden: { type: 'boolean' } }, required: ['value'] },
};
export const projectEnvPutInvalid: InvalidAnswer = { code: 'SLIPWAY_ENV_BAD_REQUEST', message: 'Send {"value": "...", "hidden"?: true}' };
export const projectEnvRoute: FastifySchema = { params: params('id', 'name') };

/** `?follow=1` streams a log; a repeated `follow` is refused rather than guessed. */
export const logRoute: FastifySchema = { params: params('id'), querystring: { type: 'object', properties: { follow: string } } };

/** The error for a schema failure, or null when `error` is not one or the route has no `invalid` answer. */
export function invalidRequestError(error: unknown, request: FastifyRequest): SlipwayError | null {
  const invalid = request.routeOptions.config.invalid;
  if (!invalid || typeof error !== 'object' || error === null || !('validation' in error)) return null;
  return slipwayError(invalid.code, invalid.message);
}
