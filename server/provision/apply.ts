/**
 * The thin part of provisioning: walks a plan (plan.ts) through the runtime,
 * step by step, in the plan's order. What a caller keeps for itself goes
 * through hooks: how a step is timed and logged (a workspace's timings, a
 * prebuild's cancel checks), what the container's creation means to its
 * record, how a headless script's output is logged and its exit code
 * judged, and how terminals open.
 */
import path from 'node:path';
import { resolveSpecContainerEnv } from '../definition/index.js';
import type { WorkspaceSpec } from '../definition/model.js';
import { createTar } from '../core/tar.js';
import type { Runtime } from '../runtime/docker.js';
import type { ContainerOps } from './container.js';
import { SLIPWAY_DIR } from './paths.js';
import { createRedactingWriter } from '../core/redact.js';
import type { ProvisionPlan, ProvisionStep, ProvisionTarget } from './plan.js';
import { shellQuote } from './scripts.js';

export type HeadlessStep = Extract<ProvisionStep, { kind: 'headless' }>;
export type TerminalsStep = Extract<ProvisionStep, { kind: 'terminals' }>;

/** What provisioning needs of git/: a working tree of a commit on the host. */
export interface ProvisionGit {
  createWorkingTree(repoUrl: string, commit: string, branch: string | null, destDir: string): Promise<unknown>;
}

export interface ProvisionHooks {
  /** Runs one named step of the plan (timing, the live log, cancel checks); `note` sums up its result. */
  step<T>(name: string, title: string, work: () => Promise<T>, note?: (result: T) => string): Promise<T>;
  /** The container exists and is not started yet: the caller records it (and may throw, e.g. on a cancel). */
  created(containerId: string): void;
  /** The container is prepared: the shell and user that run terminals and scripts. */
  prepared(live: { shell: string; user: string }): void;
  /** A headless script: `exec` runs it as the workspace user and resolves with its exit code; the caller logs, times and judges it. */
  headless(step: HeadlessStep, exec: (onOutput: (text: string) => void) => Promise<number>): Promise<void>;
  /** Opens the task terminals (a workspace only). */
  terminals(step: TerminalsStep, live: { shell: string; user: string }): Promise<void>;
}

export interface Provisioned {
  containerId: string;
  user: string;
  shell: string;
}

/**
 * The user's and project's environment variables for a target (projects/env-resolve.ts).
 * A workspace gets them in its container's environment (every task, shell and
 * terminal inherits it; a workspace is never committed to an image). A
 * prebuild's container is committed as a snapshot, whose Config.Env keeps the
 * create-time environment: there they go only to the exec'd scripts.
 */
export type TargetSecrets = (target: ProvisionTarget) => Record<string, string>;

export function createProvisioner(deps: { runtime: Runtime; git: ProvisionGit; ops: ContainerOps; secrets?: TargetSecrets | undefined }) {
  const { runtime, git, ops } = deps;

  /** A working tree of the plan's commit in a host scratch folder; `cloned` settles when it is there. */
  async function stage(plan: ProvisionPlan) {
    const scratch = await ops.scratch(plan.scratchPrefix);
    const { repo } = plan.target;
    const hostDir = path.join(scratch.dir, repo.repoName);
    const cloned = git.createWorkingTree(repo.repoUrl, repo.commit, repo.branch, hostDir);
    cloned.catch(() => {}); // awaited by the checkout step or the cleanup; never an unhandled rejection meanwhile
    return { hostDir, cloned, cleanup: scratch.cleanup };
  }

  /** Who runs the terminals and scripts: the definition's user, else the image's own user. */
  async function userOf(spec: WorkspaceSpec | null, containerId: string): Promise<string> {
    if (spec?.user) return spec.user;
    return (await runtime.inspectContainer(containerId))?.user ?? 'root';
  }

  return {
    /** The spec with `${containerEnv:...}` resolved against the image's own environment. */
    async resolveSpec(spec: WorkspaceSpec, image: string): Promise<WorkspaceSpec> {
      return resolveSpecContainerEnv(spec, await runtime.imageEnv(image));
    },

    userOf,

    /** Runs the plan's steps in order. A failure throws; the caller removes the container it was told of. */
    async run(spec: WorkspaceSpec, plan: ProvisionPlan, hooks: ProvisionHooks): Promise<Provisioned> {
      let containerId: string | null = null;
      let live = { shell: '/bin/sh', user: 'root' };
      const id = () => containerId!;
      const secrets = deps.secrets?.(plan.target) ?? {};
      const prebuild = plan.target.kind === 'prebuild';
      // The definition's own variables and Slipway's (SLIPWAY_*, GITPOD_*: reserved names) win over these.
      const container = prebuild ? plan.container : { ...plan.container, env: { ...secrets, ...plan.container.env } };
      const scriptEnv = prebuild && Object.keys(secrets).length > 0 ? secrets : undefined;
      // A cold start clones on the host while the container is made: the two do not need each other.
      const early = plan.steps.some((s) => s.kind === 'checkout' && s.early);
      let staged = early ? await stage(plan) : null;
      try {
        for (const step of plan.steps) {
          switch (step.kind) {
            case 'container':
              await hooks.step(step.name, step.title, async () => {
                containerId = await runtime.createContainer(container);
                hooks.created(containerId);
                await runtime.startContainer(containerId);
                const user = await userOf(spec, containerId);
                const { shell } = await ops.prepare(containerId, { ...plan.prep, user });
                live = { shell, user };
                hooks.prepared(live);
              });
              break;
            case 'checkout':
              await hooks.step(
                step.name,
                step.title,
                async () => {
                  if (step.how === 'forward' && step.removedFiles.length > 0) {
                    // NUL-separated through a file: any file name, any count, no shell quoting of names.
                    await runtime.putArchive(id(), SLIPWAY_DIR, createTar([{ name: 'removed.list', content: step.removedFiles.join('\0') + '\0' }]));
                    await ops.root(
                      id(),
                      `cd ${shellQuote(step.path)} && xargs -0 rm -f -- < ${SLIPWAY_DIR}/removed.list; rm -f ${SLIPWAY_DIR}/removed.list`,
                      'Removing files the commit deleted',
                    );
                  }
                  const tree = staged ?? (await stage(plan));
                  staged = tree;
                  try {
                    await tree.cloned;
                    await ops.copyCheckout(id(), tree.hostDir, step.path, live.user, { parentReady: step.parentReady });
                  } finally {
                    staged = null;
                    await tree.cleanup();
                  }
                },
                step.how === 'forward' ? () => `${step.removedFiles.length} deleted file(s) removed` : undefined,
              );
              break;
            case 'git-config':
              await runtime.exec(id(), { cmd: ['/bin/sh', '-c', step.script], user: live.user, env: scriptEnv });
              break;
            case 'headless':
              await hooks.headless(step, async (onOutput) => {
                // A task that prints a secret: the log shows [redacted] (core/redact.ts).
                const out = createRedactingWriter(Object.values(secrets), onOutput);
                try {
                  return await runtime.execStream(id(), { cmd: ['/bin/sh', '-c', step.script], user: live.user, env: scriptEnv }, (chunk) =>
                    out.write(chunk.toString('utf8')),
                  );
                } finally {
                  out.flush();
                }
              });
              break;
            case 'terminals':
              await hooks.step(step.name, step.title, () => hooks.terminals(step, live));
              break;
          }
        }
      } finally {
        if (staged) {
          await staged.cloned.catch(() => {});
          await staged.cleanup();
        }
      }
      return { containerId: id(), ...live };
    },
  };
}

export type Provisioner = ReturnType<typeof createProvisioner>;
