/**
 * Workspaces: create from a context URL, list, stop, start, delete, open
 * terminals; and the reconciler that keeps the store true to the engine.
 * Every phase change goes through the pure phase machine; every
 * state-changing action is audited. Users see only their own workspaces
 * (others get 404); admins see all.
 */
import { slipwayError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { printable } from '../core/printable.js';
import { nowIso } from '../store/db.js';
import type { WorkspaceRecord } from '../store/workspaces.js';
import { parseContextUrl } from '../git/index.js';
import { createContainerOps } from '../provision/container.js';
import type { WorkspaceDeps } from './deps.js';
import { transition, type Effect, type PhaseEvent } from './phase-machine.js';
import { createSessionOpener, type LiveContext } from './sessions.js';
import { createStartup } from './startup.js';
import { toApiWorkspace } from './view.js';
import { reconcile } from './reconciler.js';
import path from 'node:path';
import { mkdirSync } from 'node:fs';

export interface Caller {
  id: string;
  username: string;
  isAdmin: boolean;
}

export function createWorkspaceService(deps: WorkspaceDeps) {
  const { store, audit, runtime, terminals, logs, config } = deps;
  const tmpDir = path.join(config.dataDir, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  const ops = createContainerOps({ runtime, tmpDir });
  const sessions = createSessionOpener(deps, ops);
  const live = new Map<string, LiveContext>();
  /** One operation at a time per workspace: operations chain on this. */
  const locks = new Map<string, Promise<unknown>>();
  const background = new Set<Promise<unknown>>();

  /** Applies an event; with `persist: false` the caller saves after performing the effects. */
  const apply = (record: WorkspaceRecord, event: PhaseEvent, options: { persist?: boolean } = {}): Effect[] => {
    const result = transition({ phase: record.status, reason: record.statusReason, hasContainer: record.containerId !== null }, event);
    if (!result.ok) throw slipwayError('SLIPWAY_WORKSPACE_INVALID_STATE', `The workspace is ${record.status}: ${result.error}`);
    if (result.state.phase !== record.status || result.state.reason !== record.statusReason) {
      record.phases.push({ phase: result.state.phase, at: nowIso(), reason: result.state.reason });
    }
    record.status = result.state.phase;
    record.statusReason = result.state.reason;
    if (record.status !== 'deleted' && options.persist !== false) store.save(record);
    return result.effects;
  };

  const startup = createStartup(deps, ops, sessions, apply, live);

  async function performEffects(record: WorkspaceRecord, effects: Effect[]): Promise<void> {
    for (const effect of effects) {
      if (effect === 'close-terminals') terminals.closeWorkspace(record.id, `workspace ${record.status}`);
      if (effect === 'stop-container' && record.containerId) await runtime.stopContainer(record.containerId);
      if (effect === 'remove-container' && record.containerId) {
        await runtime.removeContainer(record.containerId);
        record.containerId = null;
        live.delete(record.id);
        if (record.status !== 'deleted') store.save(record);
      }
    }
  }

  function withLock<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(id) ?? Promise.resolve();
    // The lock is released inside the chain, so it is free by the time the caller resumes.
    const next: Promise<T> = previous
      .catch(() => {})
      .then(work)
      .finally(() => {
        if (locks.get(id) === next) locks.delete(id);
      });
    locks.set(id, next);
    return next;
  }

  function track(promise: Promise<unknown>) {
    background.add(promise);
    void promise.finally(() => background.delete(promise));
  }

  function owned(caller: Caller, id: string): WorkspaceRecord {
    const record = store.get(id);
    // Someone else's workspace is "not found": its existence is not theirs to know.
    if (!record || (record.ownerId !== caller.id && !caller.isAdmin)) {
      throw slipwayError('SLIPWAY_WORKSPACE_NOT_FOUND', `No workspace "${id}"`);
    }
    return record;
  }

  function view(record: WorkspaceRecord) {
    return toApiWorkspace(record, terminals.list(record.id), config, record.status === 'running' ? (deps.detectedPorts?.(record.id) ?? []) : []);
  }

  /** The view after an operation: re-read, as the narrow columns (port visibility, activity) may have changed meanwhile. */
  function fresh(record: WorkspaceRecord) {
    return view(store.get(record.id) ?? record);
  }

  const service = {
    async create(caller: Caller, contextUrl: string) {
      if (typeof contextUrl !== 'string' || contextUrl.trim() === '') {
        throw slipwayError('SLIPWAY_WORKSPACE_BAD_REQUEST', 'Send {"contextUrl": "<repository URL>"}');
      }
      const context = parseContextUrl(contextUrl.trim(), { allowFileUrls: config.allowFileUrls });
      await deps.repoAccess?.check(caller, context.repoUrl);
      const now = nowIso();
      const record: WorkspaceRecord = {
        id: newId('w'),
        ownerId: caller.id,
        contextUrl: contextUrl.trim(),
        repoUrl: context.repoUrl,
        repoName: context.repoName,
        branch: context.ref.kind === 'branch' ? context.ref.name : null,
        commit: context.ref.kind === 'commit' ? context.ref.sha : null,
        status: 'pending',
        statusReason: null,
        phases: [{ phase: 'pending', at: now, reason: null }],
        timings: {},
        containerId: null,
        imageRef: null,
        startedFrom: null,
        prebuild: null,
        spec: null,
        definitionFile: null,
        portVisibility: {},
        createdOnce: false,
        lifecycle: null,
        createdAt: now,
        updatedAt: now,
        lastActivityAt: now,
      };
      store.insert(record);
      audit.record(caller.id, 'workspace.create', record.id, { contextUrl: record.contextUrl });
      const log = logs.start(record.id);
      track(
        withLock(record.id, async () => {
          await startup.firstStart(record, context, log, performEffects);
          // An open is counted once it is running, with its step timings; a failure is counted in startup.fail.
          if (record.status === 'running') deps.metrics?.workspaceOpened({ startedFrom: record.startedFrom, timingsMs: record.timings });
        }),
      );
      return view(record);
    },

    get(caller: Caller, id: string) {
      const record = owned(caller, id);
      return view(record);
    },

    list(caller: Caller) {
      return store.list(caller.isAdmin ? {} : { ownerId: caller.id }).map(view);
    },

    /** The record itself, for other services (ports, logs) that checked access through `get`. */
    record(caller: Caller, id: string): WorkspaceRecord {
      return owned(caller, id);
    },

    log(caller: Caller, id: string) {
      owned(caller, id);
      return logs.get(id);
    },

    touch(id: string) {
      store.touch(id);
    },

    async stop(caller: Caller | null, id: string, reason = 'stopped by its owner') {
      const record = caller ? owned(caller, id) : store.get(id);
      if (!record) return null;
      return withLock(id, async () => {
        const current = store.get(id)!;
        const effects = apply(current, { type: 'stop', reason });
        await performEffects(current, effects);
        if (current.status === 'stopping') apply(current, { type: 'container-stopped' });
        live.delete(id);
        audit.record(caller?.id ?? null, 'workspace.stop', id, { reason });
        return fresh(current);
      });
    },

    async start(caller: Caller, id: string) {
      owned(caller, id);
      return withLock(id, async () => {
        const current = store.get(id)!;
        const effects = apply(current, { type: 'start' });
        if (!effects.includes('start-container')) return fresh(current);
        audit.record(caller.id, 'workspace.start', id);
        const log = logs.start(id);
        try {
          await startup.restart(current, log);
        } catch (error) {
          await startup.fail(current, log, error, performEffects);
        } finally {
          log.end();
        }
        return fresh(current);
      });
    },

    async delete(caller: Caller, id: string) {
      owned(caller, id);
      return withLock(id, async () => {
        const current = store.get(id);
        if (!current) return;
        const effects = apply(current, { type: 'delete' });
        await performEffects(current, effects);
        store.delete(id);
        logs.remove(id);
        live.delete(id);
        sessions.forget(id);
        audit.record(caller.id, 'workspace.delete', id);
      });
    },

    terminals(caller: Caller, id: string) {
      owned(caller, id);
      // A task terminal is named after its task, which the repository names: printable, as in the workspace JSON.
      return terminals.list(id).map((t) => ({ ...t, name: printable(t.name) }));
    },

    async openTerminal(caller: Caller, id: string) {
      const record = owned(caller, id);
      if (record.status !== 'running' || !record.containerId) {
        throw slipwayError('SLIPWAY_WORKSPACE_NOT_RUNNING', `The workspace is ${record.status}; start it to open a terminal`);
      }
      let context = live.get(id);
      if (!context) {
        // After a server restart: find the shell and user again.
        const user = await startup.resolveUser(record);
        const { shell } = await ops.prepare(record.containerId, { extraCaCerts: null, user });
        context = { shell, user };
        live.set(id, context);
      }
      audit.record(caller.id, 'terminal.open', id);
      const terminal = await sessions.openShell(record, context);
      return terminal.info();
    },

    /** A terminal of a workspace the caller may use, for the WebSocket. */
    terminal(caller: Caller, id: string, terminalId: string) {
      owned(caller, id);
      const terminal = terminals.get(terminalId);
      if (!terminal || terminal.info().workspaceId !== id) {
        throw slipwayError('SLIPWAY_TERMINAL_NOT_FOUND', `No terminal "${terminalId}" in workspace "${id}"`);
      }
      return terminal;
    },

    /** Runs one reconcile pass now (also runs on an interval from `startReconciler`). */
    async reconcile(): Promise<{ orphans: string[] }> {
      return reconcile({ deps, apply, performEffects, withLock, isLocked: (id) => locks.has(id), stop: service.stop, live });
    },

    /** Waits for background startups (tests and graceful shutdown). */
    async settle(): Promise<void> {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  };
  return service;
}

export type WorkspaceService = ReturnType<typeof createWorkspaceService>;
