#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const cli = fileURLToPath(new URL('../dist/server/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('slipway: not built yet, run `npm run build` first');
  process.exit(2);
}
await import(cli);
