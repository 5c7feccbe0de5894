/**
 * Who may talk to the localhost web host. Binding to 127.0.0.1 keeps other machines out; the
 * checks here keep other *web pages* out: a per-launch random token (cookie or header) on
 * every request, and Host/Origin headers that must name this very host and port, which
 * defeats DNS rebinding and cross-site requests.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'mo_token';
export const TOKEN_HEADER = 'x-model-orchestrator-token';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function sameToken(candidate: string | undefined | null, token: string): boolean {
  if (!candidate) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieValue(request: IncomingMessage, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The token a request carries: header, `Authorization: Bearer`, or the cookie set on first load. */
export function requestToken(request: IncomingMessage): string | undefined {
  const header = request.headers[TOKEN_HEADER];
  if (typeof header === 'string') return header;
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  return cookieValue(request, TOKEN_COOKIE);
}

/** Host names a browser may use to reach us; anything else is a rebinding attempt. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

export type GuardVerdict = { ok: true } | { ok: false; status: number; message: string };

/** Host and Origin checks, for every request. */
export function checkHostAndOrigin(request: IncomingMessage, port: number): GuardVerdict {
  const host = request.headers.host?.toLowerCase();
  if (!host || !allowedHosts(port).has(host)) {
    return { ok: false, status: 421, message: 'This server answers only to 127.0.0.1 and localhost.' };
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !allowedOrigins(port).has(origin.toLowerCase())) {
    return { ok: false, status: 403, message: 'Requests from other web sites are refused.' };
  }
  // Browsers send Sec-Fetch-Site on every request; a cross-site one is never ours.
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site') {
    return { ok: false, status: 403, message: 'Requests from other web sites are refused.' };
  }
  return { ok: true };
}
