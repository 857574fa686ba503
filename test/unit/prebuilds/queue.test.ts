import { describe, expect, it } from 'vitest';
import { createPrebuildQueue, planEnqueue, type QueueJob } from '../../../server/prebuilds/queue.js';

const job = (id: string, commit: string, branch: string | null = 'main', projectId = 'p1'): QueueJob => ({ id, projectId, branch, commit });

describe('planEnqueue', () => {
  it('deduplicates per (project, commit), against queued and running jobs', () => {
    expect(planEnqueue([job('a', 'c1')], [], job('b', 'c1')).duplicateOf).toBe('a');
    expect(planEnqueue([], [job('r', 'c1')], job('b', 'c1')).duplicateOf).toBe('r');
    expect(planEnqueue([job('a', 'c1', 'main', 'p2')], [], job('b', 'c1')).duplicateOf).toBeNull();
  });
  it('supersedes queued older commits of the same project and branch, never running ones', () => {
    const plan = planEnqueue([job('a', 'c1'), job('x', 'c9', 'dev'), job('y', 'c8', 'main', 'p2')], [job('r', 'c0')], job('b', 'c2'));
    expect(plan).toEqual({ duplicateOf: null, supersede: ['a'] });
  });
  it('never supersedes for a job without a branch', () => {
    expect(planEnqueue([job('a', 'c1', null)], [], job('b', 'c2', null)).supersede).toEqual([]);
  });
});

function controllable() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const signals = new Map<string, AbortSignal>();
  const dropped: [string, string][] = [];
  const queue = createPrebuildQueue({
    concurrency: 1,
    run: (j, signal) => {
      started.push(j.id);
      signals.set(j.id, signal);
      return new Promise<void>((resolve) => {
        finish.set(j.id, resolve);
        signal.addEventListener('abort', () => resolve());
      });
    },
    onDropped: (j, reason) => dropped.push([j.id, reason]),
  });
  return { queue, started, finish, signals, dropped };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('createPrebuildQueue', () => {
  it('runs one at a time, a newer push cancels the queued older one, and the running one continues', async () => {
    const { queue, started, finish, dropped } = controllable();
    queue.enqueue(job('a', 'c1'));
    await tick();
    queue.enqueue(job('b', 'c2'));
    queue.enqueue(job('c', 'c3'));
    await tick();
    expect(started).toEqual(['a']);
    expect(dropped.map((d) => d[0])).toEqual(['b']);
    expect(dropped[0]![1]).toMatch(/superseded/);
    finish.get('a')!();
    await tick();
    expect(started).toEqual(['a', 'c']);
    finish.get('c')!();
    await queue.idle();
  });

  it('cancels a running job through its signal and a queued one by removal', async () => {
    const { queue, started, signals, dropped } = controllable();
    queue.enqueue(job('a', 'c1'));
    queue.enqueue(job('b', 'c2', 'dev'));
    await tick();
    expect(queue.cancel('b', 'by hand')).toBe('queued');
    expect(dropped).toEqual([['b', 'by hand']]);
    expect(queue.cancel('a', 'stop it')).toBe('running');
    expect(signals.get('a')!.aborted).toBe(true);
    expect((signals.get('a')!.reason as Error).message).toBe('stop it');
    await queue.idle();
    expect(queue.cancel('a', 'again')).toBeNull();
    expect(started).toEqual(['a']);
  });

  it('aborts a job that runs past its timeout', async () => {
    let reason = '';
    const queue = createPrebuildQueue({
      concurrency: 2,
      timeoutMs: 20,
      run: (_j, signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => ((reason = (signal.reason as Error).message), resolve()))),
      onDropped: () => {},
    });
    queue.enqueue(job('a', 'c1'));
    await queue.idle();
    expect(reason).toMatch(/timed out/);
  });

  it('honours the concurrency', async () => {
    let active = 0;
    let peak = 0;
    const queue = createPrebuildQueue({
      concurrency: 2,
      run: async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 10));
        active--;
      },
      onDropped: () => {},
    });
    for (let i = 0; i < 6; i++) queue.enqueue(job(`j${i}`, `c${i}`, `b${i}`));
    await queue.idle();
    expect(peak).toBe(2);
  });
});
