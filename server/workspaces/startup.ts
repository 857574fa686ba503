/**
 * The startup pipeline of a workspace (DESIGN §2 flow 1): resolve the commit,
 * read the definition, make the image, create the container, copy the
 * checkout in, run the once-per-workspace setup, open the task terminals.
 * Each step is timed and logged live; a failure at any step ends in `failed`
 * with a reason a user understands, and removes what was half-made.
 */
import path from 'node:path';
import { errorMessage, isSlipwayError, slipwayError } from '../core/errors.js';
import type { LogStream } from '../core/log-stream.js';
import { printable } from '../core/printable.js';
import { discoverDefinition, resolveSpecContainerEnv } from '../definition/index.js';
import type { ContextRef } from '../git/context-url.js';
import type { WorkspaceRecord } from '../store/workspaces.js';
import type { ContainerOps } from './container-ops.js';
import { EXTRA_CA_PATH } from './container-ops.js';
import type { WorkspaceDeps } from './deps.js';
import type { Effect, PhaseEvent } from './phase-machine.js';
import type { LiveContext, SessionOpener } from './sessions.js';
import { headlessScript, lifecycleToShell, workspaceEnv, workspacePaths } from './scripts.js';
import { startFromPrebuild } from './prebuild-start.js';

export interface PhaseApplier {
  (record: WorkspaceRecord, event: PhaseEvent, options?: { persist?: boolean }): Effect[];
}

type EffectPerformer = (record: WorkspaceRecord, effects: Effect[]) => Promise<void>;

export function createStartup(deps: WorkspaceDeps, ops: ContainerOps, sessions: SessionOpener, apply: PhaseApplier, live: Map<string, LiveContext>) {
  const { config, store, runtime, git, images } = deps;

  function workspaceUrl(id: string) {
    return `${config.publicUrl}/w/${id}`;
  }

  async function timed<T>(record: WorkspaceRecord, log: LogStream, name: string, title: string, work: () => Promise<T>, note?: (result: T) => string): Promise<T> {
    log.step(name, title);
    const result = await work();
    record.timings[name] = log.stepDone(name, note?.(result));
    store.save(record);
    return result;
  }

  async function createContainer(record: WorkspaceRecord): Promise<string> {
    const spec = record.spec!;
    const { checkout } = workspacePaths(spec, record.repoName);
    // The container gets a network of its own (runtime/network.ts).
    const containerId = await runtime.createContainer({
      name: `slipway-${record.id}`,
      image: record.imageRef!,
      hostname: record.id,
      labels: {
        'slipway.workspace': record.id,
        'slipway.owner': record.ownerId,
        'slipway.repo': record.repoUrl,
        'slipway.commit': record.commit ?? '',
        'slipway.kind': 'workspace',
      },
      env: workspaceEnv({
        workspaceId: record.id,
        workspaceUrl: workspaceUrl(record.id),
        contextUrl: record.contextUrl,
        repoUrl: record.repoUrl,
        repoRoot: checkout,
        commit: record.commit!,
        branch: record.branch,
        spec,
        extraCaPath: config.extraCaCerts ? EXTRA_CA_PATH : null,
      }),
      limits: config.limits,
    });
    record.containerId = containerId;
    apply(record, { type: 'container-created' });
    await runtime.startContainer(containerId);
    return containerId;
  }

  /** Who runs the terminals: the definition's user, else the image's own user. */
  async function resolveUser(record: WorkspaceRecord): Promise<string> {
    if (record.spec?.user) return record.spec.user;
    return (await runtime.inspectContainer(record.containerId!))?.user ?? 'root';
  }

  async function runHeadless(record: WorkspaceRecord, log: LogStream, user: string, steps: { name: string; script: string | null }[]): Promise<void> {
    const { workdir } = workspacePaths(record.spec!, record.repoName);
    const script = headlessScript(steps, workdir);
    if (!script) return;
    const code = await runtime.execStream(record.containerId!, { cmd: ['/bin/sh', '-c', script], user }, (chunk) => log.append(chunk.toString('utf8')));
    if (code !== 0) {
      throw slipwayError('SLIPWAY_WORKSPACE_LIFECYCLE_FAILED', `A setup command of the definition failed with exit code ${code}; see the log above`);
    }
  }

  /** Ends a start in `failed`: the half-made container is removed before anyone sees the failure. */
  async function fail(record: WorkspaceRecord, log: LogStream, error: unknown, performEffects: EffectPerformer): Promise<void> {
    // The reason quotes names (branch, image, definition content) and becomes the status reason the UI shows: printable.
    const reason = printable(isSlipwayError(error) ? error.message : `Unexpected error: ${errorMessage(error)}`, { multiline: true });
    log.line(`\u001b[31m✗ ${reason}\u001b[0m`);
    deps.logger.warn({ workspace: record.id, err: errorMessage(error) }, 'workspace start failed');
    const effects = apply(record, { type: 'fail', reason }, { persist: false });
    try {
      await performEffects(record, effects);
    } catch (cleanupError) {
      log.line(`  (cleaning up failed too: ${errorMessage(cleanupError)})`);
    }
    store.save(record);
  }

  return {
    workspaceUrl,
    fail,

    /** First start of a new workspace. Never throws: failures land in the record. */
    async firstStart(record: WorkspaceRecord, context: ContextRef, log: LogStream, performEffects: EffectPerformer): Promise<void> {
      const started = Date.now();
      try {
        log.line(`Opening ${printable(record.contextUrl)}`);
        // resolve fetches what it needs (a branch's newest head, a commit only when missing): one fetch, not two.
        const { commit, branch } = await timed(record, log, 'resolve', `Fetching ${context.repoUrl}`, () => git.resolve(context.repoUrl, context.ref, { as: { user: record.ownerId } }),
          (r) => `${r.branch ?? 'detached'} @ ${r.commit.slice(0, 12)}`);
        record.commit = commit;
        record.branch = branch;
        store.save(record);

        const definition = await timed(record, log, 'definition', 'Reading the workspace definition', () => discoverDefinition(git.lister(context.repoUrl, commit)), (d) => d.file ?? 'none found: default workspace');
        for (const warning of definition.warnings) log.line(printable(`  warning: ${warning.file}:${warning.line}:${warning.column}: ${warning.message}`));
        if (definition.errors.length > 0) {
          const lines = definition.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`);
          throw slipwayError('SLIPWAY_DEFINITION_INVALID', `The definition file is invalid: ${lines.join('; ')}`, { detail: { errors: definition.errors } });
        }
        record.spec = definition.spec;
        record.definitionFile = definition.file;
        apply(record, { type: 'prepare' });

        // A prebuild of this commit (or an ancestor's, brought forward) replaces image, checkout and init.
        if (deps.prebuilds) {
          const choice = await timed(record, log, 'prebuild', 'Looking for a prebuild', () => deps.prebuilds!.choose({ repoUrl: context.repoUrl, repoName: record.repoName, commit, branch, spec: definition.spec, onLog: (text) => log.append(text) }), (c) => c.reason);
          record.prebuild = { id: choice.prebuild?.id ?? null, commit: choice.prebuild?.commit ?? null, reason: choice.reason };
          const prebuildCtx = { deps, ops, sessions, apply, live, timed, createContainer, resolveUser };
          if (choice.kind !== 'none' && (await startFromPrebuild(prebuildCtx, record, context, choice, log))) {
            record.timings.total = Date.now() - started;
            store.save(record);
            log.line(`\u001b[32m✓ Workspace is running from prebuild ${choice.prebuild!.id} (${(record.timings.total / 1000).toFixed(2)}s)\u001b[0m`);
            return;
          }
        }

        const image = await timed(record, log, 'image', 'Preparing the image', () => images.ensure(definition.spec.image, { repoUrl: context.repoUrl, repoName: record.repoName, commit }, (text) => log.append(text)), (i) => `${i.ref} (${i.how})`);
        record.imageRef = image.ref;
        record.spec = resolveSpecContainerEnv(definition.spec, await runtime.imageEnv(image.ref));
        apply(record, { type: 'image-ready' });

        // The host-side clone does not need the container: run both at once.
        const { checkout } = workspacePaths(definition.spec, record.repoName);
        const scratch = await ops.scratch(record.id);
        const hostDir = path.join(scratch.dir, record.repoName);
        const cloned = git.createWorkingTree(context.repoUrl, commit, branch, hostDir);
        cloned.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
        let user: string;
        try {
          user = await timed(record, log, 'container', 'Creating the container', async () => {
            await createContainer(record);
            const user = await resolveUser(record);
            const { shell } = await ops.prepare(record.containerId!, { extraCaCerts: config.extraCaCerts, user, dirs: [path.posix.dirname(checkout)] });
            live.set(record.id, { shell, user });
            return user;
          });
          await timed(record, log, 'checkout', `Checking out into ${checkout}`, async () => {
            await cloned;
            await ops.copyCheckout(record.containerId!, hostDir, checkout, user, { parentReady: true });
          });
        } finally {
          await cloned.catch(() => {});
          await scratch.cleanup();
        }
        const gitConfig = Object.entries(definition.spec.gitConfig);
        if (gitConfig.length > 0) {
          const script = gitConfig.map(([k, v]) => `git config --global ${JSON.stringify(k)} ${JSON.stringify(v)}`).join(' && ');
          await runtime.exec(record.containerId!, { cmd: ['/bin/sh', '-c', script], user });
        }

        const lifecycle = definition.spec.lifecycle;
        if (lifecycle.onCreate || lifecycle.updateContent || lifecycle.postCreate) {
          await timed(record, log, 'lifecycle', 'Running onCreate, updateContent and postCreate', () =>
            runHeadless(record, log, user, [
              { name: 'onCreateCommand', script: lifecycleToShell(lifecycle.onCreate) },
              { name: 'updateContentCommand', script: lifecycleToShell(lifecycle.updateContent) },
              { name: 'postCreateCommand', script: lifecycleToShell(lifecycle.postCreate) },
            ]),
          );
        }
        record.createdOnce = true;
        record.startedFrom = 'cold';
        record.prebuild = record.prebuild ?? { id: null, commit: null, reason: 'none: prebuilds are not set up for this repository' };

        await timed(record, log, 'tasks', 'Starting the task terminals', () => sessions.openStartTerminals(record, live.get(record.id)!, { runInit: true }));
        apply(record, { type: 'container-running' });
        record.timings.total = Date.now() - started;
        store.save(record);
        log.line(`\u001b[32m✓ Workspace is running (${(record.timings.total / 1000).toFixed(2)}s)\u001b[0m`);
      } catch (error) {
        await fail(record, log, error, performEffects);
      } finally {
        log.end();
      }
    },

    /** A start after a stop: same container, `before` and `command` again, never `init`. */
    async restart(record: WorkspaceRecord, log: LogStream): Promise<void> {
      const started = Date.now();
      log.step('start', 'Starting the container');
      await runtime.startContainer(record.containerId!);
      const user = await resolveUser(record);
      const { shell } = await ops.prepare(record.containerId!, { extraCaCerts: config.extraCaCerts, user });
      live.set(record.id, { shell, user });
      record.timings.restart = log.stepDone('start');
      await sessions.openStartTerminals(record, { shell, user }, { runInit: false });
      apply(record, { type: 'container-running' });
      record.timings.restartTotal = Date.now() - started;
      store.save(record);
      log.line('\u001b[32m✓ Workspace is running\u001b[0m');
    },

    resolveUser,
  };
}

export type Startup = ReturnType<typeof createStartup>;
