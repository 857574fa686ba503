/**
 * Words for what went wrong, shared by the dashboard and the workspace page:
 * a task's command with its exit code and what that code usually means, the
 * "running, 2 of 2 tasks failed" label, and a failed workspace's reason in one line.
 */
import type { ApiTask, ApiWorkspace } from './api-types.js';
import { printable } from './printable.js';

/** The shell's conventional exit codes; others are the program's own. */
const MEANING: Record<number, string> = {
  126: 'not executable',
  127: 'command not found',
  130: 'interrupted',
  137: 'killed (out of memory or SIGKILL)',
  143: 'terminated',
};

export function exitMeaning(code: number): string | null {
  return MEANING[code] ?? null;
}

/** Tasks whose terminal ended with a non-zero code. */
export function failedTasks(ws: Pick<ApiWorkspace, 'tasks'>): ApiTask[] {
  return ws.tasks.filter((t) => t.state === 'exited' && t.exitCode !== null && t.exitCode !== 0);
}

/** `npm install exited with 127: command not found`. */
export function exitText(command: string | null, code: number): string {
  const meaning = exitMeaning(code);
  return `${command === null ? 'the task' : command} exited with ${code}${meaning ? `: ${meaning}` : ''}`;
}

/** The status badge: "running, 2 of 2 tasks failed" when tasks failed; red when none is left running. */
export function statusLabel(ws: Pick<ApiWorkspace, 'status' | 'tasks'>): { label: string; bad: boolean } {
  const failed = failedTasks(ws).length;
  if (ws.status !== 'running' || failed === 0) return { label: ws.status, bad: false };
  const total = ws.tasks.length;
  return { label: `running, ${failed} of ${total} task${total === 1 ? '' : 's'} failed`, bad: failed === total };
}

/** Why it failed, in one line: the reason's first line, or the first failed task or lifecycle command. */
export function oneLineReason(ws: ApiWorkspace): string | null {
  if (ws.status === 'failed') {
    const first = (ws.statusReason ?? '').split('\n').find((l) => l.trim() !== '');
    return first ? printable(first.trim()) : 'No reason was recorded.';
  }
  if (ws.status !== 'running') return null;
  const task = failedTasks(ws)[0];
  if (task) return `${printable(task.name)}: ${exitText(task.command, task.exitCode!)}`;
  const lc = ws.lifecycle.failed;
  if (lc) return exitText(printable(lc.command), lc.exitCode);
  return null;
}
