/**
 * Serves the built renderer (dist/renderer) with a strict Content Security Policy. Only files
 * inside the folder are served; unknown paths fall back to index.html (one-page app).
 */
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../shared/content-security-policy';

export { CONTENT_SECURITY_POLICY };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

/** Resolves a URL path to a file inside `root`, or null when it would escape it. */
export function fileInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = normalize(join(root, decoded));
  return full === root || full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : null;
}

export async function serveStatic(root: string, urlPath: string, response: ServerResponse): Promise<void> {
  const wanted = urlPath === '/' ? '/index.html' : urlPath;
  let file = fileInside(root, wanted);
  let info = file ? await stat(file).catch(() => null) : null;
  if (!info?.isFile()) {
    // Assets that do not exist are 404s; any other path is a view of the one-page app.
    if (/\.[a-z0-9]+$/i.test(wanted)) return sendText(response, 404, 'Not found.');
    file = join(root, 'index.html');
    info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      return sendText(response, 503, `The user interface is not built yet (${file} is missing). Run \`npm run build\` and reload.`);
    }
  }
  const body = await readFile(file as string);
  const type = TYPES[extname(file as string).toLowerCase()] ?? 'application/octet-stream';
  const isHtml = type.startsWith('text/html');
  response.writeHead(200, {
    ...securityHeaders(),
    'content-type': type,
    'content-length': String(body.length),
    // Hashed asset names never change; the page itself must always be fresh.
    'cache-control': isHtml ? 'no-store' : 'private, max-age=31536000, immutable',
  });
  response.end(body);
}

export function sendText(response: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  const body = Buffer.from(text);
  response.writeHead(status, {
    ...securityHeaders(),
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(body.length),
    'cache-control': 'no-store',
    ...extra,
  });
  response.end(body);
}
