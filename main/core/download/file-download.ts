/**
 * One file's download: resume state, lanes fetching pieces in parallel from the best live
 * source, tail splitting, stall and slow-range watchdog, journal, hashing while writing,
 * mid-file fallback to the next source and the final verification.
 */
import { setMaxListeners } from 'node:events';
import { mkdir, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { OrchestratorError, isAbortError, toOrchestratorError, toStructuredError, type ErrorCode } from '../../../shared/errors';
import type { Clock, DownloadOutcome, DownloadRequest, HashPool, ResolvedSource, SourceFailure } from '../ports';
import type { FileFollower, FollowingHashPool } from '../hash/hash-pool';
import { redactUrl } from '../sources/url-path';
import { AttemptError, networkFailure } from './attempt-error';
import type { ConnectionBudget } from './connection-budget';
import { fetchFilePiece } from './fetch-file-piece';
import { fetchHttpPiece, type HttpSourceState } from './fetch-http-piece';
import { readHotJournal, readJournal, removeJournal, writeHotJournal, writeJournal, type SourceValidator } from './journal';
import { cutPieces, newPiece, type Piece } from './piece';
import type { PieceSink } from './piece-sink';
import { RangeSet } from './range-set';
import type { TokenBucket } from './token-bucket';

export interface DownloadTuning {
  /** Parallel range requests per file (HTTP sources). */
  connectionsPerFile: number;
  /** Largest piece one range request asks for. */
  pieceSize: number;
  /** Files below this size use one connection; a piece is split only when both halves reach it. */
  minPieceSize: number;
  /** A piece in flight is split for an idle lane only when it would take longer than this to finish. */
  tailSplitMinMs: number;
  /** Attempts per piece for transient failures before the source is given up for this file. */
  retries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Longest Retry-After honoured; longer waits use this. */
  maxRetryAfterMs: number;
  /** No byte for this long on a range: the range is retried on a new connection. */
  stallTimeoutMs: number;
  /** A range slower than the median of its siblings divided by this is restarted (once). */
  slowRangeFactor: number;
  /** Journal written about this often while bytes arrive... */
  journalIntervalMs: number;
  /** ...and after this many new bytes, whichever comes first. */
  journalBytes: number;
  /** The hot (unsynced, same-boot) journal is rewritten after this many new bytes. */
  hotJournalBytes: number;
  /** Bytes gathered before one write to the partial file. */
  writeChunkSize: number;
  /** Bytes one HTTP response may hold in memory before it is paused or cut and resumed by range. */
  receiveBufferBytes: number;
  /** How long a redirect target (e.g. a signed CDN URL) is reused before asking the original URL again. */
  redirectTtlMs: number;
  maxRedirects: number;
  userAgent: string;
  /** fdatasync the finished file before handing it over. */
  syncOnComplete: boolean;
  random: () => number;
}

export interface FileDownloadContext {
  partialDir: string;
  hashPool: HashPool | FollowingHashPool;
  clock: Clock;
  dispatcher: Dispatcher;
  budget: ConnectionBudget;
  rate: TokenBucket;
  tuning: DownloadTuning;
}

/** Quick retries for the last source left when its host cannot be reached. */
const UNREACHABLE_RETRIES = 2;

type SourceState = HttpSourceState & { bytes: number; invalidations: number; streamRestarts: number };

class FatalStop extends Error {}

export async function runFileDownload(ctx: FileDownloadContext, request: DownloadRequest): Promise<DownloadOutcome> {
  return new FileDownload(ctx, request).run();
}

class FileDownload {
  private readonly size: number;
  private readonly sha256: string;
  private readonly partPath: string;
  private readonly journalPath: string;
  private readonly failures: SourceFailure[] = [];
  private readonly failed = new Set<ResolvedSource>();
  private readonly states = new Map<ResolvedSource, SourceState>();
  private done = new RangeSet();
  private fh: FileHandle | null = null;
  private follower: FileFollower | null = null;
  private bytesFetched = 0;
  private reported = 0;
  private unjournaled = 0;
  private unhot = 0;
  private savingHot: Promise<void> | null = null;
  private hotAgain = false;
  private journalTimer: ReturnType<typeof setInterval> | null = null;
  private saving: Promise<void> | null = null;
  private saveAgain = false;
  private fatal: OrchestratorError | null = null;
  private readonly userSignal: AbortSignal;

  constructor(
    private readonly ctx: FileDownloadContext,
    private readonly request: DownloadRequest,
  ) {
    this.size = request.file.size;
    this.sha256 = request.file.sha256.toLowerCase();
    this.partPath = join(ctx.partialDir, `${this.sha256}.part`);
    this.journalPath = join(ctx.partialDir, `${this.sha256}.journal.json`);
    this.userSignal = request.signal ?? new AbortController().signal;
  }

  async run(): Promise<DownloadOutcome> {
    if (!/^[0-9a-f]{64}$/.test(this.sha256) || !Number.isSafeInteger(this.size) || this.size < 0) {
      throw new OrchestratorError('INVALID_CONFIG', `download: ${this.request.file.path} needs a 64-hex sha256 and a byte size.`, {
        path: this.request.file.path,
      });
    }
    if (this.request.sources.length === 0) {
      throw new OrchestratorError(
        'SOURCE_UNAVAILABLE',
        `No source is configured for ${this.request.file.path}. Add a source to the model in the manifest.`,
        { path: this.request.file.path, failures: [] },
      );
    }
    let suspectResume: boolean;
    let cleanRetryUsed = false;
    try {
      for (;;) {
        this.userSignal.throwIfAborted();
        suspectResume = await this.prepare();
        const contributors = await this.fetchAll();
        const digest = await this.digest();
        if (digest === this.sha256) return await this.complete();
        await this.discard();
        if (suspectResume && !cleanRetryUsed) {
          // Bytes from an earlier run may be the bad ones: try once more from scratch.
          cleanRetryUsed = true;
          continue;
        }
        const error = new OrchestratorError(
          'CHECKSUM_FAIL',
          `${this.request.file.path}: the downloaded bytes do not match the manifest's sha256 (expected ${this.sha256}, got ${digest}). The source holds a different file; check the manifest or the source.`,
          { path: this.request.file.path, expected: this.sha256, actual: digest },
        );
        for (const src of contributors) {
          this.failed.add(src);
          this.failures.push({ source: src.base, error: toStructuredError(error) });
        }
        if (this.request.sources.every((s) => this.failed.has(s))) {
          error.details.failures = this.failures;
          throw error;
        }
      }
    } catch (error) {
      throw this.finalError(error);
    } finally {
      await this.shutdown();
    }
  }

  /** Opens the partial file and loads what a previous run left; true when bytes were resumed. */
  private async prepare(): Promise<boolean> {
    await mkdir(this.ctx.partialDir, { recursive: true });
    const journal = await readJournal(this.journalPath, { sha256: this.sha256, size: this.size });
    let fh: FileHandle;
    try {
      fh = await open(this.partPath, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      fh = await open(this.partPath, 'w+');
    }
    this.fh = fh;
    const { size } = await fh.stat();
    this.done = new RangeSet();
    this.states.clear();
    // Bytes a killed process left in the page cache (same boot only) are as good as synced ones.
    const hot = await readHotJournal(this.journalPath, { sha256: this.sha256, size: this.size });
    if ((journal || hot.length > 0) && size === this.size) {
      this.done = new RangeSet([...(journal?.done ?? []), ...hot]);
      for (const src of this.request.sources) {
        const v = journal?.validators[src.base];
        this.stateOf(src).validator = v ? { ...v } : undefined;
        if (!v) delete this.stateOf(src).validator;
      }
    } else {
      // No usable journal: whatever the file holds is untrusted; start it over.
      if (size !== 0) await fh.truncate(0);
      await removeJournal(this.journalPath);
    }
    // Full length up front (sparse where the filesystem allows): ranges are written at their offsets.
    if ((await fh.stat()).size !== this.size) await fh.truncate(this.size);
    this.restartFollower();
    this.startJournalTimer();
    return this.done.total > 0;
  }

  private restartFollower(): void {
    this.follower?.cancel();
    this.follower = null;
    const pool = this.ctx.hashPool as Partial<FollowingHashPool>;
    if (typeof pool.follow === 'function') {
      this.follower = pool.follow.call(this.ctx.hashPool, this.partPath);
      this.follower.advance(this.done.prefix);
    }
  }

  private stateOf(src: ResolvedSource): SourceState {
    let s = this.states.get(src);
    if (!s) {
      s = { noRanges: false, bytes: 0, invalidations: 0, streamRestarts: 0 };
      this.states.set(src, s);
    }
    return s;
  }

  /** Fetches every missing byte, moving to the next source when one fails; returns the sources used. */
  private async fetchAll(): Promise<Set<ResolvedSource>> {
    const used = new Set<ResolvedSource>();
    while (!this.done.covers(this.size)) {
      this.userSignal.throwIfAborted();
      const src = this.request.sources.find((s) => !this.failed.has(s));
      if (!src) throw this.allSourcesFailed();
      used.add(src);
      try {
        await this.runSource(src);
      } catch (error) {
        if (error instanceof AttemptError && error.kind === 'source') {
          this.failed.add(src);
          this.failures.push({ source: src.base, error: toStructuredError(error.error) });
          continue;
        }
        throw error;
      }
    }
    return used;
  }

  /** Runs lanes against one source until the file is complete or the source fails. */
  private async runSource(src: ResolvedSource): Promise<void> {
    const { tuning } = this.ctx;
    const state = this.stateOf(src);
    let input: FileHandle | null = null;
    if (src.kind === 'file') input = await this.openLocal(src);
    try {
      for (;;) {
        const gaps = this.done.missing(this.size);
        if (gaps.length === 0) return;
        const missingBytes = gaps.reduce((n, [s, e]) => n + e - s, 0);
        const single = src.kind === 'file' || state.noRanges || this.size < tuning.minPieceSize;
        const lanes = single ? 1 : Math.max(1, Math.min(tuning.connectionsPerFile, Math.ceil(missingBytes / tuning.minPieceSize)));
        const pieceSize = state.noRanges
          ? this.size
          : single
            ? Math.max(this.size, 1)
            : Math.max(tuning.minPieceSize, Math.min(tuning.pieceSize, Math.ceil(missingBytes / lanes)));
        const queue = state.noRanges
          ? [newPiece(0, this.size)]
          : lanes === 1
            ? cutPieces(gaps, Number.MAX_SAFE_INTEGER)
            : cutPieces(gaps, pieceSize);
        const outcome = await this.runLanes(src, state, input, queue, lanes, !single);
        if (outcome === 'complete') continue;
        const err = outcome;
        if (err.kind === 'single-stream') {
          // Without ranges a broken stream can only start over: a few times, then the source is given up.
          if (state.noRanges && ++state.streamRestarts > tuning.retries) {
            const where = src.kind === 'http' ? redactUrl(src.url) : src.base;
            throw new AttemptError(
              'source',
              new OrchestratorError(
                'INCOMPLETE_DOWNLOAD',
                `${where}: the server cannot resume (it ignores Range) and its whole-file stream broke off ${state.streamRestarts} times. Try again later or use another source.`,
                { source: where },
              ),
            );
          }
          state.noRanges = true;
          this.resetBytes();
          continue;
        }
        if (err.kind === 'invalidate') {
          if (state.invalidations >= 1) throw new AttemptError('source', err.error);
          state.invalidations++;
          delete state.validator;
          this.resetBytes();
          continue;
        }
        throw err;
      }
    } finally {
      await input?.close().catch(() => undefined);
    }
  }

  private async openLocal(src: Extract<ResolvedSource, { kind: 'file' }>): Promise<FileHandle> {
    let input: FileHandle;
    try {
      input = await open(src.filePath, 'r');
    } catch (error) {
      const e = toOrchestratorError(error, src.base);
      const code: ErrorCode = e.code === 'PERMISSION_DENIED' ? 'PERMISSION_DENIED' : 'SOURCE_UNAVAILABLE';
      throw new AttemptError(
        'source',
        new OrchestratorError(
          code,
          `${src.base}: cannot read ${src.filePath} (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check the local mirror.`,
          { source: src.base, path: src.filePath },
        ),
      );
    }
    const { size } = await input.stat();
    if (size !== this.size) {
      await input.close();
      throw new AttemptError(
        'source',
        new OrchestratorError(
          'SIZE_MISMATCH',
          `${src.base}: ${src.filePath} has ${size} bytes but the manifest says ${this.size}. Check the local mirror.`,
          { source: src.base, expected: this.size, actual: size },
        ),
      );
    }
    return input;
  }

  /** Discards every byte written so far (the upstream file changed or only a whole stream works). */
  private resetBytes(): void {
    this.done.clear();
    this.unjournaled = 0;
    this.unhot = 0;
    this.restartFollower();
    void this.saveJournal();
  }

  private async runLanes(
    src: ResolvedSource,
    state: SourceState,
    input: FileHandle | null,
    queue: Piece[],
    laneCount: number,
    splittable: boolean,
  ): Promise<'complete' | AttemptError> {
    const { tuning, clock } = this.ctx;
    const stop = new AbortController();
    // Every lane of every piece listens to this signal while it waits or retries: many
    // listeners are expected here, not a leak.
    setMaxListeners(1000, stop.signal);
    const onUserAbort = () => stop.abort(this.userSignal.reason);
    this.userSignal.addEventListener('abort', onUserAbort, { once: true });
    const active = new Set<Piece>();
    let failure: AttemptError | null = null;
    let userError: unknown = null;
    const host = src.kind === 'http' ? new URL(src.url).host : '';

    /** The next piece; 'wait' when a range in flight may become worth splitting soon. */
    const take = (): Piece | 'wait' | null => {
      const next = queue.shift();
      if (next) return next;
      if (!splittable) return null;
      let waiting = false;
      // Tail: split the in-flight range that will take longest so no lane idles while one crawls.
      let best: Piece | null = null;
      let bestEta = 0;
      const now = clock.now();
      for (const p of active) {
        const left = p.end - p.received;
        if (left < 2 * tuning.minPieceSize) continue;
        const elapsed = now - p.attemptStartedAt;
        // A range that just started has no speed yet; judge it only after a while.
        if (elapsed < tuning.tailSplitMinMs) {
          waiting = true;
          continue;
        }
        const speed = p.attemptBytes / elapsed;
        const eta = speed > 0 ? left / speed : Number.POSITIVE_INFINITY;
        if (eta < tuning.tailSplitMinMs) {
          waiting = true;
          continue;
        }
        if (!best || eta > bestEta) [best, bestEta] = [p, eta];
      }
      if (!best) return waiting ? 'wait' : null;
      const mid = best.received + Math.floor((best.end - best.received) / 2);
      const tail = newPiece(mid, best.end);
      best.end = mid;
      return tail;
    };

    const sink: PieceSink = {
      write: (chunks, offset, length) => this.write(chunks, offset, length, state),
      received: (n) => {
        this.bytesFetched += n;
      },
    };

    const watchdog = setInterval(() => this.watch(active), Math.max(10, Math.min(1000, tuning.stallTimeoutMs / 4)));
    watchdog.unref();

    const lane = async () => {
      for (;;) {
        if (stop.signal.aborted) return;
        const piece = take();
        if (!piece) return;
        if (piece === 'wait') {
          await new Promise((r) => setTimeout(r, Math.max(10, Math.min(250, tuning.tailSplitMinMs / 2))));
          continue;
        }
        active.add(piece);
        try {
          await this.fetchWithRetries(src, state, input, piece, stop.signal, host, sink);
        } catch (error) {
          if (piece.written < piece.end) queue.unshift(newPiece(piece.written, piece.end));
          if (error instanceof AttemptError) failure ??= error;
          else if (!stop.signal.aborted || this.fatal) userError ??= error;
          stop.abort(new FatalStop('stop'));
          return;
        } finally {
          active.delete(piece);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: laneCount }, lane));
    } finally {
      clearInterval(watchdog);
      this.userSignal.removeEventListener('abort', onUserAbort);
    }
    if (this.fatal) throw this.fatal;
    this.userSignal.throwIfAborted();
    if (failure) return failure;
    if (userError) throw userError;
    return 'complete';
  }

  /** Stall and slow-range detection over the ranges in flight. */
  private watch(active: Set<Piece>): void {
    const { tuning, clock } = this.ctx;
    const now = clock.now();
    const speeds: number[] = [];
    for (const p of active) {
      if (!p.abort) continue;
      if (!p.waiting && now - p.lastByteAt > tuning.stallTimeoutMs) {
        p.abort('stalled');
        continue;
      }
      const elapsed = now - p.attemptStartedAt;
      if (elapsed > tuning.stallTimeoutMs) speeds.push(p.attemptBytes / elapsed);
    }
    if (speeds.length < 3 || this.ctx.rate.bytesPerSecond > 0) return;
    const sorted = [...speeds].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    for (const p of active) {
      const elapsed = now - p.attemptStartedAt;
      if (!p.abort || p.slowRestarted || elapsed <= tuning.stallTimeoutMs) continue;
      if (p.attemptBytes / elapsed < median / tuning.slowRangeFactor && p.end - p.received > tuning.minPieceSize) {
        p.slowRestarted = true;
        p.abort('slow');
      }
    }
  }

  private async fetchWithRetries(
    src: ResolvedSource,
    state: SourceState,
    input: FileHandle | null,
    piece: Piece,
    stop: AbortSignal,
    host: string,
    sink: PieceSink,
  ): Promise<void> {
    const { tuning, clock } = this.ctx;
    for (;;) {
      const attempt = new AbortController();
      let why: 'stalled' | 'slow' | null = null;
      const onStop = () => attempt.abort(stop.reason);
      stop.addEventListener('abort', onStop, { once: true });
      const before = piece.written;
      piece.received = piece.written;
      piece.attemptStartedAt = clock.now();
      piece.lastByteAt = piece.attemptStartedAt;
      piece.attemptBytes = 0;
      piece.abort = (reason) => {
        why = reason;
        attempt.abort(new DOMException(`range ${reason}`, 'AbortError'));
      };
      try {
        if (src.kind === 'file') {
          await fetchFilePiece(
            { input: input as FileHandle, sink, signal: attempt.signal, chunkSize: 4 * 1024 * 1024, now: clock.now, where: src.base },
            piece,
          );
        } else {
          // Waiting for a connection slot is not a stall: other files may hold the budget for long.
          piece.waiting = true;
          let release: () => void;
          try {
            release = await this.ctx.budget.acquire(host, attempt.signal);
          } finally {
            piece.waiting = false;
          }
          piece.attemptStartedAt = clock.now();
          piece.lastByteAt = piece.attemptStartedAt;
          try {
            await fetchHttpPiece(
              {
                dispatcher: this.ctx.dispatcher,
                source: src,
                state,
                size: this.size,
                clock,
                rate: this.ctx.rate,
                sink,
                signal: attempt.signal,
                userAgent: tuning.userAgent,
                writeChunkSize: tuning.writeChunkSize,
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
        if (this.fatal) throw this.fatal;
        if (stop.aborted) throw error;
        const failure = this.classify(error, why, src);
        if (failure.kind !== 'transient') throw failure;
        if (piece.written > before) piece.attempts = 0;
        if (!failure.free) piece.attempts++;
        // A host that cannot be reached is no passing fault worth a backoff: the next source takes
        // over at once; only the last source left gets a couple of quick retries.
        const lastSource = this.request.sources.every((s) => s === src || this.failed.has(s));
        const retries = failure.unreachable ? (lastSource ? Math.min(tuning.retries, UNREACHABLE_RETRIES) : 0) : tuning.retries;
        if (piece.attempts > retries) throw new AttemptError('source', failure.error);
        const backoff = failure.unreachable
          ? tuning.retryBaseDelayMs * (0.5 + tuning.random() / 2)
          : Math.min(tuning.retryMaxDelayMs, tuning.retryBaseDelayMs * 2 ** (piece.attempts - 1)) * (0.5 + tuning.random() / 2);
        const delay = failure.free
          ? 0
          : failure.retryAfterMs !== undefined
            ? Math.min(failure.retryAfterMs, tuning.maxRetryAfterMs)
            : backoff;
        if (delay > 0) await clock.sleep(delay, stop);
      } finally {
        stop.removeEventListener('abort', onStop);
        delete piece.abort;
      }
    }
  }

  private classify(error: unknown, why: 'stalled' | 'slow' | null, src: ResolvedSource): AttemptError {
    if (error instanceof AttemptError) return error;
    const where = src.kind === 'http' ? redactUrl(src.url) : src.base;
    if (why === 'stalled') {
      return new AttemptError(
        'transient',
        new OrchestratorError(
          'NETWORK_TIMEOUT',
          `${where}: no data for ${Math.round(this.ctx.tuning.stallTimeoutMs / 1000)} s. Check the network; the download resumes where it stopped.`,
          { source: where },
        ),
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
    const net = networkFailure(error, where);
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

  private async write(chunks: Buffer[], offset: number, length: number, state: SourceState): Promise<void> {
    const fh = this.fh as FileHandle;
    let at = offset;
    let left = length;
    let parts = chunks;
    try {
      while (left > 0) {
        const { bytesWritten } = parts.length === 1 ? await fh.write(parts[0] as Buffer, 0, left, at) : await fh.writev(parts, at);
        if (bytesWritten <= 0) throw Object.assign(new Error('no bytes written'), { code: 'ENOSPC' });
        this.recordWritten(at, at + bytesWritten, state);
        at += bytesWritten;
        left -= bytesWritten;
        if (left > 0) parts = [Buffer.concat(parts).subarray(length - left)];
      }
    } catch (error) {
      const e = toOrchestratorError(error, `writing ${this.request.file.path}`);
      if (e.code === 'NO_SPACE') {
        e.details.partialBytes = this.done.total;
      }
      this.fatal ??= e;
      throw new AttemptError('fatal', e);
    }
  }

  private recordWritten(start: number, end: number, state: SourceState): void {
    this.done.add(start, end);
    state.bytes += end - start;
    this.follower?.advance(this.done.prefix);
    const total = this.done.total;
    if (total > this.reported) {
      this.reported = total;
      this.request.onProgress?.(total);
    }
    this.unjournaled += end - start;
    this.unhot += end - start;
    if (this.unjournaled >= this.ctx.tuning.journalBytes) void this.saveJournal();
    else if (this.unhot >= this.ctx.tuning.hotJournalBytes) void this.saveHot();
  }

  private saveHot(): Promise<void> {
    if (this.savingHot) {
      this.hotAgain = true;
      return this.savingHot;
    }
    this.unhot = 0;
    const written = this.done.toJSON();
    this.savingHot = writeHotJournal(this.journalPath, { sha256: this.sha256, size: this.size, written })
      .catch(() => undefined)
      .finally(() => {
        this.savingHot = null;
        if (this.hotAgain) {
          this.hotAgain = false;
          void this.saveHot();
        }
      });
    return this.savingHot;
  }

  private startJournalTimer(): void {
    if (this.journalTimer) return;
    this.journalTimer = setInterval(() => {
      if (this.unjournaled > 0) void this.saveJournal();
    }, this.ctx.tuning.journalIntervalMs);
    this.journalTimer.unref();
  }

  /** Syncs the part file, then records what it holds; one save at a time, coalescing requests. */
  private saveJournal(): Promise<void> {
    if (this.saving) {
      this.saveAgain = true;
      return this.saving;
    }
    const fh = this.fh;
    if (!fh) return Promise.resolve();
    this.unjournaled = 0;
    const snapshot = this.done.toJSON();
    void this.saveHot();
    const validators: Record<string, SourceValidator> = {};
    for (const [src, st] of this.states) if (st.validator) validators[src.base] = st.validator;
    this.saving = (async () => {
      try {
        await fh.datasync();
        await writeJournal(this.journalPath, { sha256: this.sha256, size: this.size, done: snapshot, validators });
      } catch {
        // A journal that cannot be written only costs re-fetching on a restart.
      }
    })().finally(() => {
      this.saving = null;
      if (this.saveAgain) {
        this.saveAgain = false;
        void this.saveJournal();
      }
    });
    return this.saving;
  }

  private async digest(): Promise<string> {
    if (this.follower) {
      const follower = this.follower;
      const onAbort = () => follower.cancel();
      this.userSignal.addEventListener('abort', onAbort, { once: true });
      try {
        return await follower.finish(this.size);
      } finally {
        this.userSignal.removeEventListener('abort', onAbort);
        this.follower = null;
      }
    }
    return this.ctx.hashPool.hashFile(this.partPath, { signal: this.userSignal });
  }

  private async complete(): Promise<DownloadOutcome> {
    this.stopJournalTimer();
    await this.waitSaving();
    const fh = this.fh as FileHandle;
    if (this.ctx.tuning.syncOnComplete) await fh.datasync();
    await fh.close();
    this.fh = null;
    await removeJournal(this.journalPath);
    let source = this.request.sources[0] as ResolvedSource;
    let most = -1;
    for (const [src, st] of this.states) if (st.bytes > most) [source, most] = [src, st.bytes];
    return { filePath: this.partPath, source: source.base, bytesFetched: this.bytesFetched, failures: this.failures };
  }

  private async discard(): Promise<void> {
    this.stopJournalTimer();
    await this.waitSaving();
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
    await rm(this.partPath, { force: true });
    await removeJournal(this.journalPath);
  }

  private stopJournalTimer(): void {
    if (this.journalTimer) clearInterval(this.journalTimer);
    this.journalTimer = null;
  }

  private async waitSaving(): Promise<void> {
    while (this.saving || this.savingHot) await (this.saving ?? this.savingHot);
  }

  private async shutdown(): Promise<void> {
    this.stopJournalTimer();
    this.follower?.cancel();
    this.follower = null;
    if (this.fh) {
      // Keep the partial and a journal of what it holds, so the next attempt resumes.
      await this.waitSaving();
      if (this.done.total > 0) await this.saveJournal();
      await this.waitSaving();
      await this.fh.close().catch(() => undefined);
      this.fh = null;
      if (this.done.total === 0) {
        await rm(this.partPath, { force: true }).catch(() => undefined);
        await removeJournal(this.journalPath).catch(() => undefined);
      }
    }
  }

  private allSourcesFailed(): OrchestratorError {
    const codes = new Set(this.failures.map((f) => f.error.code));
    const only = codes.size === 1 ? ([...codes][0] as ErrorCode) : null;
    const code: ErrorCode =
      only && ['AUTH_FAIL', 'RATE_LIMIT', 'SIZE_MISMATCH', 'CHECKSUM_FAIL', 'NETWORK_TIMEOUT', 'INCOMPLETE_DOWNLOAD'].includes(only)
        ? only
        : 'SOURCE_UNAVAILABLE';
    const list = this.failures.map((f) => f.error.message).join(' ');
    const bytesPresent = this.done.total;
    // Bytes arrived but the transfer broke off on every source: the partial is kept for a retry.
    if (this.bytesFetched > 0 && bytesPresent > 0 && ['SOURCE_UNAVAILABLE', 'NETWORK_TIMEOUT', 'INCOMPLETE_DOWNLOAD'].includes(code)) {
      return new OrchestratorError(
        'INCOMPLETE_DOWNLOAD',
        `Could not finish ${this.request.file.path}: ${bytesPresent} of ${this.size} bytes arrived before every source broke off; they are kept, so trying again resumes from there. ${list}`,
        { path: this.request.file.path, bytesPresent, bytesExpected: this.size, failures: this.failures },
      );
    }
    return new OrchestratorError(code, `Could not download ${this.request.file.path} from any source. ${list}`, {
      path: this.request.file.path,
      failures: this.failures,
    });
  }

  private finalError(error: unknown): OrchestratorError {
    if (error instanceof AttemptError) error = error.error;
    if (this.userSignal.aborted || (isAbortError(error) && this.userSignal.aborted)) {
      return new OrchestratorError(
        'CANCELLED',
        `The download of ${this.request.file.path} was cancelled; the partial file is kept for resuming.`,
        { path: this.request.file.path, failures: this.failures },
      );
    }
    const e = toOrchestratorError(error, this.request.file.path);
    if (!('failures' in e.details)) e.details.failures = this.failures;
    return e;
  }
}

/** Bytes present in the partial file of `sha256` according to its journal (for status views). */
export async function partialBytes(partialDir: string, sha256: string, size: number): Promise<number> {
  const journalPath = join(partialDir, `${sha256}.journal.json`);
  const journal = await readJournal(journalPath, { sha256, size });
  const hot = await readHotJournal(journalPath, { sha256, size });
  if (!journal && hot.length === 0) return 0;
  try {
    await stat(join(partialDir, `${sha256}.part`));
  } catch {
    return 0;
  }
  return new RangeSet([...(journal?.done ?? []), ...hot]).total;
}
