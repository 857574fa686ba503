import { describe, expect, it } from 'vitest';
import { transition, type PhaseState, type PhaseEvent, type Phase } from '../../../server/workspaces/phase-machine.js';

const s = (phase: Phase, hasContainer = false, reason: string | null = null): PhaseState => ({ phase, hasContainer, reason });

describe('phase machine', () => {
  const allowed: [PhaseState, PhaseEvent, Phase, string[], boolean?][] = [
    [s('pending'), { type: 'prepare' }, 'building', []],
    [s('building'), { type: 'image-ready' }, 'starting', ['create-container']],
    [s('pending'), { type: 'image-ready' }, 'starting', ['create-container']],
    [s('starting'), { type: 'container-created' }, 'starting', [], true],
    [s('starting', true), { type: 'container-running' }, 'running', [], true],
    [s('running', true), { type: 'stop', reason: 'idle' }, 'stopping', ['close-terminals', 'stop-container'], true],
    [s('stopping', true), { type: 'container-stopped' }, 'stopped', [], true],
    [s('running', true), { type: 'container-stopped', reason: 'OOM' }, 'stopped', ['close-terminals'], true],
    [s('stopped', true), { type: 'start' }, 'starting', ['start-container'], true],
    [s('failed', true), { type: 'start' }, 'starting', ['start-container'], true],
    [s('building'), { type: 'fail', reason: 'build failed' }, 'failed', [], false],
    [s('starting', true), { type: 'fail', reason: 'clone failed' }, 'failed', ['close-terminals', 'remove-container'], false],
    [s('running', true), { type: 'fail', reason: 'x' }, 'failed', ['close-terminals'], true],
    [s('running', true), { type: 'container-gone' }, 'failed', ['close-terminals'], false],
    [s('stopped', true), { type: 'delete' }, 'deleted', ['close-terminals', 'remove-container'], false],
    [s('failed'), { type: 'delete' }, 'deleted', [], false],
    [s('stopped', true), { type: 'stop', reason: 'again' }, 'stopped', [], true],
    [s('running', true), { type: 'start' }, 'running', [], true],
    [s('stopped', true), { type: 'container-started', reason: 'the container was started outside Slipway' }, 'running', [], true],
  ];
  it.each(allowed)('%j + %j → %s', (state, event, phase, effects, hasContainer) => {
    const result = transition(state, event);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.state.phase).toBe(phase);
    expect(result.effects).toEqual(effects);
    if (hasContainer !== undefined) expect(result.state.hasContainer).toBe(hasContainer);
  });

  const refused: [PhaseState, PhaseEvent][] = [
    [s('running', true), { type: 'prepare' }],
    [s('stopped', true), { type: 'container-running' }],
    [s('stopped'), { type: 'start' }],
    [s('failed'), { type: 'start' }],
    [s('pending'), { type: 'stop', reason: 'x' }],
    [s('deleted'), { type: 'start' }],
    [s('deleted'), { type: 'delete' }],
    [s('running', true), { type: 'image-ready' }],
    [s('running', true), { type: 'container-started', reason: 'x' }],
    [s('stopped'), { type: 'container-started', reason: 'x' }],
    [s('failed', true), { type: 'container-started', reason: 'x' }],
  ];
  it.each(refused)('%j refuses %j', (state, event) => {
    const result = transition(state, event);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(event.type);
  });

  it('keeps the reason of a stop and of a failure', () => {
    const stopping = transition(s('running', true), { type: 'stop', reason: 'idle for 30 minutes' });
    expect(stopping.ok && stopping.state.reason).toBe('idle for 30 minutes');
    const failed = transition(s('building'), { type: 'fail', reason: 'image node:99 cannot be pulled' });
    expect(failed.ok && failed.state.reason).toBe('image node:99 cannot be pulled');
  });
});
