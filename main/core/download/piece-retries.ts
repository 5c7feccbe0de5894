/**
 * Fetching one piece from one source with retries: each attempt gets its own abort (the stall
 * watchdog uses it), a failure is classified (see attempt-error.ts), transient ones are retried
 * after a backoff, and anything else, or a piece out of retries, is thrown to the lane.
 */
import type { FileHandle } from 'node:fs/promises';
import { formatBinaryBytes } from '../../../shared/byte-sizes';
import { OrchestratorError, isAbortError, toOrchestratorError } from '../../../shared/errors';
import type { ResolvedSource } from '../ports';
import { redactUrl } from '../sources/url-path';
import { AttemptError, networkFailure } from './attempt-error';
import { proxyOf } from '../net/http-dispatcher';
import type { NetworkTarget } from '../net/network-error';
import type { DownloadTuning, FileDownloadContext } from './download-context';
import { fetchFilePiece } from './fetch-file-piece';
import { fetchHttpPiece, type HttpSourceState } from './fetch-http-piece';
import type { AbortReason, Piece } from './piece';
import type { PieceSink } from './piece-sink';

/** Quick retries for the last source left when its host cannot be reached. */
const UNREACHABLE_RETRIES = 2;

export interface PieceFetch {
  ctx: FileDownloadContext;
  source: ResolvedSource;
  state: HttpSourceState;
  /** The open local file of a file:// or local:// source. */
  input: FileHandle | null;
  size: number;
  sink: PieceSink;
  /** True when every other source has failed (an unreachable host then gets a few quick retries). */
  isLastSource: () => boolean;
  /** A failure that ends the whole download (disk full), once one happened. */
  fatal: () => OrchestratorError | null;
}

export async function fetchPieceWithRetries(job: PieceFetch, piece: Piece, stop: AbortSignal): Promise<void> {
  const { ctx, source: src } = job;
  const { tuning, clock } = ctx;
  const host = src.kind === 'http' ? new URL(src.url).host : '';
  for (;;) {
    const attempt = new AbortController();
    let why: AbortReason | null = null;
    const onStop = () => attempt.abort(stop.reason);
    stop.addEventListener('abort', onStop, { once: true });
    const before = piece.written;
    piece.received = piece.written;
    piece.attemptStartedAt = clock.now();
    piece.lastByteAt = piece.attemptStartedAt;
    piece.attemptBytes = 0;
    piece.speedWindowAt = piece.attemptStartedAt;
    piece.speedWindowBytes = 0;
    piece.abort = (reason) => {
      why = reason;
      attempt.abort(new DOMException(`range ${reason}`, 'AbortError'));
    };
    try {
      if (src.kind === 'file') {
        await fetchFilePiece(
          {
            input: job.input as FileHandle,
            sink: job.sink,
            signal: attempt.signal,
            chunkSize: 4 * 1024 * 1024,
            now: clock.now,
            where: src.base,
          },
          piece,
        );
      } else {
        // Waiting for a connection slot is not a stall: other files may hold the budget for long.
        piece.waiting = true;
        let release: () => void;
        try {
          release = await ctx.budget.acquire(host, attempt.signal);
        } finally {
          piece.waiting = false;
        }
        piece.attemptStartedAt = clock.now();
        piece.lastByteAt = piece.attemptStartedAt;
        piece.speedWindowAt = piece.attemptStartedAt;
        try {
          await fetchHttpPiece(
            {
              dispatcher: ctx.dispatcher,
              source: src,
              state: job.state,
              size: job.size,
              clock,
              rate: ctx.rate,
              sink: job.sink,
              signal: attempt.signal,
              userAgent: tuning.userAgent,
              writeChunkSize: tuning.writeChunkSize,
              writeFlushMs: tuning.writeFlushMs,
              receiveBufferBytes: tuning.receiveBufferBytes,
              redirectTtlMs: tuning.redirectTtlMs,
              maxRedirects: tuning.maxRedirects,
            },
            piece,
          );
        } finally {
          release();
        }
      }
      if (piece.written >= piece.end) return;
    } catch (error) {
      const fatal = job.fatal();
      if (fatal) throw fatal;
      if (stop.aborted) throw error;
      const where = src.kind === 'http' ? redactUrl(src.url) : src.base;
      const target = src.kind === 'http' ? { url: new URL(src.url), proxy: proxyOf(ctx.dispatcher, src.url) } : undefined;
      const failure = classifyAttemptFailure(error, why, where, tuning, target);
      if (failure.kind !== 'transient') throw failure;
      if (piece.written > before) piece.attempts = 0;
      if (!failure.free) piece.attempts++;
      const delay = retryDelay(failure, piece.attempts, tuning, job.isLastSource());
      if (delay === null) throw new AttemptError('source', failure.error);
      if (delay > 0) await clock.sleep(delay, stop);
    } finally {
      stop.removeEventListener('abort', onStop);
      delete piece.abort;
    }
  }
}

/**
 * How long to wait before attempt `attempts + 1` after a transient failure; null when the
 * piece is out of retries and the source is given up for this file.
 */
export function retryDelay(
  failure: AttemptError,
  attempts: number,
  tuning: Pick<DownloadTuning, 'retries' | 'retryBaseDelayMs' | 'retryMaxDelayMs' | 'maxRetryAfterMs' | 'random'>,
  lastSource: boolean,
): number | null {
  // A host that cannot be reached, or that goes silent, is no passing fault worth a backoff while
  // another source is left: the next one takes over at once. The last source left gets a couple
  // of quick retries when unreachable, the usual retries with backoff when silent.
  const moveOn = failure.unreachable || failure.stalled;
  const lastRetries = failure.unreachable ? Math.min(tuning.retries, UNREACHABLE_RETRIES) : tuning.retries;
  const retries = moveOn ? (lastSource ? lastRetries : 0) : tuning.retries;
  if (attempts > retries) return null;
  if (failure.free) return 0;
  if (failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, tuning.maxRetryAfterMs);
  const jitter = 0.5 + tuning.random() / 2;
  if (failure.unreachable) return tuning.retryBaseDelayMs * jitter;
  return Math.min(tuning.retryMaxDelayMs, tuning.retryBaseDelayMs * 2 ** (attempts - 1)) * jitter;
}

/** What a failed attempt means, given why the watchdog aborted it (if it did). */
export function classifyAttemptFailure(
  error: unknown,
  why: AbortReason | null,
  where: string,
  tuning: Pick<DownloadTuning, 'stallTimeoutMs' | 'minBytesPerSecond'>,
  target?: NetworkTarget,
): AttemptError {
  if (error instanceof AttemptError) return error;
  if (why === 'stalled' || why === 'too-slow') {
    const what =
      why === 'stalled'
        ? `no data for ${seconds(tuning.stallTimeoutMs)}`
        : `less than ${formatBinaryBytes(tuning.minBytesPerSecond)}/s for ${seconds(tuning.stallTimeoutMs)}`;
    return new AttemptError(
      'transient',
      new OrchestratorError('NETWORK_TIMEOUT', `${where}: ${what}. Check the network; the download resumes where it stopped.`, {
        source: where,
      }),
      undefined,
      false,
      false,
      true,
    );
  }
  if (why === 'slow') {
    return new AttemptError(
      'transient',
      new OrchestratorError('NETWORK_TIMEOUT', `${where}: a range was much slower than the others; retrying it on a new connection.`, {
        source: where,
      }),
      undefined,
      true,
    );
  }
  const net = networkFailure(error, where, target);
  if (net) return net;
  if (isAbortError(error)) {
    return new AttemptError(
      'transient',
      new OrchestratorError('NETWORK_TIMEOUT', `${where}: the request was interrupted.`, { source: where }),
    );
  }
  const e = toOrchestratorError(error, where);
  return new AttemptError(e.code === 'UNKNOWN_ERROR' ? 'transient' : 'fatal', e);
}

/** `30 s`, `0.3 s`. */
function seconds(ms: number): string {
  return `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(1)} s`;
}
