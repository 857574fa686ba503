/**
 * The workspace phase machine (DESIGN §5) as a pure function:
 * (state, event) → (state, effects). It decides what may happen and what must
 * be done; the workspace service performs the effects through the runtime and
 * records the result. No I/O here, so every transition is unit-tested.
 */

export type Phase = 'pending' | 'building' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed' | 'deleted';

export interface PhaseState {
  phase: Phase;
  reason: string | null;
  /** Whether a container exists for this workspace (decides what stop/start/delete must do). */
  hasContainer: boolean;
}

export type PhaseEvent =
  | { type: 'prepare' }
  | { type: 'image-ready' }
  | { type: 'container-created' }
  | { type: 'container-running' }
  | { type: 'stop'; reason: string }
  | { type: 'container-stopped'; reason?: string }
  /** The stopped container was started outside Slipway (e.g. `docker start`): the reconciler adopts it. */
  | { type: 'container-started'; reason: string }
  | { type: 'start' }
  | { type: 'fail'; reason: string }
  | { type: 'container-gone' }
  | { type: 'delete' };

export type Effect = 'create-container' | 'start-container' | 'stop-container' | 'close-terminals' | 'remove-container';

export type Transition = { ok: true; state: PhaseState; effects: Effect[] } | { ok: false; error: string };

function to(state: PhaseState, phase: Phase, reason: string | null, effects: Effect[] = [], hasContainer = state.hasContainer): Transition {
  return { ok: true, state: { phase, reason, hasContainer }, effects };
}

function refuse(state: PhaseState, event: PhaseEvent): Transition {
  return { ok: false, error: `cannot ${event.type} a workspace that is ${state.phase}` };
}

export function transition(state: PhaseState, event: PhaseEvent): Transition {
  const { phase } = state;
  if (phase === 'deleted') return refuse(state, event);
  switch (event.type) {
    case 'prepare':
      return phase === 'pending' ? to(state, 'building', null) : refuse(state, event);
    case 'image-ready':
      return phase === 'building' || phase === 'pending' ? to(state, 'starting', null, ['create-container']) : refuse(state, event);
    case 'container-created':
      return phase === 'starting' ? to(state, 'starting', null, [], true) : refuse(state, event);
    case 'container-running':
      // Reported once the task terminals are open, so that a client that sees
      // `running` can attach to them at once.
      return phase === 'starting' ? to(state, 'running', null) : refuse(state, event);
    case 'stop':
      if (phase === 'stopped' || phase === 'stopping') return to(state, phase, state.reason);
      if (phase === 'running' || phase === 'starting') return to(state, 'stopping', event.reason, ['close-terminals', 'stop-container']);
      return refuse(state, event);
    case 'container-stopped':
      if (phase === 'stopping') return to(state, 'stopped', state.reason);
      // Stopped behind our back (OOM, docker stop, engine restart).
      if (phase === 'running' || phase === 'starting') {
        return to(state, 'stopped', event.reason ?? 'the container stopped outside Slipway', ['close-terminals']);
      }
      return phase === 'stopped' ? to(state, 'stopped', state.reason) : refuse(state, event);
    case 'container-started':
      return phase === 'stopped' && state.hasContainer ? to(state, 'running', event.reason) : refuse(state, event);
    case 'start':
      if (phase === 'running' || phase === 'starting') return to(state, phase, null);
      if ((phase === 'stopped' || phase === 'failed') && state.hasContainer) return to(state, 'starting', null, ['start-container']);
      return refuse(state, event);
    case 'fail':
      // A failure before the container ran fully leaves nothing half-made behind.
      if (phase === 'failed') return to(state, 'failed', state.reason);
      if (phase === 'running' || phase === 'stopped' || phase === 'stopping') {
        return to(state, 'failed', event.reason, ['close-terminals']);
      }
      return to(state, 'failed', event.reason, state.hasContainer ? ['close-terminals', 'remove-container'] : [], false);
    case 'container-gone':
      return to(
        state,
        phase === 'pending' || phase === 'building' ? phase : 'failed',
        phase === 'pending' || phase === 'building' ? state.reason : 'the container was removed outside Slipway',
        phase === 'pending' || phase === 'building' ? [] : ['close-terminals'],
        false,
      );
    case 'delete':
      return to(state, 'deleted', null, state.hasContainer ? ['close-terminals', 'remove-container'] : [], false);
  }
}

/** Phases in which the workspace is doing something and a second action must wait. */
export function isBusy(phase: Phase): boolean {
  return phase === 'pending' || phase === 'building' || phase === 'starting' || phase === 'stopping';
}
