/**
 * The page's Content Security Policy, the same in the Electron window and the web host: only
 * our own scripts, styles and images; no eval, no inline scripts, no plugins, no framing, and
 * network access only to the page's own origin (the web host's API; nothing in Electron).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
