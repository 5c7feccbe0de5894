/**
 * Serves the built renderer (dist/renderer) on the `app://model-orchestrator/` origin with a
 * strict Content-Security-Policy header on every response. Electron's `protocol.handle` wraps
 * `serveAppAsset`; the logic lives here so Node tests cover it (path escapes, types, CSP).
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { APP_HOST, APP_SCHEME } from './app-page';
import { CONTENT_SECURITY_POLICY } from '../../shared/content-security-policy';

export { CONTENT_SECURITY_POLICY };

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface AppAssetResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

function notFound(why: string): AppAssetResponse {
  return { status: 404, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }, body: `${why}\n` };
}

/** Answers one request for `app://model-orchestrator/<path>` from files under `rendererDir`. */
export async function serveAppAsset(requestUrl: string, rendererDir: string): Promise<AppAssetResponse> {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return notFound('Not a valid URL.');
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return notFound('Unknown app host.');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return notFound('Malformed path.');
  }
  if (path === '/' || path === '') path = '/index.html';
  if (path.includes('\0') || path.includes('\\') || path.split('/').some((seg) => seg === '..')) return notFound('Path not allowed.');
  const root = resolve(rendererDir);
  const file = resolve(root, `.${path}`);
  if (!file.startsWith(root + sep)) return notFound('Path not allowed.');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return notFound(`No such file in the app: ${path}`);
  }
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  return { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': type }, body };
}
