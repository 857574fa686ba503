/**
 * The reconciler's decisions (server/workspaces/reconcile-decide.ts), table by
 * table: store record × engine state → actions. The integration tests
 * (lifecycle, instances, networks) prove the actions are applied.
 */
import { describe, expect, it } from 'vitest';
import type { Phase } from '../../../server/workspaces/phase-machine.js';
import { decide, findOrphans, idleDecision, needsEngine, type ContainerView, type ReconcileAction } from '../../../server/workspaces/reconcile-decide.js';

const rec = (status: Phase, containerId: string | null = 'c1') => ({ status, containerId });
const up: ContainerView = { running: true, exitCode: null, isolated: true };
const down: ContainerView = { running: false, exitCode: 137, isolated: true };

describe('reconciler: what it does about a workspace', () => {
  const table: [string, ReturnType<typeof rec>, ContainerView | null, ReconcileAction[]][] = [
    // The container is gone.
    ['running, container gone → failed', rec('running'), null, [{ kind: 'container-gone' }]],
    ['stopped, container gone → failed', rec('stopped'), null, [{ kind: 'container-gone' }]],
    ['failed, container gone → only the id is forgotten', rec('failed'), null, [{ kind: 'forget-container' }]],
    // Stopped or started behind our back.
    [
      'running, container stopped → stopped with its exit code',
      rec('running'),
      down,
      [{ kind: 'mark-stopped', reason: 'the container stopped outside Slipway (exit code 137)' }],
    ],
    ['stopped, container running → adopted', rec('stopped'), up, [{ kind: 'adopt', reason: 'the container was started outside Slipway' }]],
    // In line: nothing to do.
    ['running, container running', rec('running'), up, []],
    ['stopped, container stopped', rec('stopped'), down, []],
    ['failed, container stopped (kept for a retry)', rec('failed'), down, []],
    ['failed, container running', rec('failed'), up, []],
    ['no container at all', rec('failed', null), null, []],
    // Work cut off by a server restart (no operation holds the record).
    ['stopping → the stop is finished', rec('stopping'), null, [{ kind: 'finish-stop' }]],
    ['stopping with no container → failed', rec('stopping', null), null, [{ kind: 'fail', reason: 'the server restarted while the workspace was stopping' }]],
    ['starting → failed', rec('starting'), up, [{ kind: 'fail', reason: 'the server restarted while the workspace was starting' }]],
    ['building → failed', rec('building', null), null, [{ kind: 'fail', reason: 'the server restarted while the workspace was building' }]],
    ['pending → failed', rec('pending', null), null, [{ kind: 'fail', reason: 'the server restarted while the workspace was pending' }]],
    // On the legacy shared network: moved, and judged as well.
    ['running on the shared network → moved', rec('running'), { ...up, isolated: false }, [{ kind: 'isolate' }]],
    [
      'running on the shared network, stopped → moved, then stopped',
      rec('running'),
      { ...down, isolated: false },
      [{ kind: 'isolate' }, { kind: 'mark-stopped', reason: 'the container stopped outside Slipway (exit code 137)' }],
    ],
    [
      'stopped on the shared network, started → moved, then adopted',
      rec('stopped'),
      { ...up, isolated: false },
      [{ kind: 'isolate' }, { kind: 'adopt', reason: 'the container was started outside Slipway' }],
    ],
  ];
  it.each(table)('%s', (_name, record, container, actions) => {
    expect(decide(record, container)).toEqual(actions);
  });

  it.each([
    [rec('running'), true],
    [rec('stopped'), true],
    [rec('failed'), true],
    [rec('failed', null), false],
    // A busy record is resolved from the store alone: no inspect.
    [rec('starting'), false],
    [rec('stopping'), false],
  ] as const)('needsEngine(%j) = %s', (record, expected) => {
    expect(needsEngine(record)).toBe(expected);
  });
});

describe('reconciler: orphans', () => {
  it('labelled workspace containers with no record are reported; known ones are not', () => {
    const containers: { id: string; labels: Record<string, string> }[] = [
      { id: 'a', labels: { 'slipway.workspace': 'w1' } },
      { id: 'b', labels: { 'slipway.workspace': 'w-gone' } },
      { id: 'c', labels: { 'slipway.workspace': '' } },
      { id: 'd', labels: {} },
    ];
    expect(findOrphans(new Set(['w1']), containers)).toEqual(['b', 'c', 'd']);
    expect(findOrphans(new Set(['w1', 'w-gone']), containers.slice(0, 2))).toEqual([]);
  });
});

describe('reconciler: idle workspaces', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const hour = 60 * 60_000;
  it.each([
    ['running, idle past the timeout → stop', 'running', 0, at(61), hour, { kind: 'stop', idleMs: 61 * 60_000 }],
    ['running, exactly at the timeout → stop', 'running', 0, at(60), hour, { kind: 'stop', idleMs: hour }],
    ['running, active recently → nothing', 'running', 0, at(59), hour, { kind: 'none' }],
    ['running, a client attached → activity refreshed', 'running', 1, at(600), hour, { kind: 'touch' }],
    ['stopped → nothing', 'stopped', 0, at(600), hour, { kind: 'none' }],
    ['timeout 0 → never', 'running', 0, at(6000), 0, { kind: 'none' }],
  ] as const)('%s', (_name, status, clients, lastActivityAt, idleTimeoutMs, expected) => {
    expect(idleDecision({ status, clients, lastActivityAt, now, idleTimeoutMs })).toEqual(expected);
  });
});
