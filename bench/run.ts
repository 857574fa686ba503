/**
 * `npm run bench`: every figure next to its reference, measured in one run on
 * this machine; prints a table and writes bench/results/latest.json.
 * `--quick` takes fewer runs (for a smoke check, not for the README).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startBenchEnv, openToPrompt } from './lib/environment.js';
import type { Summary } from './lib/stats.js';
import { devcontainerCli, dockerFloor, dockerFloorConcurrent, openCold } from './cases/open.js';
import { keystrokeEcho, throughput } from './cases/terminal.js';
import { concurrentOpens, manyClients, runningMemory } from './cases/scale.js';
import { parserOnCorpus, serverStart } from './cases/startup.js';
import { prebuildCases } from './cases/prebuild.js';
import { caSaving, fullImageBuild, openOnFullImage } from './cases/full-image.js';

const quick = process.argv.includes('--quick');
const RUNS = quick ? 2 : 5;

interface Row {
  figure: string;
  value: string;
  reference: string;
  ratio: string;
}
const rows: Row[] = [];
const results: Record<string, unknown> = {};

const fmt = (s: Summary) =>
  `${s.median.toFixed(s.unit === 'ms' ? 0 : 1)} ${s.unit} (${s.min.toFixed(s.unit === 'ms' ? 0 : 1)}–${s.max.toFixed(s.unit === 'ms' ? 0 : 1)})`;
const ratio = (a: Summary, b: Summary | { error: string }) => ('error' in b ? 'n/a' : `${(a.median / b.median).toFixed(2)}×`);
const refText = (name: string, s: Summary | { error: string }) => ('error' in s ? `${name}: failed (${s.error.slice(0, 60)})` : `${name}: ${fmt(s)}`);

function section(name: string) {
  process.stderr.write(`\n[bench] ${name}...\n`);
}

async function main() {
  const env = await startBenchEnv();
  try {
    section('references: Docker floor and the devcontainer CLI');
    const floor = await dockerFloor(RUNS);
    const dcCold = await devcontainerCli(quick ? 1 : 3, 'echo setup-done');
    results.dockerFloor = floor;
    results.devcontainerCliCold = dcCold;

    section('open cold');
    const cold = await openCold(env, RUNS);
    results.openCold = cold;
    rows.push({ figure: 'open cold → prompt', value: fmt(cold.summary), reference: refText('docker floor', floor), ratio: ratio(cold.summary, floor) });
    rows.push({ figure: '', value: '', reference: refText('devcontainer up+exec', dcCold), ratio: ratio(cold.summary, dcCold) });

    section('prebuilds');
    const prebuild = await prebuildCases(env, { runs: RUNS, quick, floor });
    results.prebuild = prebuild.results;
    rows.push(...prebuild.rows);

    section('terminal');
    const { url } = await env.git.createRepo('bench-terminal', { 'README.md': 'x' });
    const host = await openToPrompt(env, url);
    const mb = quick ? 20 : 200;
    const io = await throughput(env, host.workspaceId, mb, quick ? 1 : 3);
    results.terminalThroughput = { mb, ...io };
    rows.push({
      figure: `terminal output (${mb} MB base64)`,
      value: fmt(io.websocket),
      reference: `docker exec TTY: ${fmt(io.dockerExec)}`,
      ratio: `${(io.websocket.median / io.dockerExec.median).toFixed(2)}×`,
    });
    const echo = await keystrokeEcho(env, host.workspaceId, quick ? 200 : 1000);
    results.keystrokeEcho = echo;
    rows.push({ figure: `keystroke echo (${echo.runs})`, value: `p50 ${echo.p50!.toFixed(2)} ms, p99 ${echo.p99!.toFixed(2)} ms`, reference: '—', ratio: '' });

    section('scale');
    const scaleUrl = prebuild.scaleUrl ?? url;
    const many = quick ? 5 : 20;
    const floorMany = await dockerFloorConcurrent(many, prebuild.snapshot ?? undefined);
    const concurrent = await concurrentOpens(env, scaleUrl, many);
    results.concurrentOpens = {
      count: concurrent.ids.length,
      allRunningMs: concurrent.allRunningMs,
      perWorkspace: concurrent.perWorkspace,
      from: prebuild.scaleUrl ? 'prebuild' : 'cold',
    };
    rows.push({
      figure: `${concurrent.ids.length} opened at once (${prebuild.scaleUrl ? 'prebuild' : 'cold'})`,
      value: `all running ${(concurrent.allRunningMs / 1000).toFixed(1)} s; p50 ${concurrent.perWorkspace.p50!.toFixed(0)} ms, p95 ${concurrent.perWorkspace.p95.toFixed(0)} ms`,
      reference: `docker floor, ${many} at once: ${(floorMany.allMs / 1000).toFixed(1)} s`,
      ratio: `${(concurrent.allRunningMs / floorMany.allMs).toFixed(2)}×`,
    });
    results.dockerFloorConcurrent = { count: many, ...floorMany };
    const memory = await runningMemory(env, scaleUrl, quick ? 10 : 50, [...concurrent.ids, host.workspaceId]);
    results.runningMemory = memory;
    rows.push({
      figure: `${memory.running} running`,
      value: `server RSS ${memory.serverRssMb.toFixed(0)} MB, +${memory.perWorkspaceRssKb.toFixed(0)} KB per workspace`,
      reference: '—',
      ratio: '',
    });
    const fan = await manyClients(env, host.workspaceId, quick ? 50 : 200, 10);
    results.terminalClients = fan;
    rows.push({
      figure: `${fan.clients} terminal clients`,
      value: `all got output in ${fan.allReceivedMs.toFixed(0)} ms; RSS +${fan.rssGrowthMb.toFixed(1)} MB`,
      reference: '—',
      ratio: '',
    });
  } finally {
    section('cleaning up');
    await env.close();
  }

  // After the main server is gone: these start servers of their own.
  section('full image (slipway/workspace-full)');
  const build = await fullImageBuild({ cold: !quick });
  results.fullImageBuild = build;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  rows.push({
    figure: 'workspace-full build',
    value: build.coldMs === null ? 'cold: not run (--quick)' : `cold ${seconds(build.coldMs)}`,
    reference: `layer-cached ${seconds(build.cachedMs)}; setup re-run ${seconds(build.setupSkipMs)}`,
    ratio: '',
  });
  const full = await openOnFullImage(RUNS);
  results.openColdFull = full;
  rows.push({
    figure: 'open cold on workspace-full → prompt',
    value: fmt(full.open),
    reference: refText('docker floor (same image)', full.floor),
    ratio: ratio(full.open, full.floor),
  });
  const ca = await caSaving(quick ? 2 : 3);
  results.extraCa = ca;
  rows.push({
    figure: 'extra CA: per-start install (before)',
    value: fmt(ca.installPerStart),
    reference: `now: once per image+bundle (first open ${seconds(ca.layerBuildMs)}); open with CA ${fmt(ca.openWithCa)}`,
    ratio: '',
  });

  section('server start and parser');
  const start = await serverStart(RUNS);
  results.serverStart = start;
  rows.push({ figure: 'server start → healthy', value: fmt(start), reference: '—', ratio: '' });
  const parser = await parserOnCorpus(quick ? 5 : 20);
  results.parser = parser;
  rows.push({ figure: `parse corpus (${parser.files} files)`, value: fmt(parser.summary), reference: '—', ratio: '' });

  const widths = (['figure', 'value', 'reference', 'ratio'] as const).map((k) => Math.max(k.length, ...rows.map((r) => r[k].length)));
  const line = (r: Row) =>
    `| ${r.figure.padEnd(widths[0]!)} | ${r.value.padEnd(widths[1]!)} | ${r.reference.padEnd(widths[2]!)} | ${r.ratio.padEnd(widths[3]!)} |`;
  const table = [
    line({ figure: 'figure', value: 'Slipway (median, min–max)', reference: 'reference', ratio: 'ratio' }),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
  process.stdout.write(`\n${table}\n`);
  const machine = { cpus: os.cpus().length, memoryGb: Math.round(os.totalmem() / 1024 ** 3), node: process.version, at: new Date().toISOString(), quick };
  await mkdir(path.resolve('bench/results'), { recursive: true });
  await writeFile(path.resolve('bench/results/latest.json'), JSON.stringify({ machine, results, table: rows }, null, 2));
  process.stdout.write('\nwritten: bench/results/latest.json\n');
}

await main();
process.exit(0);
