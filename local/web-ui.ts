// The built web UI (dist/web) as the local gateway serves it: files with their types and caching, the SPA's deep links, and the security headers.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { API_PATH_PATTERNS, WEB_UI_HEADERS } from '../lambdas/contract';

/** Where `npm run build:web` writes the UI (web/vite.config.ts). */
export const WEB_UI_DIR = resolve(__dirname, '..', 'dist', 'web');

export interface WebAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** Sent with every answer of the UI, as CloudFront's response headers policy does in AWS. */
const SECURITY_HEADERS = {
  'content-security-policy': WEB_UI_HEADERS.contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': WEB_UI_HEADERS.referrerPolicy,
  'x-frame-options': 'DENY',
};

/** Vite names every file under /assets/ after its content, so a browser may keep it for good; the rest is revalidated. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const API_PREFIXES = API_PATH_PATTERNS.map((pattern) => pattern.replace(/\*$/, ''));

/** Whether the UI answers this request: GET or HEAD of a path the API does not own. */
export const isWebUiRequest = (method: string, path: string): boolean =>
  (method === 'GET' || method === 'HEAD') && !API_PREFIXES.some((prefix) => `${path}/`.startsWith(prefix));

/**
 * The file a URL path names under the root, or undefined when it is not a plain relative path: `..` or `.` segments
 * (also percent-encoded), backslashes, NUL or bad percent-encoding could otherwise name a file outside the root.
 */
export function filePathIn(root: string, rawPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  const segments = path.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.' || s.includes('\\') || s.includes('\0'))) return undefined;
  const file = resolve(root, ...segments);
  return file.startsWith(root + sep) || file === root ? file : undefined;
}

const json = (status: number, message: string): WebAnswer => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: Buffer.from(JSON.stringify({ message })),
});

async function fileAt(path: string): Promise<Buffer | undefined> {
  const stats = await stat(path).catch(() => undefined);
  return stats?.isFile() ? readFile(path) : undefined;
}

async function answer(root: string, path: string): Promise<WebAnswer> {
  const file = filePathIn(root, path);
  if (!file) return json(400, 'Bad Request: the path names no file of the web UI');
  const found = await fileAt(file);
  if (found) {
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    return { status: 200, headers: { 'content-type': type, 'cache-control': path.startsWith('/assets/') ? IMMUTABLE : 'no-cache' }, body: found };
  }
  // A missing asset is an error (an old page asking for a file of another build), not a deep link.
  if (path.startsWith('/assets/')) return json(404, 'Not Found');
  // Any other path is a page of the single-page app (/alerts/<id>, /users/new): the app routes it in the browser.
  const index = await fileAt(join(root, 'index.html'));
  if (!index) return json(503, 'The web UI is not built: run npm run build:web (npm start builds it when it is missing)');
  return { status: 200, headers: { 'content-type': CONTENT_TYPES['.html'], 'cache-control': 'no-cache' }, body: index };
}

/** The UI's answer to a GET or HEAD (see isWebUiRequest) of a raw, not yet decoded, URL path. */
export async function serveWebUi(root: string, method: string, path: string): Promise<WebAnswer> {
  // A file that cannot be read (permissions, removed mid-build) is the server's fault, as a failed integration is.
  const result = await answer(resolve(root), path).catch(() => json(500, 'Internal Server Error'));
  return {
    status: result.status,
    headers: { ...result.headers, ...SECURITY_HEADERS, 'content-length': String(result.body.length) },
    body: method === 'HEAD' ? Buffer.alloc(0) : result.body,
  };
}
