import { describe, expect, it } from 'vitest';
import { decide, type Candidate, type DecideInput } from '../../../server/prebuilds/decide.js';
import { planCollection } from '../../../server/prebuilds/gc.js';
import { movedHeads } from '../../../server/prebuilds/poller.js';

const pb = (id: string, commit: string, over: Partial<Candidate> = {}): Candidate => ({
  id,
  commit,
  branch: 'main',
  status: 'ready',
  imageRef: `snap:${id}`,
  baseImageRef: 'base:1',
  definitionHash: 'h1',
  error: null,
  ...over,
});

const input = (over: Partial<DecideInput> = {}): DecideInput => ({
  commit: 'c3',
  branch: 'main',
  definitionHash: 'h1',
  baseImageRef: 'base:1',
  hasProject: true,
  branchPrebuilt: true,
  prebuilds: [],
  distances: {},
  ...over,
});

describe('decide', () => {
  it('no project', () => {
    expect(decide(input({ hasProject: false }))).toEqual({ kind: 'none', reason: 'none: no project for this repository' });
  });
  it('exact commit wins over a nearer ancestor', () => {
    const d = decide(input({ prebuilds: [pb('a', 'c2'), pb('x', 'c3')], distances: { c2: 1 } }));
    expect(d).toMatchObject({ kind: 'exact', prebuild: { id: 'x' }, reason: 'exact commit' });
  });
  it('waits for a queued or building prebuild of the commit', () => {
    expect(decide(input({ prebuilds: [pb('x', 'c3', { status: 'building', imageRef: null })] })).kind).toBe('wait');
    expect(decide(input({ prebuilds: [pb('x', 'c3', { status: 'queued', imageRef: null })] })).kind).toBe('wait');
  });
  it('a failed newest prebuild of the commit means a cold start, even with an ancestor', () => {
    const d = decide(
      input({
        prebuilds: [pb('x', 'c3', { status: 'failed', imageRef: null, error: 'task "a" failed with exit code 3' }), pb('a', 'c2')],
        distances: { c2: 1 },
      }),
    );
    expect(d).toEqual({ kind: 'none', reason: 'none: newest prebuild failed (task "a" failed with exit code 3)' });
  });
  it('takes the nearest ancestor with the same definition and image', () => {
    const d = decide(input({ prebuilds: [pb('b', 'c2', { baseImageRef: 'base:2' }), pb('a', 'c1'), pb('z', 'c0')], distances: { c2: 1, c1: 2, c0: 3 } }));
    expect(d).toMatchObject({ kind: 'incremental', prebuild: { id: 'a' }, distance: 2, reason: 'ancestor 2 commits back' });
  });
  it('ignores non-ancestors, other branches and collected snapshots', () => {
    const d = decide(
      input({ prebuilds: [pb('a', 'c1', { branch: 'dev' }), pb('b', 'c5'), pb('c', 'c0', { imageRef: null })], distances: { c1: 1, c5: null, c0: 4 } }),
    );
    expect(d).toEqual({ kind: 'none', reason: 'none: no prebuild for this commit or an ancestor on this branch yet' });
  });
  it('says when the definition or the image changed', () => {
    expect(decide(input({ prebuilds: [pb('a', 'c1', { definitionHash: 'h0' })], distances: { c1: 1 } })).reason).toBe(
      'none: definition changed since the last prebuild',
    );
    expect(decide(input({ prebuilds: [pb('a', 'c1', { baseImageRef: 'base:0' })], distances: { c1: 1 } })).reason).toBe(
      'none: image changed since the last prebuild',
    );
  });
  it('says when the branch is not prebuilt', () => {
    expect(decide(input({ branch: 'feature/x', branchPrebuilt: false })).reason).toMatch(/branch feature\/x is not prebuilt/);
  });
  it('a canceled prebuild of the commit does not block an ancestor', () => {
    const d = decide(input({ prebuilds: [pb('x', 'c3', { status: 'canceled', imageRef: null }), pb('a', 'c2')], distances: { c2: 1 } }));
    expect(d).toMatchObject({ kind: 'incremental', reason: 'ancestor 1 commit back' });
  });
});

describe('planCollection', () => {
  it('keeps the newest N per branch and anything a workspace uses', () => {
    const ready = [
      { id: 'm5', branch: 'main', imageRef: 's5' },
      { id: 'd1', branch: 'dev', imageRef: 'sd1' },
      { id: 'm4', branch: 'main', imageRef: 's4' },
      { id: 'm3', branch: 'main', imageRef: 's3' },
      { id: 'm2', branch: 'main', imageRef: 's2' },
      { id: 'm1', branch: 'main', imageRef: 's1' },
      { id: 'm0', branch: 'main', imageRef: null },
    ];
    expect(planCollection(ready, 2, new Set(['s2']))).toEqual(['m3', 'm1']);
  });
});

describe('movedHeads', () => {
  it('first poll is a baseline; then new and moved heads', () => {
    expect(movedHeads(null, new Map([['main', 'a']]))).toEqual([]);
    expect(
      movedHeads(
        { main: 'a', dev: 'b' },
        new Map([
          ['main', 'a2'],
          ['dev', 'b'],
          ['new', 'c'],
        ]),
      ),
    ).toEqual([
      { branch: 'main', commit: 'a2' },
      { branch: 'new', commit: 'c' },
    ]);
  });
});
