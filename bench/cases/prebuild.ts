/**
 * Prebuild figures. Filled in once the prebuild runner exists (issue 4):
 * open from a prebuild whose init took 10 s, prebuild overhead, and
 * webhook-to-prebuild latency. Until then it reports that it did not run.
 */
import type { BenchEnv } from '../lib/environment.js';
import type { Summary } from '../lib/stats.js';

export async function prebuildCases(_env: BenchEnv, _options: { runs: number; quick: boolean; floor: Summary }): Promise<{ rows: { figure: string; value: string; reference: string; ratio: string }[]; results: unknown; scaleUrl: string | null }> {
  return { rows: [], results: { skipped: 'prebuilds not available' }, scaleUrl: null };
}
