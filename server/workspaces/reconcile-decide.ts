/**
 * What the reconciler (reconciler.ts) does about one workspace, decided
 * without I/O from the stored record and what the engine reports (DESIGN
 * §5): a container gone → failed; stopped behind our back → stopped;
 * started behind our back → adopted as running; work cut off by a server
 * restart → resolved; on the legacy shared network → moved. Also which
 * labelled containers are orphans and when a workspace is idle. Table-tested
 * in test/unit/workspaces/reconcile-decide.test.ts.
 */
import type { Phase } from './phase-machine.js';
import { isBusy } from './phase-machine.js';

/** The part of a workspace record the decisions read. */
export interface RecordView {
  status: Phase;
  containerId: string | null;
}

/** The part of the engine's view of a container the decisions read (runtime ContainerInfo). */
export interface ContainerView {
  running: boolean;
  exitCode: number | null;
  /** On its own network, not on the legacy shared one. */
  isolated: boolean;
}

export type ReconcileAction =
  /** A stop was cut off: stop the container and finish the stop. */
  | { kind: 'finish-stop' }
  /** Other work (a start) was cut off: the workspace fails with this reason. */
  | { kind: 'fail'; reason: string }
  /** The container was removed outside Slipway: the phase machine's `container-gone`. */
  | { kind: 'container-gone' }
  /** A failed workspace whose container is gone: forget the id, no phase change. */
  | { kind: 'forget-container' }
  /** Made by an older version on the shared network: move it to a network of its own. */
  | { kind: 'isolate' }
  /** Stopped outside Slipway (OOM, docker stop, engine restart): `container-stopped` with this reason. */
  | { kind: 'mark-stopped'; reason: string }
  /** Started outside Slipway (docker start): adopted as running. */
  | { kind: 'adopt'; reason: string };

/** Whether a decision needs the engine's view of the container (an inspect): only for a record at rest with a container. */
export function needsEngine(record: RecordView): boolean {
  return !isBusy(record.status) && record.containerId !== null;
}

/**
 * The actions for one workspace, in order. `container` is the engine's view
 * (null: no such container); it is read only when `needsEngine(record)`.
 * A record under a running operation is never passed here (that operation
 * owns it), so a busy record means its work was cut off by a restart.
 */
export function decide(record: RecordView, container: ContainerView | null): ReconcileAction[] {
  if (isBusy(record.status)) {
    if (record.status === 'stopping' && record.containerId) return [{ kind: 'finish-stop' }];
    return [{ kind: 'fail', reason: `the server restarted while the workspace was ${record.status}` }];
  }
  if (!record.containerId) return [];
  if (!container) return [record.status === 'failed' ? { kind: 'forget-container' } : { kind: 'container-gone' }];
  const actions: ReconcileAction[] = [];
  if (!container.isolated) actions.push({ kind: 'isolate' });
  if (!container.running && record.status === 'running') {
    actions.push({ kind: 'mark-stopped', reason: `the container stopped outside Slipway (exit code ${container.exitCode})` });
  } else if (container.running && record.status === 'stopped') {
    actions.push({ kind: 'adopt', reason: 'the container was started outside Slipway' });
  }
  return actions;
}

/** Containers labelled as this server's workspaces that no record knows: reported, never removed. */
export function findOrphans(known: Set<string>, containers: { id: string; labels: Record<string, string> }[]): string[] {
  return containers.filter((c) => !known.has(c.labels['slipway.workspace'] ?? '')).map((c) => c.id);
}

/**
 * Idle: a running workspace with a client attached is active (its activity
 * time is refreshed); without one it stops once nothing touched it for the
 * timeout (0: never).
 */
export function idleDecision(input: {
  status: Phase;
  clients: number;
  lastActivityAt: string;
  now: number;
  idleTimeoutMs: number;
}): { kind: 'none' } | { kind: 'touch' } | { kind: 'stop'; idleMs: number } {
  if (input.idleTimeoutMs <= 0 || input.status !== 'running') return { kind: 'none' };
  if (input.clients > 0) return { kind: 'touch' };
  const idleMs = input.now - Date.parse(input.lastActivityAt);
  return idleMs >= input.idleTimeoutMs ? { kind: 'stop', idleMs } : { kind: 'none' };
}
