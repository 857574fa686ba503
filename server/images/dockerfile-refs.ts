/**
 * The images a Dockerfile pulls in from outside itself: every `FROM` image
 * and every `--from=` of `COPY` / `RUN --mount` that is not an earlier stage.
 * Docker's builder resolves these against ALL local images first, by name
 * and by id prefix, so a repository's Dockerfile could otherwise start from
 * (or copy out of) another user's prebuild snapshot. Pure: text in, refs out.
 *
 * Variables are expanded as the builder does for `FROM` (global `ARG`
 * defaults, overridden by build args); a reference that still holds a `$`
 * after that is reported as unresolved, and the caller refuses it.
 */
import { dockerfileInstructions, type Instruction } from './dockerfile-instructions.js';

export interface DockerfileRef {
  /** The reference after variable expansion. */
  ref: string;
  /** 1-based line of the instruction. */
  line: number;
  /** `FROM` or `COPY --from` / `RUN --mount from` / `ONBUILD ...`: for messages. */
  instruction: string;
  /** True when a `$` is left after expansion: the builder would decide the name, not Slipway. */
  unresolved: boolean;
}

/** Expands `$V`, `${V}`, `${V:-word}` and `${V:+word}`; unknown variables become empty, as in the builder. */
export function expandVariables(text: string, vars: Record<string, string>): string {
  return text.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_m, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare)!;
      const value = vars[name];
      if (op === '-') return value !== undefined && value !== '' ? value : (word ?? '');
      if (op === '+') return value !== undefined && value !== '' ? (word ?? '') : '';
      return value ?? '';
    },
  );
}

/** `--name=value` flags at the start of an instruction, and what follows them. */
function flags(rest: string): { flags: Record<string, string>; args: string[] } {
  const words = rest.split(/\s+/).filter((w) => w !== '');
  const found: Record<string, string> = {};
  let i = 0;
  for (; i < words.length && words[i]!.startsWith('--'); i++) {
    const eq = words[i]!.indexOf('=');
    if (eq > 0) found[words[i]!.slice(2, eq).toLowerCase()] = words[i]!.slice(eq + 1);
  }
  return { flags: found, args: words.slice(i) };
}

/** `from=` of each `--mount=type=...,from=x,...` in a RUN. */
function mountSources(rest: string): string[] {
  const out: string[] = [];
  for (const m of rest.matchAll(/--mount=(\S+)/g)) {
    for (const part of m[1]!.split(',')) {
      const [key, value] = part.split('=');
      if (key?.toLowerCase() === 'from' && value) out.push(value);
    }
  }
  return out;
}

/**
 * The outside images `dockerfile` refers to, in order. `buildArgs` are the
 * definition's build args (they override `ARG` defaults, as in the builder).
 */
export function dockerfileRefs(dockerfile: string, buildArgs: Record<string, string> = {}): DockerfileRef[] {
  const refs: DockerfileRef[] = [];
  const globals: Record<string, string> = {};
  let stageArgs: Record<string, string> = {};
  const stages = new Set<string>();
  let stageCount = 0;
  let seenFrom = false;
  for (const ins of dockerfileInstructions(dockerfile)) {
    if (ins.keyword === 'ARG') {
      // Before the first FROM: global args (seen by FROM); after: the stage's own (seen by its --from).
      for (const word of ins.rest.split(/\s+/).filter((w) => w !== '')) {
        const eq = word.indexOf('=');
        const name = eq >= 0 ? word.slice(0, eq) : word;
        const declared =
          eq >= 0 ? expandVariables(word.slice(eq + 1).replace(/^"(.*)"$/, '$1'), seenFrom ? { ...globals, ...stageArgs } : globals) : globals[name];
        const value = buildArgs[name] ?? declared;
        if (value === undefined) continue;
        if (seenFrom) stageArgs[name] = value;
        else globals[name] = value;
      }
      continue;
    }
    if (ins.keyword === 'FROM') {
      seenFrom = true;
      stageArgs = {};
      const { args } = flags(ins.rest);
      if (args[0] !== undefined) {
        const ref = expandVariables(args[0], { ...globals, ...buildArgs });
        if (!isStage(ref, stages, stageCount)) refs.push({ ref, line: ins.line, instruction: 'FROM', unresolved: ref.includes('$') || ref === '' });
      }
      if (args[1]?.toUpperCase() === 'AS' && args[2]) stages.add(args[2].toLowerCase());
      stageCount += 1;
      continue;
    }
    // ONBUILD here runs only in images built FROM this one, never in this build.
    if (ins.keyword === 'ONBUILD') continue;
    refs.push(...instructionSources(ins, stageArgs, stages, stageCount));
  }
  return refs;
}

/** An earlier stage, by name or index, is this Dockerfile's own. */
function isStage(ref: string, stages: Set<string>, stageCount: number): boolean {
  return stages.has(ref.toLowerCase()) || (/^\d+$/.test(ref) && Number(ref) < stageCount);
}

/** `--from` sources of one COPY / RUN instruction that are not earlier stages. */
function instructionSources(ins: Instruction, vars: Record<string, string>, stages: Set<string>, stageCount: number, label = ins.keyword): DockerfileRef[] {
  const raw: string[] = [];
  if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
    const from = flags(ins.rest).flags['from'];
    if (from !== undefined) raw.push(from);
  } else if (ins.keyword === 'RUN') raw.push(...mountSources(ins.rest));
  const out: DockerfileRef[] = [];
  for (const r of raw) {
    const ref = expandVariables(r, vars);
    if (isStage(ref, stages, stageCount)) continue;
    out.push({ ref, line: ins.line, instruction: `${label} --from`, unresolved: ref.includes('$') || ref === '' });
  }
  return out;
}

/**
 * The `--from` sources of a base image's ONBUILD triggers (its Config.OnBuild,
 * e.g. `COPY --from=x /a /b`): they run in the build that starts FROM it.
 */
export function onBuildRefs(triggers: string[]): DockerfileRef[] {
  return triggers.flatMap((trigger) => {
    const match = /^(\S+)\s*([\s\S]*)$/.exec(trigger.trim());
    if (!match) return [];
    const ins: Instruction = { line: 0, keyword: match[1]!.toUpperCase(), rest: match[2] ?? '' };
    return instructionSources(ins, {}, new Set(), 0, `ONBUILD ${ins.keyword}`);
  });
}
