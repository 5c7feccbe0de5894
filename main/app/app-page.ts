/**
 * Where the app's own page lives and what may leave it. The renderer is served from a custom
 * `app://model-orchestrator/` origin (not file://, so the CSP header applies and no other local
 * file is reachable); only that page may call the API, and only https links to an allowlisted
 * host open in the user's browser. Pure functions, unit-tested without Electron.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'model-orchestrator';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_PAGE_URL = `${APP_ORIGIN}/index.html`;

/** Hosts whose https pages the app may open in the browser (model cards, tokens page). */
export const EXTERNAL_HOST_ALLOWLIST: readonly string[] = ['huggingface.co'];

function parse(url: unknown): URL | null {
  if (typeof url !== 'string' || url.length > 8192) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for a URL on our app origin (the page and its assets). */
export function isAppUrl(url: unknown): boolean {
  const u = parse(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password;
}

/**
 * The sender of an IPC call must be our page's top frame or a frame on our origin: a frame that
 * navigated elsewhere (or an injected iframe) gets nothing. `null` (frame gone) is untrusted.
 */
export function isTrustedSenderUrl(frameUrl: unknown): boolean {
  return isAppUrl(frameUrl);
}

/** https URLs on an allowlisted host (or its subdomains), without credentials in the URL. */
export function isAllowedExternalUrl(url: unknown, allowlist: readonly string[] = EXTERNAL_HOST_ALLOWLIST): boolean {
  const u = parse(url);
  if (!u || u.protocol !== 'https:' || u.username || u.password || u.port) return false;
  const host = u.hostname.toLowerCase();
  return allowlist.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
}

export type NavigationDecision = 'allow' | 'open-external' | 'deny';

/**
 * What to do when a page tries to navigate or open a window: stay on our origin, hand
 * allowlisted https links to the browser, refuse everything else.
 */
export function navigationDecision(url: unknown): NavigationDecision {
  if (isAppUrl(url)) return 'allow';
  if (isAllowedExternalUrl(url)) return 'open-external';
  return 'deny';
}

/** Web permissions the page may use: only writing to the clipboard ("Copy path"), only from our origin. */
const PAGE_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function permissionAllowed(permission: string, requestingUrl: unknown): boolean {
  return PAGE_PERMISSIONS.has(permission) && isAppUrl(requestingUrl);
}
