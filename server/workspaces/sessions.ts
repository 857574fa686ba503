/**
 * Opens the terminals of a running workspace: one per `.gitpod.yml` task
 * (before → init → command, then an interactive shell), the devcontainer
 * postStart terminal, and plain shells on request.
 */
import { newId } from '../core/ids.js';
import type { WorkspaceRecord } from '../store/workspaces.js';
import type { Terminal } from '../terminals/terminal.js';
import type { ContainerOps } from '../provision/container.js';
import { SLIPWAY_DIR } from '../provision/paths.js';
import { lifecycleToShell, shellRcScript, taskRcScript, workspacePaths } from '../provision/scripts.js';
import type { WorkspaceDeps } from './deps.js';

export interface LiveContext {
  shell: string;
  user: string;
}

export function createSessionOpener(deps: Pick<WorkspaceDeps, 'runtime' | 'terminals' | 'store'>, ops: ContainerOps) {
  const { runtime, terminals, store } = deps;
  let activityThrottle = new Map<string, number>();

  function touch(workspaceId: string) {
    // Terminal input arrives per keystroke: write the activity time at most every 10 s.
    const now = Date.now();
    if ((activityThrottle.get(workspaceId) ?? 0) + 10_000 > now) return;
    activityThrottle.set(workspaceId, now);
    store.touch(workspaceId);
  }

  interface TerminalPlan {
    name: string;
    kind: 'task' | 'shell';
    taskIndex: number | null;
    rc: string;
    preamble?: Buffer;
  }

  /** Writes every rc file in one archive, then opens the TTYs side by side (each exec costs ~100 ms). */
  async function openAll(record: WorkspaceRecord, live: LiveContext, plans: TerminalPlan[]): Promise<Terminal[]> {
    const planned = plans.map((plan) => ({ ...plan, id: newId('t') }));
    await ops.writeScripts(
      record.containerId!,
      planned.map((p) => ({ name: `${p.id}.rc`, content: p.rc })),
    );
    const sessions = await Promise.all(
      planned.map((p) => {
        const { cmd, env } = ops.interactiveShell(live.shell, `${SLIPWAY_DIR}/tasks/${p.id}.rc`);
        // The rc file changes into the work folder; as WorkingDir a missing folder would fail the exec.
        return runtime.openTty(record.containerId!, { cmd, env, user: live.user, workdir: '/', cols: 120, rows: 32 });
      }),
    );
    return planned.map((p, index) =>
      terminals.add({ id: p.id, workspaceId: record.id, name: p.name, kind: p.kind, taskIndex: p.taskIndex }, sessions[index]!, {
        onActivity: () => touch(record.id),
        ...(p.preamble ? { preamble: p.preamble } : {}),
      }),
    );
  }

  /** What a shell says first when a lifecycle command failed (the way to repair it), else null. */
  function lifecycleNotice(record: WorkspaceRecord): string | null {
    const failed = record.lifecycle?.failed;
    return failed
      ? `${failed.command} failed with exit code ${failed.exitCode}; the later lifecycle commands were skipped. Fix it here and run it again.`
      : null;
  }

  return {
    /** Task terminals for a start; `runInit` only when no prebuild did it and it never ran here. */
    async openStartTerminals(record: WorkspaceRecord, live: LiveContext, options: { runInit: boolean; preambles?: (Buffer | null)[] }): Promise<void> {
      const spec = record.spec!;
      const { workdir } = workspacePaths(spec, record.repoName);
      const failed = lifecycleNotice(record);
      // After a failed lifecycle command the later ones are skipped, as the reference CLI does.
      const postAttach = failed ? null : lifecycleToShell(spec.lifecycle.postAttach);
      if (spec.tasks.length > 0) {
        await openAll(
          record,
          live,
          spec.tasks.map((task, index) => {
            const name = task.name ?? `Task ${index + 1}`;
            const preamble = options.preambles?.[index] ?? undefined;
            return {
              name,
              kind: 'task' as const,
              taskIndex: index,
              rc: taskRcScript({ task, runInit: options.runInit, workdir, title: name }),
              ...(preamble ? { preamble } : {}),
            };
          }),
        );
        return;
      }
      const plans: TerminalPlan[] = [{ name: 'Terminal', kind: 'shell', taskIndex: null, rc: shellRcScript({ workdir, postAttach, notice: failed }) }];
      const postStart = failed ? null : lifecycleToShell(spec.lifecycle.postStart);
      if (postStart) {
        plans.push({
          name: 'postStartCommand',
          kind: 'task',
          taskIndex: 0,
          rc: taskRcScript({
            task: { name: 'postStartCommand', before: null, init: null, command: postStart, env: {} },
            runInit: false,
            workdir,
            title: 'postStartCommand',
          }),
        });
      }
      await openAll(record, live, plans);
    },

    async openShell(record: WorkspaceRecord, live: LiveContext): Promise<Terminal> {
      const spec = record.spec!;
      const { workdir } = workspacePaths(spec, record.repoName);
      const count = terminals.list(record.id).filter((t) => t.kind === 'shell').length;
      const [terminal] = await openAll(record, live, [
        {
          name: `Terminal ${count + 1}`,
          kind: 'shell',
          taskIndex: null,
          rc: shellRcScript({
            workdir,
            postAttach: lifecycleNotice(record) ? null : lifecycleToShell(spec.lifecycle.postAttach),
            notice: lifecycleNotice(record),
          }),
        },
      ]);
      return terminal!;
    },

    forget(workspaceId: string) {
      activityThrottle.delete(workspaceId);
      if (activityThrottle.size > 10_000) activityThrottle = new Map();
    },
  };
}

export type SessionOpener = ReturnType<typeof createSessionOpener>;
