/** What one file's download is given: its knobs (defaults in downloader.ts) and the parts all files share. */
import type { Dispatcher } from 'undici';
import type { Clock, HashPool } from '../ports';
import type { FollowingHashPool } from '../hash/hash-pool';
import type { ConnectionBudget } from './connection-budget';
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
  /**
   * A file starts on one connection; after this long the other lanes join unless that connection
   * receives at least `oneConnectionEnoughBytesPerSecond` (lane-widening.ts). 0: all lanes at once.
   */
  widenAfterMs: number;
  oneConnectionEnoughBytesPerSecond: number;
  /**
   * Files from this size up are hashed on a hash worker that follows the writer (reading the bytes
   * just written back from the page cache), smaller ones on the main thread from memory as they
   * arrive: for a large file the main thread is the busiest, for a small one a worker round trip
   * costs more than the hash.
   */
  hashOnWorkerFromBytes: number;
  /** Attempts per piece for transient failures before the source is given up for this file. */
  retries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Longest Retry-After honoured; longer waits use this. */
  maxRetryAfterMs: number;
  /** No byte for this long on a range: the range is retried on a new connection. */
  stallTimeoutMs: number;
  /**
   * A range below this speed over a whole stall timeout counts as stalled, so a trickling source
   * gives way to the next one (not enforced on the last source left, nor under a bandwidth limit).
   */
  minBytesPerSecond: number;
  /** A range slower than the median of its siblings divided by this is restarted (once). */
  slowRangeFactor: number;
  /** Journal written about this often while bytes arrive... */
  journalIntervalMs: number;
  /** ...and after this many new bytes, whichever comes first. */
  journalBytes: number;
  /** The hot (unsynced, same-boot) journal is rewritten after this many new bytes... */
  hotJournalBytes: number;
  /** ...or when bytes wait unrecorded this long, so a kill -9 on a slow link loses little. */
  hotJournalIntervalMs: number;
  /** Bytes gathered before one write to the partial file... */
  writeChunkSize: number;
  /** ...or fewer once they waited this long (slow links: bytes in memory are lost on a kill). */
  writeFlushMs: number;
  /** Bytes one HTTP response may hold in memory before it is paused or cut and resumed by range. */
  receiveBufferBytes: number;
  /** How long a redirect target (e.g. a signed CDN URL) is reused before asking the original URL again. */
  redirectTtlMs: number;
  maxRedirects: number;
  userAgent: string;
  /**
   * Files from this size up get their disk space reserved when they start (see reserve-space.ts);
   * below it the ~15 ms of running fallocate would cost more than a full disk is likely to.
   */
  preallocateFromBytes: number;
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
