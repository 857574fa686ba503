/**
 * Starting a workspace from a prebuild snapshot (DESIGN §2 flow 1): the
 * container is made from the snapshot image, which already holds the
 * checkout and everything `init` produced, so there is no image build, no
 * clone and no `init`. For an ancestor's snapshot ("incremental") the
 * checkout is brought forward by copying a fresh working tree of the commit
 * over it (after removing files the commit deleted): untracked outputs such
 * as node_modules stay, tracked files become exactly the commit's, and
 * `init` runs again on top. What runs, in which order, is provision/plan.ts
 * (target `from-snapshot`).
 */
import type { LogStream } from '../core/log-stream.js';
import type { ContextRef } from '../git/context-url.js';
import type { Provisioner } from '../provision/apply.js';
import { planProvision, type SnapshotTarget } from '../provision/plan.js';
import type { WorkspaceRecord } from '../store/workspaces.js';
import type { PhaseApplier, PrebuildChoiceForStart, WorkspaceDeps, WorkspaceProvision } from './deps.js';

export interface PrebuildStartContext {
  deps: WorkspaceDeps;
  apply: PhaseApplier;
  provisioner: Provisioner;
  /** Runs a provision plan for this workspace (startup.ts): steps timed into the record. */
  provision: WorkspaceProvision;
}

/** Returns false (nothing done) when the snapshot image is gone: the caller starts cold. */
export async function startFromPrebuild(
  ctx: PrebuildStartContext,
  record: WorkspaceRecord,
  context: ContextRef,
  choice: PrebuildChoiceForStart,
  log: LogStream,
): Promise<boolean> {
  const { deps, apply, provisioner } = ctx;
  const prebuild = choice.prebuild!;
  if (!(await deps.runtime.imageExists(prebuild.imageRef))) {
    log.line(`The snapshot ${prebuild.imageRef} of prebuild ${prebuild.id} is gone: starting without it`);
    record.prebuild = { id: null, commit: null, reason: `none: the snapshot of prebuild ${prebuild.id} was removed` };
    return false;
  }
  const incremental = choice.kind === 'incremental';
  record.spec = await provisioner.resolveSpec(record.spec!, prebuild.imageRef);
  log.line(`Starting from prebuild ${prebuild.id} (${choice.reason}): ${prebuild.imageRef}`);
  record.imageRef = prebuild.imageRef;
  record.timings.image = 0;
  apply(record, { type: 'image-ready' });

  const target: SnapshotTarget = {
    kind: 'from-snapshot',
    id: record.id,
    ownerId: record.ownerId,
    contextUrl: record.contextUrl,
    snapshot: prebuild,
    incremental,
    removedFiles: choice.removedFiles ?? [],
    repo: { repoUrl: context.repoUrl, repoName: record.repoName, commit: record.commit!, branch: record.branch },
  };
  const plan = planProvision(record.spec, target, deps.config);
  // An exact snapshot holds this commit's checkout: no checkout step, none timed.
  if (!plan.steps.some((s) => s.kind === 'checkout')) record.timings.checkout = 0;
  await ctx.provision(record, log, plan, {
    preambles: choice.preambles,
    beforeTerminals() {
      record.createdOnce = true;
      record.startedFrom = incremental ? 'incremental' : 'prebuild';
      record.prebuild = { id: prebuild.id, commit: prebuild.commit, reason: choice.reason };
    },
  });
  apply(record, { type: 'container-running' });
  return true;
}
