/**
 * What provisioning a container does, decided without I/O: from a resolved
 * spec and a target (a cold workspace, a workspace from a prebuild snapshot,
 * a prebuild), the container's create options, the root prep, and the
 * ordered steps (container, checkout, git config, headless scripts,
 * terminals). apply.ts walks these steps through the runtime; the order and
 * content are unit-tested here (test/unit/provision/plan.test.ts).
 */
import path from 'node:path';
import type { WorkspaceSpec } from '../definition/model.js';
import type { ContainerSpec } from '../runtime/docker.js';
import { EXTRA_CA_PATH } from './paths.js';
import { headlessScript, lifecycleToShell, workspaceEnv, workspacePaths } from './scripts.js';

/** The part of the server's configuration provisioning reads. */
export interface ProvisionConfig {
  publicUrl: string;
  /** SLIPWAY_EXTRA_CA_CERTS: a PEM bundle, or null. */
  extraCaCerts: string | null;
  limits: ContainerSpec['limits'];
}

/** A repository at a commit: what is checked out. */
export interface RepoAt {
  repoUrl: string;
  repoName: string;
  commit: string;
  branch: string | null;
}

/** A new workspace with no prebuild: its image, a fresh checkout, the definition's setup. */
export interface WorkspaceTarget {
  kind: 'workspace';
  id: string;
  ownerId: string;
  contextUrl: string;
  image: string;
  repo: RepoAt;
}

/** A new workspace from a prebuild snapshot, of this commit (exact) or an ancestor (incremental). */
export interface SnapshotTarget {
  kind: 'from-snapshot';
  id: string;
  ownerId: string;
  contextUrl: string;
  snapshot: { id: string; commit: string; imageRef: string };
  incremental: boolean;
  /** Incremental only: tracked files of the snapshot's commit that this commit no longer has. */
  removedFiles: string[];
  repo: RepoAt;
}

/** The headless container of a prebuild, committed as a snapshot afterwards. */
export interface PrebuildTarget {
  kind: 'prebuild';
  id: string;
  projectId: string;
  image: string;
  repo: RepoAt;
}

export type ProvisionTarget = WorkspaceTarget | SnapshotTarget | PrebuildTarget;

export type ProvisionStep =
  /** Create and start the container, find its user, run the root prep. */
  | { kind: 'container'; name: 'container'; title: string }
  /**
   * `clone`: a fresh working tree copied in (`early`: cloned on the host while the container is made).
   * `forward`: the snapshot's checkout brought to this commit (deleted files removed, tracked files copied over).
   */
  | { kind: 'checkout'; name: 'checkout'; title: string; how: 'clone' | 'forward'; path: string; removedFiles: string[]; early: boolean; parentReady: boolean }
  | { kind: 'git-config'; script: string }
  /** One headless script as the workspace user; `taskIndex` for a prebuild's logged task. */
  | { kind: 'headless'; name: string; title: string; label: string; script: string; taskIndex: number | null }
  /** The task terminals; `runInit` when no prebuild ran `init` for this content. */
  | { kind: 'terminals'; name: 'tasks'; title: string; runInit: boolean };

export interface ProvisionPlan {
  target: ProvisionTarget;
  container: ContainerSpec;
  /** Root prep at every start: folders (plus `dirs`), the extra CA bundle, the shell. */
  prep: { extraCaCerts: string | null; dirs: string[] };
  checkout: string;
  workdir: string;
  /** Prefix of the host scratch folder a clone is made in. */
  scratchPrefix: string;
  steps: ProvisionStep[];
}

/** The image a target runs. */
export function targetImage(target: ProvisionTarget): string {
  return target.kind === 'from-snapshot' ? target.snapshot.imageRef : target.image;
}

/** The container's create options: name, image, labels, env, limits (its network is its own, made by the runtime from the name). */
export function planContainer(spec: WorkspaceSpec, target: ProvisionTarget, config: ProvisionConfig): ContainerSpec {
  const { checkout } = workspacePaths(spec, target.repo.repoName);
  const extraCaPath = config.extraCaCerts ? EXTRA_CA_PATH : null;
  const common = { repoUrl: target.repo.repoUrl, repoRoot: checkout, commit: target.repo.commit, branch: target.repo.branch, spec, extraCaPath };
  if (target.kind === 'prebuild') {
    return {
      name: `slipway-prebuild-${target.id}`,
      image: target.image,
      hostname: target.id,
      labels: { 'slipway.kind': 'prebuild-build', 'slipway.prebuild': target.id, 'slipway.project': target.projectId },
      // A prebuild has no workspace URL: its own API address stands in.
      env: workspaceEnv({ ...common, workspaceId: target.id, workspaceUrl: `${config.publicUrl}/api/prebuilds/${target.id}`, contextUrl: target.repo.repoUrl }),
      limits: config.limits,
    };
  }
  return {
    name: `slipway-${target.id}`,
    image: targetImage(target),
    hostname: target.id,
    labels: {
      'slipway.workspace': target.id,
      'slipway.owner': target.ownerId,
      'slipway.repo': target.repo.repoUrl,
      'slipway.commit': target.repo.commit,
      'slipway.kind': 'workspace',
    },
    env: workspaceEnv({ ...common, workspaceId: target.id, workspaceUrl: workspaceUrl(config, target.id), contextUrl: target.contextUrl }),
    limits: config.limits,
  };
}

export function workspaceUrl(config: Pick<ProvisionConfig, 'publicUrl'>, id: string): string {
  return `${config.publicUrl}/w/${id}`;
}

/** The headless steps of a prebuild, one entry per logged task (`.gitpod.yml` before + init; devcontainer onCreate + updateContent). */
export function prebuildTasks(spec: WorkspaceSpec): { name: string; steps: { name: string; script: string | null }[]; env: Record<string, string> }[] {
  if (spec.tasks.length > 0) {
    return spec.tasks.map((task, index) => {
      const name = task.name ?? `Task ${index + 1}`;
      return {
        name,
        steps: [
          { name: `${name}: before`, script: task.before },
          { name: `${name}: init`, script: task.init },
        ],
        env: task.env,
      };
    });
  }
  const steps = [
    { name: 'onCreateCommand', script: lifecycleToShell(spec.lifecycle.onCreate) },
    { name: 'updateContentCommand', script: lifecycleToShell(spec.lifecycle.updateContent) },
  ];
  return steps.some((s) => s.script) ? [{ name: 'devcontainer', steps, env: {} }] : [];
}

/** `git config --global` for the definition's gitConfig, or null. */
export function gitConfigScript(spec: WorkspaceSpec): string | null {
  const entries = Object.entries(spec.gitConfig);
  if (entries.length === 0) return null;
  return entries.map(([k, v]) => `git config --global ${JSON.stringify(k)} ${JSON.stringify(v)}`).join(' && ');
}

/**
 * The scripts a target runs after its checkout, in order (DESIGN §3):
 * cold start onCreate, updateContent, postCreate; from an exact snapshot
 * postCreate only (the prebuild ran the rest, postCreate is once per
 * workspace); from an ancestor's snapshot updateContent again, then
 * postCreate; a prebuild each task's before + init (devcontainer onCreate,
 * updateContent), one logged step per task, never postCreate.
 */
export function planScripts(spec: WorkspaceSpec, target: ProvisionTarget): ProvisionStep[] {
  const { workdir } = workspacePaths(spec, target.repo.repoName);
  const steps: ProvisionStep[] = [];
  const git = gitConfigScript(spec);
  // A snapshot holds the prebuild's global git config already.
  if (git && target.kind !== 'from-snapshot') steps.push({ kind: 'git-config', script: git });
  if (target.kind === 'prebuild') {
    for (const [index, task] of prebuildTasks(spec).entries()) {
      const script = headlessScript(task.steps, workdir, task.env);
      if (script)
        steps.push({ kind: 'headless', name: `task-${index}`, title: `Task ${task.name}: before and init`, label: task.name, script, taskIndex: index });
    }
    return steps;
  }
  const { lifecycle } = spec;
  const run =
    target.kind === 'workspace'
      ? {
          title: 'Running onCreate, updateContent and postCreate',
          names: [
            ['onCreateCommand', lifecycle.onCreate],
            ['updateContentCommand', lifecycle.updateContent],
            ['postCreateCommand', lifecycle.postCreate],
          ] as const,
        }
      : target.incremental
        ? {
            title: 'Running updateContent and postCreate',
            names: [
              ['updateContentCommand', lifecycle.updateContent],
              ['postCreateCommand', lifecycle.postCreate],
            ] as const,
          }
        : { title: 'Running postCreate', names: [['postCreateCommand', lifecycle.postCreate]] as const };
  const script = headlessScript(
    run.names.map(([name, command]) => ({ name, script: lifecycleToShell(command) })),
    workdir,
  );
  if (script) steps.push({ kind: 'headless', name: 'lifecycle', title: run.title, label: 'lifecycle', script, taskIndex: null });
  return steps;
}

/** The whole provisioning of a target, in the order apply.ts runs it. */
export function planProvision(spec: WorkspaceSpec, target: ProvisionTarget, config: ProvisionConfig): ProvisionPlan {
  const { checkout, workdir } = workspacePaths(spec, target.repo.repoName);
  const steps: ProvisionStep[] = [];
  const cold = target.kind === 'workspace';
  steps.push({
    kind: 'container',
    name: 'container',
    title: cold
      ? 'Creating the container'
      : target.kind === 'prebuild'
        ? 'Creating the prebuild container'
        : 'Creating the container from the prebuild snapshot',
  });
  if (target.kind !== 'from-snapshot') {
    // A cold start clones on the host while the container is made (its parent folder made by the prep).
    steps.push({
      kind: 'checkout',
      name: 'checkout',
      title: `Checking out into ${checkout}`,
      how: 'clone',
      path: checkout,
      removedFiles: [],
      early: cold,
      parentReady: cold,
    });
  } else if (target.incremental) {
    steps.push({
      kind: 'checkout',
      name: 'checkout',
      title: `Bringing the checkout forward from ${target.snapshot.commit.slice(0, 12)} to ${target.repo.commit.slice(0, 12)}`,
      how: 'forward',
      path: checkout,
      removedFiles: target.removedFiles,
      early: false,
      parentReady: false,
    });
  }
  steps.push(...planScripts(spec, target));
  if (target.kind !== 'prebuild') {
    const title =
      target.kind === 'workspace'
        ? 'Starting the task terminals'
        : target.incremental
          ? 'Starting the task terminals (init runs again on the snapshot)'
          : 'Starting the task terminals (init done by the prebuild)';
    // init runs where no prebuild ran it for this content: cold, and on top of an ancestor's snapshot.
    steps.push({ kind: 'terminals', name: 'tasks', title, runInit: target.kind === 'workspace' || target.incremental });
  }
  return {
    target,
    container: planContainer(spec, target, config),
    prep: { extraCaCerts: config.extraCaCerts, dirs: cold ? [path.posix.dirname(checkout)] : [] },
    checkout,
    workdir,
    scratchPrefix: target.kind === 'prebuild' ? `prebuild-${target.id}` : target.id,
    steps,
  };
}
