// Build and dev-server settings for the web UI: sources in web/, output in dist/web, the dev server proxying the API.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Load with `--configLoader runner` (package.json scripts): this ES module sits in a CommonJS package.
// Resolved from this file, not the working directory, so `npm start` can build with this config from anywhere.
const root = fileURLToPath(new URL('.', import.meta.url));
// The dev server forwards API calls to a running `npm start`, keeping the UI and the API on one origin as in production.
const api = process.env.ALERTLINE_API_URL ?? 'http://127.0.0.1:8787';

export default defineConfig({
  root,
  base: '/',
  build: { outDir: fileURLToPath(new URL('../dist/web', import.meta.url)), emptyOutDir: true },
  server: { proxy: { '/api': api, '/v2': api } },
});
