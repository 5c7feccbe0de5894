/**
 * How a failed attempt at a byte range is handled, decided where the failure is understood:
 * - `transient`: retry the same source after a backoff (5xx, resets, 429, truncation); a source
 *   that cannot be reached or goes silent is retried only when no other source is left;
 * - `source`: this source cannot serve the file (401/403/404, wrong ranges, compressed body,
 *   size mismatch, retries exhausted): the remaining ranges move to the next source;
 * - `fatal`: stop the whole download now (disk full, cancelled, filesystem errors);
 * - `invalidate`: the upstream file changed (416, a new ETag): saved bytes are discarded;
 * - `single-stream`: the server ignores Range: fetch the whole file in one stream.
 */
import { OrchestratorError } from '../../../shared/errors';

export type AttemptKind = 'transient' | 'source' | 'fatal' | 'invalidate' | 'single-stream';

export class AttemptError extends Error {
  constructor(
    readonly kind: AttemptKind,
    readonly error: OrchestratorError,
    readonly retryAfterMs?: number,
    /** For transient failures that should not count against the retry budget (slow-range restarts). */
    readonly free = false,
    /** The source could not be reached at all (refused, unknown host): try the next source first. */
    readonly unreachable = false,
    /** The source went silent or crawls (stall, too slow, timeout): try the next source first. */
    readonly stalled = false,
  ) {
    super(error.message, { cause: error });
    this.name = 'AttemptError';
  }
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

/** Errors meaning the source's host cannot be reached at all, as opposed to a transfer that broke. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** A network-level error (reset, refused, timeout) as a transient attempt failure. */
export function networkFailure(error: unknown, where: string): AttemptError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !NETWORK_CODES.has(code)) return null;
  const timeout = code.includes('TIMEOUT') || code === 'ETIMEDOUT';
  return new AttemptError(
    'transient',
    new OrchestratorError(
      timeout ? 'NETWORK_TIMEOUT' : 'SOURCE_UNAVAILABLE',
      `${where}: ${timeout ? 'the server did not answer in time' : `the connection failed (${code})`}. Check the network; the download resumes where it stopped.`,
      { source: where, errno: code },
    ),
    undefined,
    false,
    UNREACHABLE_CODES.has(code),
    timeout,
  );
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
