/**
 * Turns the failures that come from the network path itself (an untrusted or wrong certificate,
 * a proxy that wants credentials, refuses the tunnel or cannot be reached) into errors that name
 * the host and say which setting fixes them. Anything else is left to the caller (null).
 */
import { OrchestratorError } from '../../../shared/errors';

export type NetworkFailureReason = 'certificate' | 'proxy-auth' | 'proxy-refused' | 'proxy-unreachable';

export interface NetworkTarget {
  url: URL;
  /** The proxy the request went through, redacted; null when direct. */
  proxy: string | null;
}

const CA_HELP =
  'If it uses a private or company CA, point MODELS_CA_FILE (or "CA certificates file" in Settings, or NODE_EXTRA_CA_CERTS) at that CA\'s PEM file.';
const PROXY_SETTINGS = 'Settings, --proxy, MODELS_PROXY or HTTPS_PROXY/HTTP_PROXY';

/** Certificate problems, by OpenSSL/Node code, with what the user can do. */
const CERTIFICATE_PROBLEMS: Record<string, { what: string; help: string }> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { what: 'is signed by a CA this computer does not trust', help: CA_HELP },
  UNABLE_TO_GET_ISSUER_CERT: { what: 'is signed by a CA this computer does not trust', help: CA_HELP },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { what: 'is signed by a CA this computer does not trust', help: CA_HELP },
  SELF_SIGNED_CERT_IN_CHAIN: { what: 'is signed by a CA this computer does not trust', help: CA_HELP },
  DEPTH_ZERO_SELF_SIGNED_CERT: {
    what: 'is self-signed',
    help: 'If you trust it, put that certificate in a PEM file and point MODELS_CA_FILE (or "CA certificates file" in Settings, or NODE_EXTRA_CA_CERTS) at it.',
  },
  CERT_UNTRUSTED: { what: 'is not trusted', help: CA_HELP },
  CERT_SIGNATURE_FAILURE: { what: 'has a bad signature', help: "Ask the server's owner to fix its certificate." },
  CERT_REVOKED: { what: 'was revoked', help: "Ask the server's owner to replace its certificate." },
  CERT_HAS_EXPIRED: {
    what: 'has expired',
    help: "Check this computer's date and time; otherwise ask the server's owner to renew the certificate.",
  },
  CERT_NOT_YET_VALID: { what: 'is not valid yet', help: "Check this computer's date and time." },
  ERR_TLS_CERT_ALTNAME_INVALID: {
    what: 'is for another host name',
    help: 'Check the host name in the source URL (or the proxy); a proxy that rewrites certificates needs its CA in MODELS_CA_FILE.',
  },
};

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The error and its causes, outermost first (fetch wraps the real one in `cause`, undici its TLS errors). */
type Failure = { code?: unknown; message?: unknown; cause?: unknown };

function chain(error: unknown): Failure[] {
  const out: Failure[] = [];
  for (let e = error as Failure | null, i = 0; e && typeof e === 'object' && i < 5; e = e.cause as Failure | null, i++) out.push(e);
  return out;
}

export function describeNetworkError(error: unknown, target: NetworkTarget): OrchestratorError | null {
  const host = target.url.host;
  const via = target.proxy ? { proxy: target.proxy } : {};
  const errors = chain(error);
  for (const e of errors) {
    const code = typeof e.code === 'string' ? e.code : '';
    const problem = CERTIFICATE_PROBLEMS[code];
    if (problem) {
      return new OrchestratorError(
        'SOURCE_UNAVAILABLE',
        `${host}: the server's certificate ${problem.what} (${code}). ${problem.help}`,
        { host, errno: code, reason: 'certificate' satisfies NetworkFailureReason, ...via },
        { retryable: false },
      );
    }
  }
  for (const e of errors) {
    const message = typeof e.message === 'string' ? e.message : '';
    const tunnel = /Proxy response \((\d+)\) !== 200/.exec(message);
    const status = tunnel ? Number(tunnel[1]) : /Proxy Authentication Required \(407\)/.test(message) ? 407 : null;
    if (status === 407) return proxyAuthFailure(host, target.proxy);
    if (status !== null) {
      return new OrchestratorError(
        'SOURCE_UNAVAILABLE',
        `${host}: the proxy${target.proxy ? ` ${target.proxy}` : ''} refused to connect to it (HTTP ${status}). Check that the proxy allows this host, or add the host to NO_PROXY if it is reachable directly.`,
        { host, status, reason: 'proxy-refused' satisfies NetworkFailureReason, ...via },
      );
    }
  }
  if (target.proxy) {
    const code = errors.map((e) => (typeof e.code === 'string' ? e.code : '')).find((c) => UNREACHABLE.has(c));
    if (code) {
      const timeout = code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
      return new OrchestratorError(
        timeout ? 'NETWORK_TIMEOUT' : 'SOURCE_UNAVAILABLE',
        `${host}: the proxy ${target.proxy} cannot be reached (${code}). Check the proxy address in ${PROXY_SETTINGS}.`,
        { host, errno: code, reason: 'proxy-unreachable' satisfies NetworkFailureReason, ...via },
      );
    }
  }
  return null;
}

/** The proxy answered 407: the credentials in the proxy URL are missing or wrong. */
export function proxyAuthFailure(host: string, proxy: string | null): OrchestratorError {
  return new OrchestratorError(
    'AUTH_FAIL',
    `${host}: the proxy${proxy ? ` ${proxy}` : ''} asks for a user name and password (HTTP 407). Check the proxy credentials: write them as http://user:password@host:port in ${PROXY_SETTINGS}.`,
    { host, status: 407, reason: 'proxy-auth' satisfies NetworkFailureReason, ...(proxy ? { proxy } : {}) },
  );
}
