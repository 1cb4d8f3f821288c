// The UI's first load stays small: the JavaScript that index.html loads before anything else (its module script and
// any module it preloads) is under 100 KB gzipped; pages past the alerts list are loaded when opened.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = join(__dirname, '../../dist/web');
const BUDGET_BYTES = 100 * 1024;

it('the initial JavaScript of the built UI is under 100 KB gzipped', () => {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map(
    (m) => m[1],
  );
  expect(scripts.length).toBeGreaterThan(0);
  const gzipped = scripts.map((src) => gzipSync(readFileSync(join(DIST, src))).length).reduce((a, b) => a + b, 0);
  console.log(`initial JavaScript: ${scripts.join(', ')}: ${(gzipped / 1024).toFixed(1)} KB gzipped`);
  expect(gzipped).toBeLessThan(BUDGET_BYTES);
  // The markdown renderer and sanitizer come with the alert page, not with the first load.
  const initial = scripts.map((src) => readFileSync(join(DIST, src), 'utf8')).join('\n');
  expect(initial).not.toMatch(/DOMPurify/);
});
