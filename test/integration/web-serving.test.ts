// The local runtime serves the built web UI at `/`: pages with the security headers, deep links, hashed assets, the API's paths left to the API, no way out of dist/web; and `npm start` builds the UI when its build is missing or stale.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { ensureWebUiBuilt } from '../../local/web-build';
import { WEB_UI_HEADERS } from '../../lambdas/contract';

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, '../..');

/** A request with the path sent byte for byte: fetch() would resolve `..` segments before sending. */
const rawGet = (base: string, path: string, method = 'GET') =>
  new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((ok, fail) => {
    const { hostname, port } = new URL(base);
    const req = request({ hostname, port, path, method }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk)).on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail).end();
  });

const expectSecurityHeaders = (headers: Record<string, string | string[] | undefined>) => {
  expect(headers['content-security-policy']).toBe(WEB_UI_HEADERS.contentSecurityPolicy);
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
};

describe('the web UI served by npm start', () => {
  let rt: RuntimeProcess;
  let index: string;
  beforeAll(async () => {
    rt = await startRuntimeProcess();
    index = (await rawGet(rt.url, '/')).body;
  });
  afterAll(async () => {
    await rt?.stop();
  });

  test('the banner names the UI next to the admin token', () => {
    expect(rt.output()).toContain(`Web UI: ${rt.url}/`);
  });

  test('GET / is the app: HTML with its module script, the CSP and the other security headers, revalidated each time', async () => {
    const res = await rawGet(rt.url, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expectSecurityHeaders(res.headers);
    expect(res.body).toMatch(/<script type="module"[^>]* src="\/assets\/[^"]+\.js"/);
    // No inline script: the CSP would block it, so the app must not need one.
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  test.each(['/alerts/01JABCDEF0123456789XYZ', '/alert-sources/new', '/users', '/signin?next=%2Falerts'])('the deep link %s loads the app', async (path) => {
    const res = await rawGet(rt.url, path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expectSecurityHeaders(res.headers);
    expect(res.body).toBe(index);
  });

  test('HEAD answers the headers of GET without a body', async () => {
    const res = await rawGet(rt.url, '/alerts', 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(index));
    expect(res.body).toBe('');
  });

  test('the assets the page names are served with their type, cached for good', async () => {
    const assets = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    for (const asset of assets) {
      const res = await rawGet(rt.url, asset);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(asset.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expectSecurityHeaders(res.headers);
    }
  });

  test('a missing asset is a JSON 404, not the app', async () => {
    const res = await rawGet(rt.url, '/assets/no-such-file-0000.js');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({ message: 'Not Found' });
  });

  test.each(['/api/unknown', '/api', '/v2/alerts'])('%s stays the API: a JSON 404, never the app', async (path) => {
    const res = await fetch(`${rt.url}${path}`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.text()).not.toContain('<html');
  });

  test('only GET and HEAD reach the UI', async () => {
    const res = await fetch(`${rt.url}/alerts`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  test.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/assets/..%2f..%2fpackage.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/..%5c..%5cpackage.json',
    '/%00',
  ])('the traversal %s is refused', async (path) => {
    const res = await rawGet(rt.url, path);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).not.toContain('"dependencies"');
    expectSecurityHeaders(res.headers);
  });
});

describe('building the UI before the runtime starts', () => {
  // A copy of the sources, inside the checkout so that its imports resolve from node_modules, that no one edits meanwhile.
  let sourceDir: string;
  let outDir: string;
  const lines: string[] = [];
  const build = () => ensureWebUiBuilt({ sourceDir, outDir, log: (line) => lines.push(line) });
  beforeAll(() => {
    const scratch = join(ROOT, 'tmp');
    mkdirSync(scratch, { recursive: true });
    sourceDir = join(mkdtempSync(join(scratch, 'web-build-')), 'web');
    cpSync(join(ROOT, 'web'), sourceDir, { recursive: true });
    outDir = join(mkdtempSync(join(tmpdir(), 'alertline-web-')), 'web');
  });
  afterAll(() => {
    for (const dir of [sourceDir, outDir]) rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  test('builds when the build is missing, once when two starts race, and not again while it is fresh', async () => {
    const results = await Promise.all([build(), build()]);
    expect(results.sort()).toEqual([false, true]);
    expect(lines).toEqual(['building the web UI...']);
    expect(readFileSync(join(outDir, 'index.html'), 'utf8')).toMatch(/<script type="module"/);
    expect(await build()).toBe(false);
    expect(lines).toHaveLength(1);
  });

  test('builds again when a source is newer than the build', async () => {
    // The copied sources date from this run: a build from an hour ago is older than they are.
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(outDir, 'index.html'), anHourAgo, anHourAgo);
    expect(await build()).toBe(true);
    expect(lines).toHaveLength(2);
    expect(await build()).toBe(false);
  });
});
