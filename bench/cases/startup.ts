/** Server start to healthy (a real `slipway serve` process), and the definition parser on the whole corpus. */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDefinition } from '../../server/definition/index.js';
import { repeat, summarize, type Summary } from '../lib/stats.js';

export async function serverStart(runs: number): Promise<Summary> {
  const samples = await repeat(runs, async (run) => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'slipway-bench-start-'));
    const port = 18_900 + run;
    const started = performance.now();
    const child = spawn(process.execPath, ['bin/slipway.js', 'serve'], {
      env: {
        ...process.env,
        SLIPWAY_PORT: String(port),
        SLIPWAY_HOST: '127.0.0.1',
        SLIPWAY_DATA_DIR: dataDir,
        SLIPWAY_ADMIN_PASSWORD: 'bench-password',
        SLIPWAY_LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    let ms = NaN;
    for (let i = 0; i < 3000; i++) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api/health`);
        if (response.ok && ((await response.json()) as { ok: boolean }).ok) {
          ms = performance.now() - started;
          break;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
    return ms;
  });
  return summarize(samples, 'ms');
}

export async function parserOnCorpus(runs: number): Promise<{ summary: Summary; files: number }> {
  const root = path.resolve('..', 'shared', 'corpus');
  const files: { name: string; text: string }[] = [];
  for (const folder of ['gitpod', 'devcontainer', 'devcontainer-cli-configs']) {
    for (const name of await readdir(path.join(root, folder))) {
      if (name.endsWith('.Dockerfile') || name.endsWith('.md')) continue;
      // The parser decides the format by name: give each its real file name.
      const file = name.includes('gitpod') ? '.gitpod.yml' : '.devcontainer/devcontainer.json';
      files.push({ name: file, text: await readFile(path.join(root, folder, name), 'utf8') });
    }
  }
  const samples = await repeat(runs, async () => {
    const started = performance.now();
    for (const f of files) parseDefinition(f.name, f.text);
    return performance.now() - started;
  });
  return { summary: summarize(samples, 'ms'), files: files.length };
}
