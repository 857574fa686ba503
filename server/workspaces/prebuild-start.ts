/**
 * Starting a workspace from a prebuild snapshot (DESIGN §2 flow 1): the
 * container is made from the snapshot image, which already holds the
 * checkout and everything `init` produced, so there is no image build, no
 * clone and no `init`. For an ancestor's snapshot ("incremental") the
 * checkout is brought forward by copying a fresh working tree of the commit
 * over it (after removing files the commit deleted): untracked outputs such
 * as node_modules stay, tracked files become exactly the commit's, and
 * `init` runs again on top.
 */
import path from 'node:path';
import { slipwayError } from '../core/errors.js';
import type { LogStream } from '../core/log-stream.js';
import { createTar } from '../core/tar.js';
import { resolveSpecContainerEnv } from '../definition/index.js';
import type { ContextRef } from '../git/context-url.js';
import type { WorkspaceRecord } from '../store/workspaces.js';
import type { ContainerOps } from './container-ops.js';
import { SLIPWAY_DIR } from './container-ops.js';
import type { PrebuildChoiceForStart, WorkspaceDeps } from './deps.js';
import type { PhaseApplier } from './startup.js';
import type { LiveContext, SessionOpener } from './sessions.js';
import { headlessScript, lifecycleToShell, shellQuote, workspacePaths } from './scripts.js';

export interface PrebuildStartContext {
  deps: WorkspaceDeps;
  ops: ContainerOps;
  sessions: SessionOpener;
  apply: PhaseApplier;
  live: Map<string, LiveContext>;
  timed<T>(record: WorkspaceRecord, log: LogStream, name: string, title: string, work: () => Promise<T>, note?: (result: T) => string): Promise<T>;
  createContainer(record: WorkspaceRecord): Promise<string>;
  resolveUser(record: WorkspaceRecord): Promise<string>;
}

/** Returns false (nothing done) when the snapshot image is gone: the caller starts cold. */
export async function startFromPrebuild(ctx: PrebuildStartContext, record: WorkspaceRecord, context: ContextRef, choice: PrebuildChoiceForStart, log: LogStream): Promise<boolean> {
  const { deps, ops, sessions, apply, live, timed } = ctx;
  const { runtime, git } = deps;
  const prebuild = choice.prebuild!;
  if (!(await runtime.imageExists(prebuild.imageRef))) {
    log.line(`The snapshot ${prebuild.imageRef} of prebuild ${prebuild.id} is gone: starting without it`);
    record.prebuild = { id: null, commit: null, reason: `none: the snapshot of prebuild ${prebuild.id} was removed` };
    return false;
  }
  const incremental = choice.kind === 'incremental';
  record.spec = resolveSpecContainerEnv(record.spec!, await runtime.imageEnv(prebuild.imageRef));
  const spec = record.spec;
  log.line(`Starting from prebuild ${prebuild.id} (${choice.reason}): ${prebuild.imageRef}`);
  record.imageRef = prebuild.imageRef;
  record.timings.image = 0;
  apply(record, { type: 'image-ready' });

  await timed(record, log, 'container', 'Creating the container from the prebuild snapshot', () => ctx.createContainer(record));
  const user = await ctx.resolveUser(record);
  const { shell } = await ops.prepare(record.containerId!, { extraCaCerts: deps.config.extraCaCerts, user });
  live.set(record.id, { shell, user });
  const { checkout, workdir } = workspacePaths(spec, record.repoName);

  const headless = async (steps: { name: string; script: string | null }[]) => {
    const script = headlessScript(steps, workdir);
    if (!script) return;
    const code = await runtime.execStream(record.containerId!, { cmd: ['/bin/sh', '-c', script], user }, (chunk) => log.append(chunk.toString('utf8')));
    if (code !== 0) throw slipwayError('SLIPWAY_WORKSPACE_LIFECYCLE_FAILED', `A setup command of the definition failed with exit code ${code}; see the log above`);
  };

  if (incremental) {
    await timed(record, log, 'checkout', `Bringing the checkout forward from ${prebuild.commit.slice(0, 12)} to ${record.commit!.slice(0, 12)}`, async () => {
      const removed = choice.removedFiles ?? [];
      if (removed.length > 0) {
        // NUL-separated through a file: any file name, any count, no shell quoting of names.
        await runtime.putArchive(record.containerId!, SLIPWAY_DIR, createTar([{ name: 'removed.list', content: removed.join('\0') + '\0' }]));
        await ops.root(record.containerId!, `cd ${shellQuote(checkout)} && xargs -0 rm -f -- < ${SLIPWAY_DIR}/removed.list; rm -f ${SLIPWAY_DIR}/removed.list`, 'Removing files the commit deleted');
      }
      const scratch = await ops.scratch(record.id);
      try {
        const hostDir = path.join(scratch.dir, record.repoName);
        await git.createWorkingTree(context.repoUrl, record.commit!, record.branch, hostDir);
        await ops.copyCheckout(record.containerId!, hostDir, checkout, user);
      } finally {
        await scratch.cleanup();
      }
    }, () => `${choice.removedFiles?.length ?? 0} deleted file(s) removed`);
  } else {
    record.timings.checkout = 0;
  }

  const lifecycle = spec.lifecycle;
  // postCreate never ran in the prebuild (it is once per workspace); updateContent again when the content moved.
  const steps = [
    { name: 'updateContentCommand', script: incremental ? lifecycleToShell(lifecycle.updateContent) : null },
    { name: 'postCreateCommand', script: lifecycleToShell(lifecycle.postCreate) },
  ];
  if (steps.some((s) => s.script)) await timed(record, log, 'lifecycle', incremental ? 'Running updateContent and postCreate' : 'Running postCreate', () => headless(steps));

  record.createdOnce = true;
  record.startedFrom = incremental ? 'incremental' : 'prebuild';
  record.prebuild = { id: prebuild.id, commit: prebuild.commit, reason: choice.reason };
  // Terminals first, then `running`: a client that sees `running` can attach at once.
  await timed(record, log, 'tasks', incremental ? 'Starting the task terminals (init runs again on the snapshot)' : 'Starting the task terminals (init done by the prebuild)', () =>
    sessions.openStartTerminals(record, live.get(record.id)!, { runInit: incremental, preambles: choice.preambles }),
  );
  apply(record, { type: 'container-running' });
  return true;
}
