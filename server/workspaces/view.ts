/**
 * The API form of a workspace (DESIGN §7). One function, so the HTTP layer,
 * the web UI's types and the tests agree on one shape.
 */
import type { Config } from '../config/config.js';
import type { LifecycleCommand, TaskSpec } from '../definition/model.js';
import { printable } from '../core/printable.js';
import type { WorkspaceRecord } from '../store/workspaces.js';
import type { TerminalInfo } from '../terminals/terminal.js';

export interface ApiPort {
  port: number;
  endPort: number | null;
  url: string;
  subdomainUrl: string | null;
  visibility: 'private' | 'public';
  name: string | null;
  description: string | null;
  onOpen: string;
  protocol: string;
  declared: boolean;
}

export interface ApiTask {
  name: string;
  terminalId: string | null;
  state: 'running' | 'exited' | 'not-started';
  exitCode: number | null;
  /** What the task runs (its `command`, else `init`, else `before`), so a failure can name it. */
  command: string | null;
}

export interface ApiWorkspace {
  id: string;
  owner: string;
  contextUrl: string;
  repoUrl: string;
  repoName: string;
  branch: string | null;
  commit: string | null;
  status: WorkspaceRecord['status'];
  statusReason: string | null;
  phases: WorkspaceRecord['phases'];
  url: string;
  image: string | null;
  definitionFile: string | null;
  startedFrom: WorkspaceRecord['startedFrom'];
  prebuildId: string | null;
  prebuild: WorkspaceRecord['prebuild'];
  /** `failed`: the devcontainer lifecycle command that failed and its exit code; the workspace runs on (issue 13). */
  lifecycle: { failed: { command: string; exitCode: number; at: string } | null };
  tasks: ApiTask[];
  terminals: TerminalInfo[];
  ports: ApiPort[];
  timings: Record<string, number>;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
}

export function portUrls(config: Pick<Config, 'publicUrl' | 'domain'>, workspaceId: string, port: number): { url: string; subdomainUrl: string | null } {
  const url = `${config.publicUrl}/ports/${workspaceId}/${port}/`;
  if (!config.domain) return { url, subdomainUrl: null };
  const scheme = new URL(config.publicUrl).protocol;
  return { url, subdomainUrl: `${scheme}//${port}-${workspaceId}.${config.domain}/` };
}

/** The step a task's terminal ends in: a failure is most likely there. One line, printable. */
function taskCommand(task: Pick<TaskSpec, 'command' | 'init' | 'before'>): string | null {
  const script = [task.command, task.init, task.before].find((s) => s !== null && s.trim() !== '');
  return script ? printable(script.trim()) : null;
}

/** A lifecycle command as one readable line (named commands joined with `;`). */
function lifecycleText(command: LifecycleCommand | null): string | null {
  if (command === null) return null;
  if (typeof command === 'string') return command.trim() === '' ? null : printable(command.trim());
  if (Array.isArray(command)) return command.length === 0 ? null : printable(command.join(' '));
  const parts = Object.values(command).map((c) => (typeof c === 'string' ? c : c.join(' ')));
  return parts.length === 0 ? null : printable(parts.join('; '));
}

export function toApiWorkspace(
  record: WorkspaceRecord,
  terminals: TerminalInfo[],
  config: Pick<Config, 'publicUrl' | 'domain'>,
  detectedPorts: number[] = [],
): ApiWorkspace {
  const spec = record.spec;
  const taskTerminals = terminals.filter((t) => t.kind === 'task');
  const tasks: ApiTask[] = (spec?.tasks ?? []).map((task, index) => {
    const terminal = taskTerminals.find((t) => t.taskIndex === index);
    return {
      name: printable(task.name ?? `Task ${index + 1}`),
      terminalId: terminal?.id ?? null,
      state: terminal?.state ?? 'not-started',
      exitCode: terminal?.exitCode ?? null,
      command: taskCommand(task),
    };
  });
  if (spec && spec.tasks.length === 0) {
    const postStart = taskTerminals.find((t) => t.name === 'postStartCommand');
    if (postStart)
      tasks.push({
        name: printable(postStart.name),
        terminalId: postStart.id,
        state: postStart.state,
        exitCode: postStart.exitCode,
        command: lifecycleText(spec.lifecycle.postStart),
      });
  }
  const ports: ApiPort[] = (spec?.ports ?? []).map((p) => ({
    port: p.port,
    endPort: p.endPort,
    ...portUrls(config, record.id, p.port),
    visibility: record.portVisibility[String(p.port)] ?? p.visibility,
    name: p.name === null ? null : printable(p.name),
    description: p.description === null ? null : printable(p.description),
    onOpen: p.onOpen,
    protocol: p.protocol,
    declared: true,
  }));
  const declared = (port: number) => ports.some((p) => port >= p.port && port <= (p.endPort ?? p.port));
  for (const port of detectedPorts) {
    if (declared(port)) continue;
    ports.push({
      port,
      endPort: null,
      ...portUrls(config, record.id, port),
      visibility: record.portVisibility[String(port)] ?? 'private',
      name: null,
      description: null,
      onOpen: 'notify',
      protocol: 'http',
      declared: false,
    });
  }
  return {
    id: record.id,
    owner: record.ownerId,
    contextUrl: record.contextUrl,
    repoUrl: record.repoUrl,
    repoName: record.repoName,
    branch: record.branch,
    commit: record.commit,
    status: record.status,
    statusReason: record.statusReason === null ? null : printable(record.statusReason, { multiline: true }),
    phases: record.phases,
    url: `${config.publicUrl}/w/${record.id}`,
    image: record.imageRef,
    definitionFile: record.definitionFile,
    startedFrom: record.startedFrom,
    prebuildId: record.prebuild?.id ?? null,
    prebuild: record.prebuild,
    lifecycle: { failed: record.lifecycle?.failed ?? null },
    tasks,
    // Display names are printable; ids, URLs and branches stay raw (they round-trip), and the UI escapes them when it shows them.
    terminals: terminals.map((t) => ({ ...t, name: printable(t.name) })),
    ports,
    timings: record.timings,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    lastActivityAt: record.lastActivityAt,
  };
}
