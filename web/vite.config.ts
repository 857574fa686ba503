import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The UI is plain static files the Slipway server serves (server/http/static.ts).
// `npm run dev:web` proxies the API to a server on :8080 for fast iteration.
const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.SLIPWAY_DEV_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  // Preact's automatic JSX runtime, without a framework plugin.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 700 },
  server: { proxy: { '/api': { target: api, ws: true }, '/ports': { target: api, ws: true } } },
});
