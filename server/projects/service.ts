/**
 * Projects: a repository registered for prebuilds, owned by the user who
 * registered it (admins see all, others get 404). Holds the webhook secret
 * and an optional access token, both sealed at rest; `secretOf` and
 * `credentialFor` are the only ways out, for webhook checks and git fetches.
 */
import { slipwayError } from '../core/errors.js';
import { newId, newSecret } from '../core/ids.js';
import { parseContextUrl, repoIdentity, repoKey, tryRepoIdentity, type GitCredential, type GitPrincipal } from '../git/index.js';
import { nowIso } from '../store/db.js';
import type { AuditLog } from '../store/audit.js';
import type { ProjectRecord, ProjectStore } from '../store/projects.js';
import { validBranchPatterns } from './branch-glob.js';
import type { SecretBox } from './crypto.js';
import { toApiProject, type ApiProject } from './view.js';

export interface ProjectCaller {
  id: string;
  isAdmin: boolean;
}

export interface ProjectHooks {
  /** After create and after a change of polling or branches (baseline poll). */
  changed?(project: ProjectRecord): Promise<void>;
  /** Before the row goes: cancel prebuilds, remove unused snapshots. */
  deleting?(project: ProjectRecord): Promise<void>;
}

const bad = (message: string) => slipwayError('SLIPWAY_PROJECT_BAD_REQUEST', message);

function pollInterval(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 86_400) {
    throw bad('pollIntervalSeconds must be a whole number of seconds from 0 (no polling) to 86400');
  }
  return value;
}

function accessToken(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > 4096 || /[\x00-\x1f\x7f]/.test(value)) throw bad('accessToken must be a string without control characters');
  return value;
}

export function createProjectService(deps: {
  store: ProjectStore;
  audit: AuditLog;
  box: SecretBox;
  publicUrl: () => string;
  allowFileUrls: boolean;
  hooks?: ProjectHooks;
}) {
  const { store, audit, box } = deps;
  const hooks: ProjectHooks = deps.hooks ?? {};

  function owned(caller: ProjectCaller, id: string): ProjectRecord {
    const record = store.get(id);
    // Someone else's project is "not found": its existence is not theirs to know.
    if (!record || (record.ownerId !== caller.id && !caller.isAdmin)) {
      throw slipwayError('SLIPWAY_PROJECT_NOT_FOUND', `No project "${id}"`);
    }
    return record;
  }

  function view(caller: ProjectCaller | null, record: ProjectRecord): ApiProject {
    const secret = caller && caller.id === record.ownerId ? box.decrypt(record.webhookSecretEnc) : null;
    return toApiProject(record, deps.publicUrl(), secret, tryRepoIdentity(record.repoUrl)?.host ?? null);
  }

  const service = {
    setHooks(next: ProjectHooks) {
      Object.assign(hooks, next);
    },

    async create(caller: ProjectCaller, body: Record<string, unknown>): Promise<ApiProject> {
      if (typeof body.repoUrl !== 'string' || body.repoUrl.trim() === '') throw bad('Send {"repoUrl": "<clone URL of the repository>"}');
      // parseContextUrl applies this server's policy (file URLs); the identity is git's.
      const context = parseContextUrl(body.repoUrl.trim(), { allowFileUrls: deps.allowFileUrls });
      const identity = repoIdentity(context.repoUrl);
      const branches = validBranchPatterns(body.prebuildBranches);
      if (branches === undefined && body.prebuildBranches !== undefined)
        throw bad('prebuildBranches must be a non-empty list of glob patterns like ["main", "release/*"] ("**" for all), or null for the default branch');
      if (body.name !== undefined && (typeof body.name !== 'string' || body.name.trim() === '' || body.name.length > 200))
        throw bad('name must be a non-empty string');
      const token = accessToken(body.accessToken);
      const now = nowIso();
      const record: ProjectRecord = {
        id: newId('p'),
        ownerId: caller.id,
        name: typeof body.name === 'string' ? body.name.trim() : identity.name,
        repoUrl: identity.url,
        repoKey: identity.key,
        prebuildBranches: branches ?? null,
        pollIntervalSeconds: pollInterval(body.pollIntervalSeconds),
        webhookSecretEnc: box.encrypt(newSecret(32)),
        accessTokenEnc: token ? box.encrypt(token) : null,
        pollHeads: null,
        lastPolledAt: null,
        pollError: null,
        createdAt: now,
        updatedAt: now,
      };
      store.insert(record);
      audit.record(caller.id, 'project.create', record.id, { repoUrl: record.repoUrl });
      await hooks.changed?.(record);
      return view(caller, store.get(record.id) ?? record);
    },

    list(caller: ProjectCaller): ApiProject[] {
      return store.list(caller.isAdmin ? {} : { ownerId: caller.id }).map((r) => view(caller, r));
    },

    get(caller: ProjectCaller, id: string): ApiProject {
      return view(caller, owned(caller, id));
    },

    /** The record, for other services after an access check through `owned`. */
    record(caller: ProjectCaller, id: string): ProjectRecord {
      return owned(caller, id);
    },

    async update(caller: ProjectCaller, id: string, body: Record<string, unknown>): Promise<ApiProject> {
      const record = owned(caller, id);
      if (body.repoUrl !== undefined) throw bad('repoUrl cannot change: make a new project');
      if (body.name !== undefined) {
        if (typeof body.name !== 'string' || body.name.trim() === '' || body.name.length > 200) throw bad('name must be a non-empty string');
        record.name = body.name.trim();
      }
      if (body.prebuildBranches !== undefined) {
        const branches = validBranchPatterns(body.prebuildBranches);
        if (branches === undefined) throw bad('prebuildBranches must be a non-empty list of glob patterns, or null for the default branch');
        record.prebuildBranches = branches;
      }
      if (body.pollIntervalSeconds !== undefined) record.pollIntervalSeconds = pollInterval(body.pollIntervalSeconds);
      if (body.accessToken !== undefined) {
        const token = accessToken(body.accessToken);
        record.accessTokenEnc = token ? box.encrypt(token) : null;
      }
      if (body.rotateWebhookSecret === true) record.webhookSecretEnc = box.encrypt(newSecret(32));
      store.save(record);
      // Never the token itself in the audit log: only which fields changed.
      audit.record(caller.id, 'project.update', id, {
        fields: Object.keys(body)
          .filter((k) => k !== 'accessToken')
          .concat(body.accessToken !== undefined ? ['accessToken(set)'] : []),
      });
      await hooks.changed?.(record);
      return view(caller, record);
    },

    async delete(caller: ProjectCaller, id: string): Promise<void> {
      const record = owned(caller, id);
      await hooks.deleting?.(record);
      store.delete(id);
      audit.record(caller.id, 'project.delete', id);
    },

    /** Projects of a repository, by any URL form of it (its key: same repository over https or ssh, any port). */
    forRepo(repoUrl: string): ProjectRecord[] {
      const key = repoKey(repoUrl);
      return key ? store.byRepoKey(key) : [];
    },

    byRepoKey(repoKey: string): ProjectRecord[] {
      return store.byRepoKey(repoKey);
    },

    get internal() {
      return store;
    },

    secretOf(record: ProjectRecord): string {
      return box.decrypt(record.webhookSecretEnc);
    },

    /**
     * The one token git may send for `as` to `repoUrl`, or null (anonymous).
     * Only a token saved for this exact origin (scheme, host, port) and
     * repository, and only for its owner (a user's open: their newest such
     * project) or for its own project (prebuilds, polling). Never another
     * user's token: a project registered for someone else's private
     * repository with a wrong token must fail, not borrow theirs.
     */
    credentialFor(repoUrl: string, as: GitPrincipal): GitCredential | null {
      if (as === 'anonymous') return null;
      // Both sides through git's identity: the same repository (key) at the same origin (scheme, host, port).
      const wanted = tryRepoIdentity(repoUrl);
      const origin = wanted?.credentialOrigin;
      if (!wanted || !origin) return null;
      const key = wanted.key;
      const candidates = 'project' in as ? [store.get(as.project)] : store.byRepoKey(key).filter((p) => p.ownerId === as.user);
      const usable = candidates
        .filter((p): p is ProjectRecord => !!p && p.accessTokenEnc !== null && p.repoKey === key && tryRepoIdentity(p.repoUrl)?.credentialOrigin === origin)
        .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
      const chosen = usable[0];
      if (!chosen) return null;
      return { token: box.decrypt(chosen.accessTokenEnc!), origin, projectId: chosen.id, projectName: chosen.name };
    },
  };
  return service;
}

export type ProjectService = ReturnType<typeof createProjectService>;
