/**
 * Fetches one piece of a file over HTTP(S) with undici: a Range request (with If-Range when a
 * validator is known), redirects followed by hand so the Authorization header never leaves
 * the source's host and an expired signed redirect is re-resolved from the original URL,
 * every response checked (exact Content-Range, size, no Content-Encoding), and the body
 * written at its offset in ~1 MiB vectored writes while the next bytes arrive.
 */
import type { Dispatcher } from 'undici';
import { OrchestratorError } from '../../../shared/errors';
import type { Clock, ResolvedSource } from '../ports';
import { redactUrl } from '../sources/url-path';
import { AttemptError, parseRetryAfter } from './attempt-error';
import { proxyAuthFailure } from '../net/network-error';
import { sendHttpRequest, type HttpResponse } from './http-response';
import { ResponseLengthGuard } from './response-length-guard';
import type { SourceValidator } from './journal';
import type { Piece } from './piece';
import type { PieceSink } from './piece-sink';
import type { TokenBucket } from './token-bucket';

export type HttpSource = Extract<ResolvedSource, { kind: 'http' }>;

/** What the downloader remembers about one source during one file. */
export interface HttpSourceState {
  validator?: SourceValidator;
  /** The last redirect target and when it was obtained (signed CDN URLs expire). */
  redirect?: { url: string; at: number };
  /** The server ignores Range: fetch whole-file streams only. */
  noRanges: boolean;
  /** The server closed the connection after a response: bodies must not wait in undici. */
  closesConnections?: boolean;
}

export interface HttpPieceContext {
  dispatcher: Dispatcher;
  source: HttpSource;
  state: HttpSourceState;
  size: number;
  clock: Clock;
  rate: TokenBucket;
  sink: PieceSink;
  signal: AbortSignal;
  userAgent: string;
  writeChunkSize: number;
  /** Bytes waiting this long are written even when fewer than writeChunkSize. */
  writeFlushMs: number;
  /** Bytes one response may hold in memory before it is paused or cut (see http-response.ts). */
  receiveBufferBytes: number;
  redirectTtlMs: number;
  maxRedirects: number;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function validatorOf(headers: Headers): SourceValidator {
  const out: SourceValidator = {};
  const etag = header(headers, 'etag');
  const lastModified = header(headers, 'last-modified');
  if (etag && !etag.startsWith('W/')) out.etag = etag;
  if (lastModified) out.lastModified = lastModified;
  return out;
}

function sameValidator(a: SourceValidator | undefined, b: SourceValidator): boolean {
  if (!a) return true;
  if (a.etag && b.etag) return a.etag === b.etag;
  if (a.lastModified && b.lastModified) return a.lastModified === b.lastModified;
  return true;
}

function sourceError(
  kind: 'source' | 'transient',
  code: ConstructorParameters<typeof OrchestratorError>[0],
  where: string,
  what: string,
  extra: Record<string, unknown> = {},
  retryAfterMs?: number,
) {
  return new AttemptError(kind, new OrchestratorError(code, `${where}: ${what}`, { source: where, ...extra }), retryAfterMs);
}

export async function fetchHttpPiece(ctx: HttpPieceContext, piece: Piece): Promise<void> {
  const { source, state, size } = ctx;
  const where = redactUrl(source.url);
  const wantsRange = !state.noRanges;
  // What we ask for now; the piece's end may shrink meanwhile when its tail is split off.
  const askStart = piece.written;
  // Under a bandwidth limit a server that closes its connections gets ranges small enough to be
  // received whole while we wait, since its bodies must never be paused mid-way.
  const capped = wantsRange && state.closesConnections === true && ctx.rate.bytesPerSecond > 0;
  const askEnd = capped ? Math.min(piece.end, askStart + ctx.receiveBufferBytes) : piece.end;
  const range = `bytes=${askStart}-${askEnd - 1}`;
  const validator = state.validator;
  const ifRange = validator?.etag ?? validator?.lastModified;

  const response = await requestWithRedirects(ctx, wantsRange ? range : undefined, wantsRange ? ifRange : undefined, askEnd - askStart);
  const { statusCode, headers } = response;
  if (!response.keepAlive) state.closesConnections = true;
  let consumed = false;
  try {
    if (statusCode !== 200 && statusCode !== 206) {
      throw statusFailure(statusCode, headers, where, ctx.clock.now(), ctx.source.authHelp);
    }
    const encoding = header(headers, 'content-encoding');
    if (encoding && encoding.toLowerCase() !== 'identity') {
      throw sourceError(
        'source',
        'SOURCE_UNAVAILABLE',
        where,
        `the server sent compressed data (Content-Encoding: ${encoding}) although the raw bytes were asked for. Use another source or fix the server.`,
      );
    }
    const got = validatorOf(headers);
    const lengthHeader = header(headers, 'content-length');
    const expectedLength = statusCode === 206 ? askEnd - askStart : size;
    if (
      isWebPage(header(headers, 'content-type')) &&
      Number(lengthHeader ?? NaN) !== expectedLength &&
      !/\.html?$/i.test(source.url.split('?')[0] ?? '')
    ) {
      // A login page, a proxy's or CDN's error page or a captive portal, sent with status 200.
      throw sourceError(
        'source',
        'SOURCE_UNAVAILABLE',
        where,
        'the server sent a web page (Content-Type: text/html) instead of the file, often a login page, a proxy error or a captive portal. Open the URL in a browser to see it, or use another source.',
        { status: statusCode },
      );
    }
    if (statusCode === 206) {
      if (!wantsRange)
        throw sourceError('source', 'SOURCE_UNAVAILABLE', where, 'the server sent a partial response to a whole-file request.');
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header(headers, 'content-range') ?? '');
      if (m && m[3] !== '*' && Number(m[3]) !== size) {
        throw sourceError(
          'source',
          'SIZE_MISMATCH',
          where,
          `the file has ${m[3]} bytes but the manifest says ${size}. The source holds a different file; check the manifest.`,
          { expected: size, actual: Number(m[3]) },
        );
      }
      if (lengthHeader !== undefined && Number(lengthHeader) !== askEnd - askStart) {
        throw sourceError(
          'source',
          'SIZE_MISMATCH',
          where,
          `the server announces ${lengthHeader} bytes for the ${askEnd - askStart} bytes of ${range}. Its server is broken or holds a different file; use another source.`,
          { expected: askEnd - askStart, actual: Number(lengthHeader) },
        );
      }
      if (!m || Number(m[1]) !== askStart || Number(m[2]) !== askEnd - 1) {
        throw sourceError(
          'source',
          'SOURCE_UNAVAILABLE',
          where,
          `the server answered ${range} with the wrong range (${header(headers, 'content-range') ?? 'none'}).`,
        );
      }
      if (!sameValidator(validator, got)) {
        throw new AttemptError(
          'invalidate',
          new OrchestratorError(
            'CONCURRENT_MODIFICATION',
            `${where}: the file changed on the server during the download; starting it over.`,
            { source: where },
          ),
        );
      }
    } else {
      // 200: the whole file. Fine when the whole file was wanted; otherwise the server ignores
      // ranges, or (If-Range sent) the file changed: either way only a single stream works now.
      if (lengthHeader !== undefined && Number(lengthHeader) !== size) {
        throw sourceError(
          'source',
          'SIZE_MISMATCH',
          where,
          `the server sends ${lengthHeader} bytes but the manifest says ${size}. The source holds a different file; check the manifest.`,
          { expected: size, actual: Number(lengthHeader) },
        );
      }
      if (askStart !== 0 || askEnd !== size) {
        const changed = ifRange !== undefined && !sameValidator(validator, got);
        throw new AttemptError(
          changed ? 'invalidate' : 'single-stream',
          new OrchestratorError(
            changed ? 'CONCURRENT_MODIFICATION' : 'SOURCE_UNAVAILABLE',
            `${where}: ${changed ? 'the file changed on the server; starting it over' : 'the server does not support ranges; fetching the whole file in one stream'}.`,
            { source: where },
          ),
        );
      }
    }
    if (got.etag || got.lastModified) state.validator = got;
    consumed = true;
    await streamBody(ctx, piece, response, where, askEnd);
  } finally {
    // Drain a short error body so the connection can be reused; give up on long ones.
    if (!consumed) await response.dump(64 * 1024);
    response.cancel();
  }
}

function isWebPage(contentType: string | undefined): boolean {
  return /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType ?? '');
}

function statusFailure(status: number, headers: Headers, where: string, now: number, authHelp?: string): AttemptError {
  const retryAfter = parseRetryAfter(header(headers, 'retry-after'), now);
  if (status === 401 || status === 403) {
    // The source knows what its credentials are called (HF_TOKEN, AWS keys); say that when it can.
    const help = authHelp ?? 'Check the token or credentials for this source.';
    return sourceError('source', 'AUTH_FAIL', where, `access denied (HTTP ${status}). ${help}`, { status });
  }
  // A plain-forwarding proxy answers 407 itself when it wants credentials.
  if (status === 407) return new AttemptError('source', proxyAuthFailure(URL.canParse(where) ? new URL(where).host : where, null));
  if (status === 404 || status === 410) {
    return sourceError(
      'source',
      'SOURCE_UNAVAILABLE',
      where,
      `the file is not there (HTTP ${status}). Check the source URL in the manifest.`,
      { status },
    );
  }
  if (status === 416) {
    return new AttemptError(
      'invalidate',
      new OrchestratorError('CONCURRENT_MODIFICATION', `${where}: the server refused the saved range (HTTP 416); starting the file over.`, {
        source: where,
        status,
      }),
    );
  }
  if (status === 429) {
    return sourceError(
      'transient',
      'RATE_LIMIT',
      where,
      'the server is rate limiting requests (HTTP 429). Try again later or use another source.',
      { status },
      retryAfter,
    );
  }
  if (status >= 500 || status === 408) {
    return sourceError(
      'transient',
      'SOURCE_UNAVAILABLE',
      where,
      `the server failed (HTTP ${status}). Try again later.`,
      { status },
      retryAfter,
    );
  }
  return sourceError('source', 'SOURCE_UNAVAILABLE', where, `unexpected answer (HTTP ${status}).`, { status });
}

async function requestWithRedirects(
  ctx: HttpPieceContext,
  range: string | undefined,
  ifRange: string | undefined,
  rangeLength: number,
): Promise<HttpResponse> {
  const { source, state, clock } = ctx;
  const origin = new URL(source.url).origin;
  let fromCache = state.redirect !== undefined && clock.now() - state.redirect.at < ctx.redirectTtlMs;
  let url = fromCache && state.redirect ? state.redirect.url : source.url;
  for (let hop = 0; ; hop++) {
    const target = new URL(url);
    const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': ctx.userAgent };
    if (range) headers.range = range;
    if (ifRange) headers['if-range'] = ifRange;
    // Credentials go only to the source's own host; a CDN behind a redirect gets a signed URL instead.
    if (source.headers && target.origin === origin) {
      Object.assign(headers, await source.headers({ method: 'GET', url, ...(range ? { range } : {}) }));
    }
    const res = await sendHttpRequest(
      ctx.dispatcher,
      { origin: target.origin, path: `${target.pathname}${target.search}`, headers, signal: ctx.signal },
      // A small pause point keeps peak RSS where request() streams had it (measured on 1 GiB).
      { pauseBytes: Math.min(ctx.receiveBufferBytes, 256 * 1024), cutBytes: ctx.receiveBufferBytes },
      (status, h) => {
        const length = header(h, 'content-length');
        if (length !== undefined && /^\d+$/.test(length)) return Number(length);
        return status === 206 ? rangeLength : status === 200 ? ctx.size : undefined;
      },
    );
    const location = header(res.headers, 'location');
    if ([301, 302, 303, 307, 308].includes(res.statusCode) && location) {
      await res.dump();
      if (hop >= ctx.maxRedirects) {
        throw sourceError('source', 'SOURCE_UNAVAILABLE', redactUrl(source.url), `too many redirects (more than ${ctx.maxRedirects}).`);
      }
      const next = new URL(location, url);
      // Only the web: a redirect must not make the downloader read a local file or another scheme.
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw sourceError(
          'source',
          'SOURCE_UNAVAILABLE',
          redactUrl(source.url),
          `the server redirected to a ${next.protocol.replace(/:$/, '')}: address, which is not followed (only http and https are). Use another source or fix the server.`,
        );
      }
      url = next.toString();
      state.redirect = { url, at: clock.now() };
      fromCache = false;
      continue;
    }
    if (fromCache && [401, 403, 404, 410].includes(res.statusCode)) {
      // The remembered redirect target expired: ask the original URL for a fresh one.
      await res.dump();
      delete state.redirect;
      fromCache = false;
      url = source.url;
      continue;
    }
    if (hop === 0 && !fromCache) delete state.redirect;
    return res;
  }
}

async function streamBody(ctx: HttpPieceContext, piece: Piece, body: HttpResponse, where: string, requestedEnd: number): Promise<void> {
  const { sink, clock } = ctx;
  const guard = new ResponseLengthGuard(where, requestedEnd - piece.written, ctx.size);
  let batch: Buffer[] = [];
  let batchBytes = 0;
  let batchAt = piece.written;
  let pending: Promise<void> | null = null;
  let batchStartedAt = 0;
  const flush = async () => {
    if (batchBytes === 0) return;
    const chunks = batch;
    const length = batchBytes;
    const at = batchAt;
    batch = [];
    batchBytes = 0;
    batchAt = at + length;
    if (pending) await waitFor(piece, pending);
    pending = sink.write(chunks, at, length).then(() => {
      piece.written = at + length;
    });
    // Awaited later, while the next bytes arrive: until then a failed write (a full disk) must not
    // surface as an unhandled rejection, which would end the process instead of this download.
    pending.catch(() => undefined);
  };
  try {
    receive: for (let chunks = await body.readMany(); chunks !== null; chunks = await body.readMany())
      for (const raw of chunks) {
        piece.lastByteAt = clock.now();
        sink.received(raw.length);
        guard.received(raw.length);
        piece.attemptBytes += raw.length;
        const room = piece.end - piece.received;
        const chunk = raw.length > room ? raw.subarray(0, room) : raw;
        if (chunk.length > 0) {
          batch.push(chunk);
          batchBytes += chunk.length;
          piece.received += chunk.length;
        }
        if (batchBytes === chunk.length) batchStartedAt = piece.lastByteAt;
        // Write in large blocks, but never sit on slow-arriving bytes: progress and the journal follow the disk.
        if (batchBytes >= ctx.writeChunkSize || piece.received >= piece.end || piece.lastByteAt - batchStartedAt >= ctx.writeFlushMs)
          await flush();
        // Stop early only when the tail was split off to another lane; otherwise read the body to
        // its end so the connection goes back to the pool for the next range.
        if (piece.received >= piece.end && piece.end < requestedEnd) break receive;
        if (ctx.rate.bytesPerSecond > 0) await waitFor(piece, ctx.rate.take(raw.length, ctx.signal));
      }
  } finally {
    // Bytes already received are good: keep them even when the stream failed.
    await flush().catch(() => undefined);
    await (pending as Promise<void> | null)?.catch(() => undefined);
  }
  await (pending as Promise<void> | null);
  piece.received = piece.written;
  // A body we cut ourselves to bound memory is no failure: the rest is asked for at once.
  guard.ended(piece.written, Math.min(piece.end, requestedEnd), body.cut);
}

/** Awaits `p` while marking the piece as waiting on purpose, so the stall watchdog stays quiet. */
async function waitFor<T>(piece: Piece, p: Promise<T>): Promise<T> {
  piece.waiting = true;
  try {
    return await p;
  } finally {
    piece.waiting = false;
  }
}
