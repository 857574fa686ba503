/** Summary statistics for benchmark samples: every figure is a median with min and max. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  p50?: number;
  p99?: number;
  runs: number;
  unit: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function summarize(samples: number[], unit: string, options: { percentiles?: boolean } = {}): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const summary: Summary = { median, min: sorted[0]!, max: sorted.at(-1)!, runs: samples.length, unit };
  if (options.percentiles) {
    summary.p50 = percentile(sorted, 50);
    summary.p99 = percentile(sorted, 99);
  }
  return summary;
}

export async function repeat(runs: number, work: (run: number) => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) samples.push(await work(run));
  return samples;
}
