/**
 * Environment variables over the API (issue 16, item 6): a user's own (each
 * for a repository pattern) and a project's (owner or admin only; anyone
 * else gets the project's 404). Values are write-only: sealed with the
 * server key before they reach the store, and no list shows them (a leaked
 * session or token cannot read a secret back; setting it again replaces it).
 */
import { slipwayError } from '../core/errors.js';
import type { AuditLog } from '../store/audit.js';
import type { EnvStore } from '../store/env-vars.js';
import type { SecretBox } from './crypto.js';
import { validEnvName, validEnvValue, validRepositoryPattern } from './env-rules.js';

export interface EnvCaller {
  id: string;
  isAdmin: boolean;
}

export interface ApiUserEnvVar {
  name: string;
  repositoryPattern: string;
  createdAt: string;
  updatedAt: string;
}
export interface ApiProjectEnvVar {
  name: string;
  hidden: boolean;
  createdAt: string;
  updatedAt: string;
}

export function createEnvService(deps: {
  store: EnvStore;
  box: SecretBox;
  audit: AuditLog;
  /** Throws SLIPWAY_PROJECT_NOT_FOUND unless the caller owns the project (or is an admin). */
  assertProjectOwner(caller: EnvCaller, projectId: string): void;
}) {
  const { store, box, audit } = deps;
  const notFound = (what: string) => slipwayError('SLIPWAY_ENV_NOT_FOUND', `No variable ${what}`);

  const service = {
    listUser(caller: EnvCaller): ApiUserEnvVar[] {
      return store.userList(caller.id).map(({ name, repositoryPattern, createdAt, updatedAt }) => ({ name, repositoryPattern, createdAt, updatedAt }));
    },
    putUser(caller: EnvCaller, rawName: string, body: Record<string, unknown>): ApiUserEnvVar {
      const name = validEnvName(rawName);
      const value = validEnvValue(body.value);
      const pattern = validRepositoryPattern(body.repositoryPattern);
      store.userPut(caller.id, name, pattern, box.encrypt(value));
      audit.record(caller.id, 'env.user.set', `${name}@${pattern}`);
      return service.listUser(caller).find((v) => v.name === name && v.repositoryPattern === pattern)!;
    },
    deleteUser(caller: EnvCaller, rawName: string, rawPattern: unknown): void {
      const name = validEnvName(rawName);
      const pattern = validRepositoryPattern(rawPattern);
      if (!store.userDelete(caller.id, name, pattern)) throw notFound(`${name} for ${pattern}`);
      audit.record(caller.id, 'env.user.delete', `${name}@${pattern}`);
    },

    listProject(caller: EnvCaller, projectId: string): ApiProjectEnvVar[] {
      deps.assertProjectOwner(caller, projectId);
      return store.projectList(projectId).map(({ name, hidden, createdAt, updatedAt }) => ({ name, hidden, createdAt, updatedAt }));
    },
    putProject(caller: EnvCaller, projectId: string, rawName: string, body: Record<string, unknown>): ApiProjectEnvVar {
      deps.assertProjectOwner(caller, projectId);
      const name = validEnvName(rawName);
      const value = validEnvValue(body.value);
      if (body.hidden !== undefined && typeof body.hidden !== 'boolean') {
        throw slipwayError('SLIPWAY_ENV_BAD_REQUEST', 'hidden is true (prebuilds only) or false (prebuilds and workspaces)');
      }
      store.projectPut(projectId, name, box.encrypt(value), body.hidden === true);
      audit.record(caller.id, 'env.project.set', `${projectId}:${name}`);
      return service.listProject(caller, projectId).find((v) => v.name === name)!;
    },
    deleteProject(caller: EnvCaller, projectId: string, rawName: string): void {
      deps.assertProjectOwner(caller, projectId);
      const name = validEnvName(rawName);
      if (!store.projectDelete(projectId, name)) throw notFound(`${name} in this project`);
      audit.record(caller.id, 'env.project.delete', `${projectId}:${name}`);
    },
  };
  return service;
}

export type EnvService = ReturnType<typeof createEnvService>;
