/**
 * One file's download: resume state from the journal, then source after source (source-failures)
 * runs lanes (lane-scheduler) that fetch pieces with retries (piece-retries) into the partial
 * file, hashing while writing (partial-hash) and journaling what is on disk (journal-saver),
 * and finally the verification against the manifest's sha256.
 */
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { OrchestratorError, isAbortError, toOrchestratorError } from '../../../shared/errors';
import type { DownloadOutcome, DownloadRequest, ResolvedSource } from '../ports';
import { redactUrl } from '../sources/url-path';
import { AttemptError } from './attempt-error';
import type { FileDownloadContext } from './download-context';
import type { HttpSourceState } from './fetch-http-piece';
import { readHotJournal, readJournal, removeJournal, type SourceValidator } from './journal';
import { JournalSaver } from './journal-saver';
import { runLanes } from './lane-scheduler';
import { probeQueue, probeWindowBytes } from './lane-widening';
import { openLocalSource } from './local-source';
import { noSpaceError } from './no-space-error';
import { PartialHash } from './partial-hash';
import { cutPieces, newPiece } from './piece';
import { fetchPieceWithRetries } from './piece-retries';
import type { PieceSink } from './piece-sink';
import { RangeSet } from './range-set';
import { reserveSpace } from './reserve-space';
import { SourceFailures } from './source-failures';

export type { DownloadTuning, FileDownloadContext } from './download-context';

type SourceState = HttpSourceState & { bytes: number; invalidations: number; streamRestarts: number };

export async function runFileDownload(ctx: FileDownloadContext, request: DownloadRequest): Promise<DownloadOutcome> {
  return new FileDownload(ctx, request).run();
}

class FileDownload {
  private readonly size: number;
  private readonly sha256: string;
  private readonly partPath: string;
  private readonly journalPath: string;
  private readonly failures: SourceFailures;
  private readonly states = new Map<ResolvedSource, SourceState>();
  private readonly hash: PartialHash;
  private readonly journal: JournalSaver;
  private done = new RangeSet();
  private fh: FileHandle | null = null;
  /** The last write queued on the part file (writes run one at a time). */
  private writing: Promise<unknown> = Promise.resolve();
  private bytesFetched = 0;
  /** prepare() found journals of this file (they stay on disk until removed). */
  private journalOnDisk = false;
  private reported = 0;
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
    this.failures = new SourceFailures(request.sources);
    this.hash = new PartialHash(ctx.hashPool, this.partPath, { onWorker: this.size >= ctx.tuning.hashOnWorkerFromBytes });
    this.journal = new JournalSaver({
      journalPath: this.journalPath,
      sha256: this.sha256,
      size: this.size,
      journalBytes: ctx.tuning.journalBytes,
      hotJournalBytes: ctx.tuning.hotJournalBytes,
      hotJournalIntervalMs: ctx.tuning.hotJournalIntervalMs,
      now: () => ctx.clock.now(),
      journalIntervalMs: ctx.tuning.journalIntervalMs,
      done: () => this.done,
      validators: () => {
        const out: Record<string, SourceValidator> = {};
        for (const [src, st] of this.states) if (st.validator) out[src.base] = st.validator;
        return out;
      },
      file: () => this.fh,
    });
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
        const digest = await this.hash.digest(this.size, this.userSignal);
        if (digest === this.sha256) return await this.complete();
        await this.discard();
        if (suspectResume && !cleanRetryUsed) {
          // Bytes from an earlier run may be the bad ones: try once more from scratch.
          cleanRetryUsed = true;
          continue;
        }
        const served = [...contributors].map((src) => (src.kind === 'http' ? redactUrl(src.url) : src.base)).join(', ');
        const error = new OrchestratorError(
          'CHECKSUM_FAIL',
          `${this.request.file.path}: ${served} served damaged data (sha256 ${digest}, the manifest expects ${this.sha256}). The bytes were deleted and nothing was installed. Check the source, or the manifest if the file changed upstream.`,
          { path: this.request.file.path, expected: this.sha256, actual: digest, sources: [...contributors].map((src) => src.base) },
        );
        for (const src of contributors) this.failures.add(src, error);
        if (this.failures.allFailed) {
          error.details.failures = [...this.failures.list];
          throw error;
        }
      }
    } catch (error) {
      throw await this.finalError(error);
    } finally {
      await this.shutdown();
    }
  }

  /** Opens the partial file and loads what a previous run left; true when bytes were resumed. */
  private async prepare(): Promise<boolean> {
    await mkdir(this.ctx.partialDir, { recursive: true });
    // Opened or created in one call, without truncating what an earlier run left.
    const fh = await open(this.partPath, constants.O_RDWR | constants.O_CREAT);
    this.fh = fh;
    const { size } = await fh.stat();
    this.done = new RangeSet();
    this.states.clear();
    // A journal only speaks for a part file of full length; a new file needs no journal read.
    const expected = { sha256: this.sha256, size: this.size };
    const journal = size === this.size ? await readJournal(this.journalPath, expected) : null;
    // Bytes a killed process left in the page cache (same boot only) are as good as synced ones.
    const hot = size === this.size ? await readHotJournal(this.journalPath, expected) : [];
    this.journalOnDisk = journal !== null || hot.length > 0;
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
    // Full length up front: ranges are written at their offsets. The space is reserved where the
    // filesystem can, so another program filling the disk cannot make this download run out.
    if (this.done.total === 0 || size !== this.size) await fh.truncate(this.size);
    if (this.size >= this.ctx.tuning.preallocateFromBytes) await reserveSpace(this.partPath, this.size);
    this.hash.restart(this.done.prefix);
    this.journal.startTimer();
    return this.done.total > 0;
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
      const src = this.failures.next();
      if (!src) throw this.failures.allFailedError(this.request.file, { bytesFetched: this.bytesFetched, bytesPresent: this.done.total });
      used.add(src);
      try {
        await this.runSource(src);
      } catch (error) {
        if (error instanceof AttemptError && error.kind === 'source') {
          this.failures.add(src, error.error);
          // A source that sent more bytes than the file has serves something else: its bytes go too.
          if (error.error.code === 'SIZE_MISMATCH' && this.stateOf(src).bytes > 0) this.resetBytes();
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
    const input = src.kind === 'file' ? await openLocalSource(src, this.size) : null;
    const sink: PieceSink = {
      write: (chunks, offset, length) => this.write(chunks, offset, length, state),
      received: (n) => {
        this.bytesFetched += n;
      },
    };
    const job = {
      ctx: this.ctx,
      source: src,
      state,
      input,
      size: this.size,
      sink,
      isLastSource: () => this.failures.isLast(src),
      fatal: () => this.fatal,
    };
    try {
      for (;;) {
        const gaps = this.done.missing(this.size);
        if (gaps.length === 0) return;
        const missingBytes = gaps.reduce((n, [s, e]) => n + e - s, 0);
        const single = src.kind === 'file' || state.noRanges || this.size < tuning.minPieceSize;
        const lanes = single ? 1 : Math.max(1, Math.min(tuning.connectionsPerFile, Math.ceil(missingBytes / tuning.minPieceSize)));
        const pieceSize = single
          ? Math.max(this.size, 1)
          : Math.max(tuning.minPieceSize, Math.min(tuning.pieceSize, Math.ceil(missingBytes / lanes)));
        // Several lanes start with the first alone and widen only if it is too slow (lane-widening.ts).
        const widen = lanes > 1 && tuning.widenAfterMs > 0;
        // At most a lane's share of the file: when the others join, they still have queued pieces
        // while the first lane finishes the window, so no idle lane cuts it short in flight (bytes
        // fetched twice).
        const window = Math.min(
          Math.max(pieceSize, Math.floor(missingBytes / lanes)),
          probeWindowBytes({ afterMs: tuning.widenAfterMs, enoughBytesPerSecond: tuning.oneConnectionEnoughBytesPerSecond }),
        );
        const queue = state.noRanges
          ? [newPiece(0, this.size)]
          : lanes === 1
            ? cutPieces(gaps, Number.MAX_SAFE_INTEGER)
            : widen
              ? probeQueue(gaps, window)
              : cutPieces(gaps, pieceSize);
        const outcome = await runLanes({
          queue,
          laneCount: lanes,
          splittable: !single,
          ...(widen
            ? {
                widen: {
                  afterMs: tuning.widenAfterMs,
                  enoughBytesPerSecond: tuning.oneConnectionEnoughBytesPerSecond,
                  pieceSize,
                  received: () => this.bytesFetched,
                },
              }
            : {}),
          tuning,
          clock: this.ctx.clock,
          limits: () => ({
            rateLimited: this.ctx.rate.bytesPerSecond > 0,
            // The last source left is slow, not replaceable: let it go on at its pace.
            minBytesPerSecond: this.failures.isLast(src) ? 0 : tuning.minBytesPerSecond,
          }),
          userSignal: this.userSignal,
          fetchPiece: (piece, stop) => fetchPieceWithRetries(job, piece, stop),
          fatal: () => this.fatal,
        });
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

  /** Discards every byte written so far (the upstream file changed or only a whole stream works). */
  private resetBytes(): void {
    this.done.clear();
    for (const st of this.states.values()) st.bytes = 0;
    this.hash.restart(0);
    this.journal.reset();
  }

  /**
   * One write to the part file at a time: parallel writes to one file only queue on the inode
   * lock in the kernel, where waiting threads spin (measured: 6 % of the CPU of a 1 GiB download).
   */
  private write(chunks: Buffer[], offset: number, length: number, state: SourceState): Promise<void> {
    const run = this.writing.then(() => this.writeNow(chunks, offset, length, state));
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async writeNow(chunks: Buffer[], offset: number, length: number, state: SourceState): Promise<void> {
    const fh = this.fh as FileHandle;
    let at = offset;
    let left = length;
    let parts = chunks;
    try {
      while (left > 0) {
        const { bytesWritten } = parts.length === 1 ? await fh.write(parts[0] as Buffer, 0, left, at) : await fh.writev(parts, at);
        if (bytesWritten <= 0) throw Object.assign(new Error('no bytes written'), { code: 'ENOSPC' });
        this.hash.wrote(at, parts, bytesWritten);
        this.recordWritten(at, at + bytesWritten, state);
        at += bytesWritten;
        left -= bytesWritten;
        if (left > 0) parts = [Buffer.concat(parts).subarray(length - left)];
      }
    } catch (error) {
      let e = toOrchestratorError(error, `writing ${this.request.file.path}`);
      if (e.code === 'NO_SPACE') e = await this.noSpace();
      this.fatal ??= e;
      throw new AttemptError('fatal', this.fatal);
    }
  }

  private recordWritten(start: number, end: number, state: SourceState): void {
    this.done.add(start, end);
    state.bytes += end - start;
    this.hash.advance(this.done.prefix);
    const total = this.done.total;
    if (total > this.reported) {
      this.reported = total;
      this.request.onProgress?.(total);
    }
    this.journal.recorded(end - start);
  }

  private async complete(): Promise<DownloadOutcome> {
    this.journal.stopTimer();
    await this.journal.idle();
    const fh = this.fh as FileHandle;
    if (this.ctx.tuning.syncOnComplete) await fh.datasync();
    await fh.close();
    this.fh = null;
    // A small file is often done before any journal was written: then there is none to remove.
    if (this.journal.wroteAny || this.journalOnDisk) await removeJournal(this.journalPath);
    let source = this.request.sources[0] as ResolvedSource;
    let most = -1;
    for (const [src, st] of this.states) if (st.bytes > most) [source, most] = [src, st.bytes];
    return { filePath: this.partPath, source: source.base, bytesFetched: this.bytesFetched, failures: this.failures.list };
  }

  private async discard(): Promise<void> {
    this.journal.stopTimer();
    await this.journal.idle();
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
    await rm(this.partPath, { force: true });
    await removeJournal(this.journalPath);
  }

  private async shutdown(): Promise<void> {
    this.journal.stopTimer();
    this.hash.cancel();
    if (this.fh) {
      // Keep the partial and a journal of what it holds, so the next attempt resumes.
      await this.journal.idle();
      if (this.done.total > 0) await this.journal.save();
      await this.journal.idle();
      await this.fh.close().catch(() => undefined);
      this.fh = null;
      if (this.done.total === 0) {
        await rm(this.partPath, { force: true }).catch(() => undefined);
        await removeJournal(this.journalPath).catch(() => undefined);
      }
    }
  }

  private noSpace(): Promise<OrchestratorError> {
    return noSpaceError({ folder: this.ctx.partialDir, file: this.request.file, bytesPresent: this.done.total });
  }

  private async finalError(error: unknown): Promise<OrchestratorError> {
    if (error instanceof AttemptError) error = error.error;
    if (this.userSignal.aborted || (isAbortError(error) && this.userSignal.aborted)) {
      return new OrchestratorError(
        'CANCELLED',
        `The download of ${this.request.file.path} was cancelled; the partial file is kept for resuming.`,
        { path: this.request.file.path, failures: this.failures.list },
      );
    }
    let e = toOrchestratorError(error, this.request.file.path);
    // ENOSPC/EDQUOT anywhere on the way (reserving, writing, syncing): say where and how much.
    if (e.code === 'NO_SPACE' && !('bytesNeeded' in e.details)) e = await this.noSpace();
    if (!('failures' in e.details)) e.details.failures = this.failures.list;
    return e;
  }
}
