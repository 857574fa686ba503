/**
 * The chooser a workspace start asks (WorkspaceDeps.prebuilds): gathers the
 * facts (projects of the repository, their prebuilds, commit ancestry, the
 * image of this commit's definition), lets the pure `decide` pick, waits for
 * a prebuild of this very commit that is still running, and hands back the
 * snapshot plus each task's prebuild output for its terminal.
 */
import type { Config } from '../config/config.js';
import { errorMessage } from '../core/errors.js';
import type { LogRegistry } from '../core/log-stream.js';
import { definitionHash, type WorkspaceSpec } from '../definition/index.js';
import type { GitMirrors } from '../git/index.js';
import type { ImageResolver } from '../images/resolver.js';
import type { PrebuildStore } from '../store/prebuilds.js';
import type { ProjectService } from '../projects/service.js';
import { branchMatches } from '../projects/branch-glob.js';
import type { PrebuildChoiceForStart, WorkspacePrebuilds } from '../workspaces/deps.js';
import { ancestorCandidates, decide, type Candidate, type DecideInput } from './decide.js';
import { prebuildTasks } from '../provision/plan.js';
import { taskLogId } from './runner.js';

/** How many ready prebuilds of the branch are checked for ancestry (newest first). */
const MAX_ANCESTOR_CHECKS = 20;

/** A task's prebuild output as terminal bytes: a title line, then the text with CRLF line ends (a TTY needs them). */
export function preambleOf(text: string, prebuildId: string): Buffer | null {
  if (text.trim() === '') return null;
  const body = text.replace(/\r?\n/g, '\r\n');
  return Buffer.from(
    `\u001b[2m── output of this task's init in prebuild ${prebuildId} ──\u001b[0m\r\n${body}${body.endsWith('\r\n') ? '' : '\r\n'}\u001b[2m── end of prebuild output ──\u001b[0m\r\n`,
  );
}

export function createPrebuildChooser(deps: {
  config: Pick<Config, 'defaultImage' | 'prebuildWaitMs'>;
  projects: ProjectService;
  store: PrebuildStore;
  git: GitMirrors;
  images: ImageResolver;
  logs: LogRegistry;
  waitFor(id: string, timeoutMs: number): Promise<boolean>;
  defaultBranch(repoUrl: string): Promise<string | null>;
}): WorkspacePrebuilds {
  const { store, git, logs } = deps;

  async function distances(repoUrl: string, commit: string, candidates: Candidate[]): Promise<Record<string, number | null>> {
    const result: Record<string, number | null> = {};
    const commits = [...new Set(candidates.map((c) => c.commit))].filter((c) => c !== commit).slice(0, MAX_ANCESTOR_CHECKS);
    for (const c of commits) {
      try {
        result[c] = (await git.isAncestor(repoUrl, c, commit)) ? await git.commitsBetween(repoUrl, c, commit) : null;
      } catch {
        // A commit gone from the repository (force-push) is no ancestor.
        result[c] = null;
      }
    }
    return result;
  }

  async function baseImageOf(
    spec: WorkspaceSpec,
    ctx: { repoUrl: string; repoName: string; commit: string },
    onLog: (t: string) => void,
  ): Promise<string | null> {
    if (spec.image.kind === 'default') return deps.config.defaultImage;
    if (spec.image.kind === 'ref') return spec.image.ref;
    if (spec.image.kind !== 'dockerfile') return null;
    // A built image's name is its cache key: resolving it builds only when it changed, which a cold start would do anyway.
    try {
      return (await deps.images.ensure(spec.image, ctx, onLog)).ref;
    } catch (error) {
      onLog(`The image could not be prepared (${errorMessage(error)}): starting without a prebuild\n`);
      return null;
    }
  }

  function preambles(prebuildId: string, spec: WorkspaceSpec): (Buffer | null)[] {
    if (spec.tasks.length === 0) return [];
    return prebuildTasks(spec).map((_, index) => preambleOf(logs.get(taskLogId(prebuildId, index)).read(), prebuildId));
  }

  async function facts(input: Parameters<WorkspacePrebuilds['choose']>[0]): Promise<DecideInput> {
    const projects = deps.projects.forRepo(input.repoUrl);
    const ids = projects.map((p) => p.id);
    const prebuilds: Candidate[] = ids.length === 0 ? [] : store.list({ projectIds: ids });
    const hash = definitionHash(input.spec);
    const exactOnly: DecideInput = {
      commit: input.commit,
      branch: input.branch,
      definitionHash: hash,
      baseImageRef: null,
      hasProject: projects.length > 0,
      branchPrebuilt: true,
      prebuilds,
      distances: {},
    };
    // A usable prebuild of this very commit wins whatever else is true: skip the git work below
    // (default branch, ancestry of up to 20 candidates), which costs ~0.4 s on every prebuilt open.
    if (decide(exactOnly).kind === 'exact') return exactOnly;
    let branchPrebuilt = false;
    if (input.branch !== null && projects.length > 0) {
      const needsDefault = projects.some((p) => p.prebuildBranches === null);
      const def = needsDefault ? await deps.defaultBranch(input.repoUrl) : null;
      branchPrebuilt = projects.some((p) => branchMatches(p.prebuildBranches, input.branch!, def));
    }
    const onBranch = prebuilds.filter(
      (c) => c.status === 'ready' && c.imageRef !== null && c.commit !== input.commit && (input.branch === null || c.branch === input.branch),
    );
    const dist = onBranch.length > 0 ? await distances(input.repoUrl, input.commit, onBranch) : {};
    const base: DecideInput = {
      commit: input.commit,
      branch: input.branch,
      definitionHash: hash,
      baseImageRef: null,
      hasProject: projects.length > 0,
      branchPrebuilt,
      prebuilds,
      distances: dist,
    };
    // The image only matters when an ancestor with the same definition could be used.
    if (ancestorCandidates(base).some((c) => c.definitionHash === hash)) {
      base.baseImageRef = await baseImageOf(input.spec, { repoUrl: input.repoUrl, repoName: input.repoName, commit: input.commit }, input.onLog);
    }
    return base;
  }

  return {
    async choose(input): Promise<PrebuildChoiceForStart> {
      try {
        return await choose(input);
      } catch (error) {
        // Choosing must never fail a start: without a prebuild it is a cold start, and it says why.
        input.onLog(`Could not look for a prebuild: ${errorMessage(error)}\n`);
        return { kind: 'none', reason: `none: looking for a prebuild failed (${errorMessage(error)})`, prebuild: null, preambles: [] };
      }
    },
  };

  async function choose(input: Parameters<WorkspacePrebuilds['choose']>[0]): Promise<PrebuildChoiceForStart> {
    let decision = decide(await facts(input));
    if (decision.kind === 'wait') {
      const waiting = decision.prebuild;
      input.onLog(
        `A prebuild of this commit is ${waiting.status} (${waiting.id}): waiting for it, up to ${Math.round(deps.config.prebuildWaitMs / 60_000)} min\n`,
      );
      const unfollow = logs.get(waiting.id).follow({ onData: (text) => input.onLog(text), onEnd: () => {} });
      const finished = await deps.waitFor(waiting.id, deps.config.prebuildWaitMs).finally(unfollow);
      decision = decide(await facts(input));
      if (!finished || decision.kind === 'wait') {
        return {
          kind: 'none',
          reason: `none: the prebuild of this commit was still running after ${Math.round(deps.config.prebuildWaitMs / 1000)}s`,
          prebuild: null,
          preambles: [],
        };
      }
      if (decision.kind !== 'exact') {
        const after = store.get(waiting.id);
        if (after && after.status !== 'ready' && decision.kind === 'none')
          decision = { kind: 'none', reason: `none: newest prebuild ${after.status}${after.error ? ` (${after.error})` : ''}` };
      }
    }
    if (decision.kind !== 'exact' && decision.kind !== 'incremental') return { kind: 'none', reason: decision.reason, prebuild: null, preambles: [] };
    const p = decision.prebuild;
    const choice: PrebuildChoiceForStart = {
      kind: decision.kind,
      reason: decision.reason,
      prebuild: { id: p.id, commit: p.commit, imageRef: p.imageRef! },
      preambles: preambles(p.id, input.spec),
    };
    if (decision.kind === 'incremental') {
      // Files the snapshot's checkout has and this commit deleted: copying the new tree over would leave them.
      const now = new Set(await git.listFiles(input.repoUrl, input.commit));
      choice.removedFiles = (await git.listFiles(input.repoUrl, p.commit)).filter((f) => !now.has(f));
    }
    return choice;
  }
}
