/**
 * The startup pipeline of a workspace (DESIGN §2 flow 1): resolve the commit,
 * read the definition, make the image, create the container, copy the
 * checkout in, run the once-per-workspace setup, open the task terminals.
 * Each step is timed and logged live; a failure at any step ends in `failed`
 * with a reason a user understands, and removes what was half-made.
 */
import { errorMessage, isSlipwayError, slipwayError } from '../core/errors.js';
import type { LogStream } from '../core/log-stream.js';
import { printable } from '../core/printable.js';
import { discoverDefinition, formatDiagnostic, serverSubstitution } from '../definition/index.js';
import type { ContextRef } from '../git/context-url.js';
import { createProvisioner } from '../provision/apply.js';
import type { ContainerOps } from '../provision/container.js';
import { planProvision, workspaceUrl as urlOf, type ProvisionPlan } from '../provision/plan.js';
import { failedStepOf } from '../provision/scripts.js';
import type { WorkspaceRecord } from '../store/workspaces.js';
import type { PhaseApplier, ProvisionOptions, WorkspaceDeps } from './deps.js';
import type { Effect } from './phase-machine.js';
import type { LiveContext, SessionOpener } from './sessions.js';
import { startFromPrebuild } from './prebuild-start.js';

type EffectPerformer = (record: WorkspaceRecord, effects: Effect[]) => Promise<void>;

/** The lifecycle commands a workspace's headless step runs (provision/plan.ts planScripts). */
const LIFECYCLE_NAMES = ['onCreateCommand', 'updateContentCommand', 'postCreateCommand'];

export function createStartup(deps: WorkspaceDeps, ops: ContainerOps, sessions: SessionOpener, apply: PhaseApplier, live: Map<string, LiveContext>) {
  const { config, store, runtime, git, images } = deps;

  const provisioner = createProvisioner({ runtime, git, ops, secrets: deps.secrets });

  function workspaceUrl(id: string) {
    return urlOf(config, id);
  }

  async function timed<T>(
    record: WorkspaceRecord,
    log: LogStream,
    name: string,
    title: string,
    work: () => Promise<T>,
    note?: (result: T) => string,
  ): Promise<T> {
    log.step(name, title);
    const result = await work();
    record.timings[name] = log.stepDone(name, note?.(result));
    store.save(record);
    return result;
  }

  /** Provisions a new workspace's container (provision/): each step timed into the record, the container recorded as soon as it exists. */
  async function provision(record: WorkspaceRecord, log: LogStream, plan: ProvisionPlan, options: ProvisionOptions): Promise<void> {
    await provisioner.run(record.spec!, plan, {
      step: (name, title, work, note) => timed(record, log, name, title, work, note),
      created(containerId) {
        record.containerId = containerId;
        apply(record, { type: 'container-created' });
      },
      prepared: (context) => live.set(record.id, context),
      headless: (step, exec) =>
        timed(
          record,
          log,
          step.name,
          step.title,
          async () => {
            let output = '';
            const code = await exec((text) => {
              output = (output + text).slice(-64_000);
              log.append(text);
            });
            record.lifecycle = { failed: null };
            if (code !== 0) {
              // As VS Code does: the container and the workspace stay up, with a shell to repair it; later lifecycle commands are skipped.
              const failed = failedStepOf(output, LIFECYCLE_NAMES)?.name ?? 'a lifecycle command';
              record.lifecycle = { failed: { command: failed, exitCode: code, at: new Date().toISOString() } };
              deps.logger.warn(
                { workspace: record.id, code: 'SLIPWAY_WORKSPACE_LIFECYCLE_FAILED', command: failed, exitCode: code },
                'a lifecycle command failed; the workspace keeps running',
              );
              log.line(
                `\u001b[31m✗ ${failed} failed with exit code ${code} (its output is above). The workspace keeps running: open a terminal to repair it; the later lifecycle commands (postStartCommand, postAttachCommand) are skipped.\u001b[0m`,
              );
            }
          },
          () => (record.lifecycle?.failed ? `${record.lifecycle.failed.command} failed with exit code ${record.lifecycle.failed.exitCode}` : 'done'),
        ),
      terminals: (step, context) => {
        // The record says how it started before its terminals open (saved with the step's timing).
        options.beforeTerminals();
        return sessions.openStartTerminals(record, context, { runInit: step.runInit, ...(options.preambles ? { preambles: options.preambles } : {}) });
      },
    });
  }

  /** Who runs the terminals: the definition's user, else the image's own user. */
  async function resolveUser(record: WorkspaceRecord): Promise<string> {
    return provisioner.userOf(record.spec, record.containerId!);
  }

  /** Ends a start in `failed`: the half-made container is removed before anyone sees the failure. */
  async function fail(record: WorkspaceRecord, log: LogStream, error: unknown, performEffects: EffectPerformer): Promise<void> {
    // The reason quotes names (branch, image, definition content) and becomes the status reason the UI shows: printable.
    const reason = printable(isSlipwayError(error) ? error.message : `Unexpected error: ${errorMessage(error)}`, { multiline: true });
    log.line(`\u001b[31m✗ ${reason}\u001b[0m`);
    deps.logger.warn({ workspace: record.id, err: errorMessage(error) }, 'workspace start failed');
    deps.metrics?.workspaceFailed(isSlipwayError(error) ? error.code : null);
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
        const { commit, branch } = await timed(
          record,
          log,
          'resolve',
          `Fetching ${context.repoUrl}`,
          () => git.resolve(context.repoUrl, context.ref, { as: { user: record.ownerId } }),
          (r) => `${r.branch ?? 'detached'} @ ${r.commit.slice(0, 12)}`,
        );
        record.commit = commit;
        record.branch = branch;
        store.save(record);

        const definition = await timed(
          record,
          log,
          'definition',
          'Reading the workspace definition',
          () => discoverDefinition(git.lister(context.repoUrl, commit), serverSubstitution(record.repoName)),
          (d) => d.file ?? 'none found: default workspace',
        );
        for (const warning of definition.warnings) log.line(printable(`  warning: ${warning.file}:${warning.line}:${warning.column}: ${warning.message}`));
        if (definition.errors.length > 0) {
          // The first error on the first line (the dashboard shows that line), each with its offending line below.
          const lines = definition.errors.map((e) => formatDiagnostic(e, definition));
          throw slipwayError('SLIPWAY_DEFINITION_INVALID', `The definition file is invalid: ${lines.join('\n')}`, { detail: { errors: definition.errors } });
        }
        record.spec = definition.spec;
        record.definitionFile = definition.file;
        apply(record, { type: 'prepare' });

        // A prebuild of this commit (or an ancestor's, brought forward) replaces image, checkout and init.
        if (deps.prebuilds) {
          const choice = await timed(
            record,
            log,
            'prebuild',
            'Looking for a prebuild',
            () =>
              deps.prebuilds!.choose({
                repoUrl: context.repoUrl,
                repoName: record.repoName,
                commit,
                branch,
                spec: definition.spec,
                onLog: (text) => log.append(text),
              }),
            (c) => c.reason,
          );
          record.prebuild = { id: choice.prebuild?.id ?? null, commit: choice.prebuild?.commit ?? null, reason: choice.reason };
          const prebuildCtx = { deps, apply, provisioner, provision };
          if (choice.kind !== 'none' && (await startFromPrebuild(prebuildCtx, record, context, choice, log))) {
            record.timings.total = Date.now() - started;
            store.save(record);
            log.line(`\u001b[32m✓ Workspace is running from prebuild ${choice.prebuild!.id} (${(record.timings.total / 1000).toFixed(2)}s)\u001b[0m`);
            return;
          }
        }

        const image = await timed(
          record,
          log,
          'image',
          'Preparing the image',
          () => images.ensure(definition.spec.image, { repoUrl: context.repoUrl, repoName: record.repoName, commit }, (text) => log.append(text)),
          (i) => `${i.ref} (${i.how})`,
        );
        record.imageRef = image.ref;
        record.spec = await provisioner.resolveSpec(definition.spec, image.ref);
        apply(record, { type: 'image-ready' });

        const target = {
          kind: 'workspace',
          id: record.id,
          ownerId: record.ownerId,
          contextUrl: record.contextUrl,
          image: image.ref,
          repo: { repoUrl: context.repoUrl, repoName: record.repoName, commit, branch },
        } as const;
        await provision(record, log, planProvision(record.spec, target, config), {
          beforeTerminals() {
            record.createdOnce = true;
            record.startedFrom = 'cold';
            record.prebuild = record.prebuild ?? { id: null, commit: null, reason: 'none: prebuilds are not set up for this repository' };
          },
        });
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
      // The same root prep as a first start (provision/plan.ts): the folders, and the extra CA bundle where the image lacks it.
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
