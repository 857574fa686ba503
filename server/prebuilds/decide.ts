/**
 * Which prebuild a workspace start uses, as a pure function of the
 * candidates, the commit ancestry and the hashes, so every branch of the
 * decision is unit-tested without git or Docker. DESIGN §2 flow 1: exact
 * commit first, then the nearest ancestor on the same branch with the same
 * image and the same prebuild-relevant definition. The reason is always
 * spelled out, so a user never wonders why setup ran again.
 */

export interface Candidate {
  id: string;
  commit: string;
  branch: string | null;
  status: 'queued' | 'building' | 'ready' | 'failed' | 'canceled';
  /** Snapshot image; null when not made or garbage-collected. */
  imageRef: string | null;
  baseImageRef: string | null;
  definitionHash: string | null;
  error: string | null;
}

export interface DecideInput {
  commit: string;
  branch: string | null;
  definitionHash: string;
  /** The image this commit's definition gives; null = not computed (no ancestor needs it). */
  baseImageRef: string | null;
  hasProject: boolean;
  /** Whether a project prebuilds this branch (its prebuildBranches match). */
  branchPrebuilt: boolean;
  /** Prebuilds of the repository's projects, newest first. */
  prebuilds: readonly Candidate[];
  /** Commits back from `commit` to a candidate's commit; null or absent = not an ancestor. */
  distances: Readonly<Record<string, number | null>>;
}

export type Decision =
  | { kind: 'exact'; prebuild: Candidate; reason: string }
  | { kind: 'wait'; prebuild: Candidate; reason: string }
  | { kind: 'incremental'; prebuild: Candidate; distance: number; reason: string }
  | { kind: 'none'; reason: string };

const usable = (c: Candidate) => c.status === 'ready' && c.imageRef !== null;

/** Ready prebuilds on the branch whose commit is an ancestor, nearest first. */
export function ancestorCandidates(input: Pick<DecideInput, 'commit' | 'branch' | 'prebuilds' | 'distances'>): (Candidate & { distance: number })[] {
  return input.prebuilds
    .filter((c) => usable(c) && c.commit !== input.commit && (input.branch === null || c.branch === input.branch))
    .map((c) => ({ ...c, distance: input.distances[c.commit] ?? -1 }))
    .filter((c) => c.distance > 0)
    .sort((a, b) => a.distance - b.distance);
}

export function decide(input: DecideInput): Decision {
  if (!input.hasProject) return { kind: 'none', reason: 'none: no project for this repository' };

  const exact = input.prebuilds.filter((c) => c.commit === input.commit);
  const ready = exact.find((c) => usable(c) && (c.definitionHash === null || c.definitionHash === input.definitionHash));
  if (ready) return { kind: 'exact', prebuild: ready, reason: 'exact commit' };
  const pending = exact.find((c) => c.status === 'queued' || c.status === 'building');
  if (pending) return { kind: 'wait', prebuild: pending, reason: `waiting for the ${pending.status} prebuild of this commit` };
  const newest = exact[0];
  if (newest && newest.status === 'failed') {
    // Its init failed at this very commit: running it again on an older snapshot would fail the same way.
    return { kind: 'none', reason: `none: newest prebuild failed${newest.error ? ` (${newest.error})` : ''}` };
  }

  const ancestors = ancestorCandidates(input);
  if (ancestors.length === 0) {
    if (!input.branchPrebuilt)
      return {
        kind: 'none',
        reason: `none: ${input.branch === null ? 'a commit outside any branch is' : `branch ${input.branch} is`} not prebuilt (see the project's prebuildBranches)`,
      };
    return { kind: 'none', reason: 'none: no prebuild for this commit or an ancestor on this branch yet' };
  }
  const sameDefinition = ancestors.filter((c) => c.definitionHash === input.definitionHash);
  if (sameDefinition.length === 0) return { kind: 'none', reason: 'none: definition changed since the last prebuild' };
  const sameImage = sameDefinition.filter((c) => input.baseImageRef !== null && c.baseImageRef === input.baseImageRef);
  if (sameImage.length === 0) return { kind: 'none', reason: 'none: image changed since the last prebuild' };
  const best = sameImage[0]!;
  return { kind: 'incremental', prebuild: best, distance: best.distance, reason: `ancestor ${best.distance} commit${best.distance === 1 ? '' : 's'} back` };
}
