/**
 * Runs one prebuild (DESIGN §2 flow 2): definition at the commit → image
 * (build or pull, by cache key) → a headless container with the checkout →
 * each task's `before` then `init` (devcontainer: onCreate, updateContent),
 * logged per task → commit the container as the snapshot image → remove the
 * container → ready. Any failure ends in `failed` with the log and the exit
 * code; a cancel or timeout removes the container, which ends a running
 * command at once.
 */
import type { Config } from '../config/config.js';
import { errorMessage, isSlipwayError, slipwayError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import type { LogRegistry, LogStream } from '../core/log-stream.js';
import { definitionHash, discoverDefinition, serverSubstitution } from '../definition/index.js';
import type { GitMirrors } from '../git/index.js';
import type { ImageResolver } from '../images/resolver.js';
import type { Runtime } from '../runtime/docker.js';
import { nowIso } from '../store/db.js';
import type { PrebuildRecord, PrebuildTaskResult } from '../store/prebuilds.js';
import type { PrebuildEvent } from './phase-machine.js';
import { createProvisioner, type TargetSecrets } from '../provision/apply.js';
import type { ContainerOps } from '../provision/container.js';
import { planProvision } from '../provision/plan.js';

/** The log id of one task's output in a prebuild (replayed in the workspace's task terminal). */
export const taskLogId = (prebuildId: string, taskIndex: number) => `${prebuildId}-task-${taskIndex}`;

export function snapshotRepo(repoName: string): string {
  const name =
    repoName
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+|[._-]+$/g, '')
      .slice(0, 60) || 'repo';
  return `slipway/prebuild-${name}`;
}

export interface RunnerDeps {
  config: Config;
  git: GitMirrors;
  images: ImageResolver;
  runtime: Runtime;
  logs: LogRegistry;
  ops: ContainerOps;
  repoNameOf(repoUrl: string): string;
  /** The project's environment variables for its prebuilds (provision/apply.ts). */
  secrets?: TargetSecrets;
}

/** What a run needs besides its record: the project (labels) and how it reports changes. */
export interface RunContext {
  project: string;
  report(event: PrebuildEvent): void;
}

type RunEnd = { type: 'succeed'; imageRef: string } | { type: 'fail'; reason: string; exitCode: number | null } | { type: 'aborted'; reason: string };

export function createPrebuildRunner(deps: RunnerDeps) {
  const { config, git, images, runtime, logs, ops } = deps;
  const provisioner = createProvisioner({ runtime, git, ops, secrets: deps.secrets });

  function abortIf(signal: AbortSignal) {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
  }

  async function step<T>(log: LogStream, signal: AbortSignal, name: string, title: string, work: () => Promise<T>, note?: (r: T) => string): Promise<T> {
    abortIf(signal);
    log.step(name, title);
    const result = await work();
    log.stepDone(name, note?.(result));
    abortIf(signal);
    return result;
  }

  /**
   * `labels.report` is how the run changes its record: every change is an
   * event of the prebuild phase machine (phase-machine.ts), applied by the
   * service, which also brings `record` up to date. The runner never saves.
   */
  return async function runPrebuild(record: PrebuildRecord, signal: AbortSignal, labels: RunContext): Promise<void> {
    const log = logs.start(record.id);
    const repoName = deps.repoNameOf(record.repoUrl);
    let containerId: string | null = null;
    // Removing the container ends a command running in it: the way to stop a cancelled build.
    const onAbort = () => {
      if (containerId) void runtime.removeContainer(containerId).catch(() => {});
    };
    signal.addEventListener('abort', onAbort);
    const started = Date.now();
    labels.report({ type: 'start', at: nowIso() });
    // How the run ends, reported once the build container is gone.
    let end: RunEnd = { type: 'fail', reason: 'the prebuild ended without a result', exitCode: null };
    let exitCode: number | null = null;
    try {
      log.line(`Prebuild ${record.id} of ${printable(record.repoUrl)} ${printable(record.branch ?? '')} @ ${record.commit.slice(0, 12)} (${record.trigger})`);
      await step(log, signal, 'fetch', `Fetching ${record.repoUrl}`, async () => {
        // As the prebuild's own project: its token or none, never another project's (a wrong token fails here).
        const as = { project: record.projectId };
        await git.ensure(record.repoUrl, { as, fetch: true });
        return git.resolve(record.repoUrl, { kind: 'commit', sha: record.commit }, { as });
      });
      const definition = await step(
        log,
        signal,
        'definition',
        'Reading the workspace definition',
        () => discoverDefinition(git.lister(record.repoUrl, record.commit), serverSubstitution(repoName)),
        (d) => d.file ?? 'none found: default workspace',
      );
      if (definition.errors.length > 0) {
        const lines = definition.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`);
        throw slipwayError('SLIPWAY_DEFINITION_INVALID', `The definition file is invalid: ${lines.join('; ')}`);
      }
      // The hash is of the definition as written (the chooser hashes the same); the run uses it resolved.
      labels.report({ type: 'progress', definitionHash: definitionHash(definition.spec) });
      let spec = definition.spec;

      const image = await step(
        log,
        signal,
        'image',
        'Preparing the image',
        () => images.ensure(spec.image, { repoUrl: record.repoUrl, repoName, commit: record.commit }, (text) => log.append(text)),
        (i) => `${i.ref} (${i.how})`,
      );
      labels.report({ type: 'progress', baseImageRef: image.ref });
      spec = await provisioner.resolveSpec(spec, image.ref);

      // Container (a network of its own, as a workspace's: removed with it), checkout, git config, each task's before + init: provision/plan.ts.
      const target = {
        kind: 'prebuild',
        id: record.id,
        projectId: labels.project,
        image: image.ref,
        repo: { repoUrl: record.repoUrl, repoName, commit: record.commit, branch: record.branch },
      } as const;
      const results: PrebuildTaskResult[] = [];
      await provisioner.run(spec, planProvision(spec, target, config), {
        step: (name, title, work, note) => step(log, signal, name, title, work, note),
        created(id) {
          containerId = id;
          abortIf(signal);
        },
        prepared: () => {},
        async headless(task, exec) {
          abortIf(signal);
          const taskLog = logs.start(taskLogId(record.id, task.taskIndex!));
          log.step(task.name, task.title);
          const taskStarted = Date.now();
          let code: number;
          try {
            code = await exec((text) => {
              log.append(text);
              taskLog.append(text);
            });
          } finally {
            taskLog.end();
          }
          abortIf(signal);
          results.push({ name: task.label, exitCode: code, durationMs: Date.now() - taskStarted });
          labels.report({ type: 'progress', tasks: results });
          log.stepDone(task.name, `exit code ${code}`);
          if (code !== 0) {
            exitCode = code;
            throw slipwayError('SLIPWAY_PREBUILD_TASK_FAILED', `task "${task.label}" failed with exit code ${code}`);
          }
        },
        // A prebuild opens no terminals (its plan has no such step).
        terminals: async () => {},
      });

      const repo = snapshotRepo(repoName);
      await step(log, signal, 'snapshot', 'Saving the snapshot', () =>
        runtime.commitContainer(containerId!, {
          repo,
          tag: record.id,
          labels: {
            'slipway.kind': 'prebuild',
            'slipway.project': labels.project,
            'slipway.prebuild': record.id,
            'slipway.commit': record.commit,
            'slipway.branch': record.branch ?? '',
            'slipway.definition-hash': record.definitionHash ?? '',
            'slipway.base-image': image.ref,
          },
        }),
      );
      end = { type: 'succeed', imageRef: `${repo}:${record.id}` };
      log.line(`\u001b[32m✓ Prebuild ready in ${((Date.now() - started) / 1000).toFixed(2)}s: ${end.imageRef}\u001b[0m`);
    } catch (error) {
      // Shown in the log and the prebuild's JSON; it quotes names (task, branch, image): printable.
      const reason = printable(
        signal.aborted ? errorMessage(signal.reason) : isSlipwayError(error) ? error.message : `Unexpected error: ${errorMessage(error)}`,
        { multiline: true },
      );
      // A timeout is a failure of the prebuild; a cancel is the user's choice.
      const canceled = signal.aborted && !/timed out/.test(reason);
      end = canceled ? { type: 'aborted', reason } : { type: 'fail', reason, exitCode };
      log.line(`\u001b[31m✗ Prebuild ${canceled ? 'canceled' : 'failed'}: ${reason}\u001b[0m`);
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (containerId) await runtime.removeContainer(containerId).catch(() => {});
      labels.report({ ...end, at: nowIso() });
      log.end();
    }
  };
}

export type PrebuildRunner = ReturnType<typeof createPrebuildRunner>;
