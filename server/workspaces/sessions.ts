/**
 * Opens the terminals of a running workspace: one per `.gitpod.yml` task
 * (before → init → command, then an interactive shell), the devcontainer
 * postStart terminal, and plain shells on request.
 */
import { newId } from '../core/ids.js';
import type { WorkspaceRecord } from '../store/workspaces.js';
import type { Terminal } from '../terminals/terminal.js';
import type { ContainerOps } from './container-ops.js';
import { SLIPWAY_DIR } from './container-ops.js';
import type { WorkspaceDeps } from './deps.js';
import { lifecycleToShell, shellRcScript, taskRcScript, workspacePaths } from './scripts.js';

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

  async function open(record: WorkspaceRecord, live: LiveContext, terminal: { name: string; kind: 'task' | 'shell'; taskIndex: number | null; rc: string; preamble?: Buffer }): Promise<Terminal> {
    const id = newId('t');
    const rcPath = `${SLIPWAY_DIR}/tasks/${id}.rc`;
    await ops.writeScripts(record.containerId!, [{ name: `${id}.rc`, content: terminal.rc }]);
    const { cmd, env } = ops.interactiveShell(live.shell, rcPath);
    // The rc file changes into the work folder; as WorkingDir a missing folder would fail the exec.
    const session = await runtime.openTty(record.containerId!, { cmd, env, user: live.user, workdir: '/', cols: 120, rows: 32 });
    return terminals.add(
      { id, workspaceId: record.id, name: terminal.name, kind: terminal.kind, taskIndex: terminal.taskIndex },
      session,
      { onActivity: () => touch(record.id), ...(terminal.preamble ? { preamble: terminal.preamble } : {}) },
    );
  }

  return {
    /** Task terminals for a start; `runInit` only when no prebuild did it and it never ran here. */
    async openStartTerminals(record: WorkspaceRecord, live: LiveContext, options: { runInit: boolean; preambles?: (Buffer | null)[] }): Promise<void> {
      const spec = record.spec!;
      const { workdir } = workspacePaths(spec, record.repoName);
      if (spec.tasks.length > 0) {
        for (const [index, task] of spec.tasks.entries()) {
          const name = task.name ?? `Task ${index + 1}`;
          const preamble = options.preambles?.[index] ?? undefined;
          await open(record, live, {
            name,
            kind: 'task',
            taskIndex: index,
            rc: taskRcScript({ task, runInit: options.runInit, workdir, title: name }),
            ...(preamble ? { preamble } : {}),
          });
        }
        return;
      }
      await open(record, live, { name: 'Terminal', kind: 'shell', taskIndex: null, rc: shellRcScript({ workdir, postAttach: lifecycleToShell(spec.lifecycle.postAttach) }) });
      const postStart = lifecycleToShell(spec.lifecycle.postStart);
      if (postStart) {
        await open(record, live, {
          name: 'postStartCommand',
          kind: 'task',
          taskIndex: 0,
          rc: taskRcScript({ task: { name: 'postStartCommand', before: null, init: null, command: postStart, env: {} }, runInit: false, workdir, title: 'postStartCommand' }),
        });
      }
    },

    async openShell(record: WorkspaceRecord, live: LiveContext): Promise<Terminal> {
      const spec = record.spec!;
      const { workdir } = workspacePaths(spec, record.repoName);
      const count = terminals.list(record.id).filter((t) => t.kind === 'shell').length;
      return open(record, live, { name: `Terminal ${count + 1}`, kind: 'shell', taskIndex: null, rc: shellRcScript({ workdir, postAttach: lifecycleToShell(spec.lifecycle.postAttach) }) });
    },

    forget(workspaceId: string) {
      activityThrottle.delete(workspaceId);
      if (activityThrottle.size > 10_000) activityThrottle = new Map();
    },
  };
}

export type SessionOpener = ReturnType<typeof createSessionOpener>;
