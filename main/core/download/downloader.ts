/**
 * The download engine: fetches one manifest file into `<partialDir>/<sha256>.part`, verified,
 * ready for the store to move into blobs/. Owns what all files share: one keep-alive undici
 * Agent, the global and per-host connection budget, and the bandwidth limit. Partial files are
 * named by content, so the same file in two models shares one partial, and two concurrent
 * requests for the same content in this process share one download.
 */
import type { Clock, DownloadOutcome, DownloadRequest, FileDownloader, HashPool } from '../ports';
import type { FollowingHashPool } from '../hash/hash-pool';
import { ConnectionBudget } from './connection-budget';
import type { DownloadTuning } from './download-context';
import { runFileDownload } from './file-download';
import { systemClock } from '../system/system-clock';
import { TokenBucket } from './token-bucket';
import { createHttpDispatcher, type HttpDispatcher, type NetworkOptions } from '../net/http-dispatcher';

export type { DownloadTuning } from './download-context';
export { partialBytes } from './partial-bytes';

export interface DownloaderOptions extends Partial<DownloadTuning> {
  /** Folder for partial files and journals (`<root>/.partial`). */
  partialDir: string;
  /** Hashes while downloading when it offers `follow` (createHashPool does); otherwise hashes after. */
  hashPool: HashPool | FollowingHashPool;
  clock?: Clock;
  /** Connections across every file at once (default 16). */
  maxConnections?: number;
  /** Connections to one host at once (default 16). */
  maxConnectionsPerHost?: number;
  /** Bandwidth limit in bytes per second across all downloads; 0 = none (default). */
  maxBytesPerSecond?: number;
  /** Time to connect and to get response headers (default 30 s). */
  requestTimeoutMs?: number;
  /** Proxy and CA file for every request (default: HTTP(S)_PROXY, NO_PROXY and the default roots). */
  network?: NetworkOptions;
}

const MiB = 1024 * 1024;

export const DEFAULT_TUNING: DownloadTuning = {
  connectionsPerFile: 8,
  pieceSize: 16 * MiB,
  minPieceSize: 4 * MiB,
  tailSplitMinMs: 500,
  widenAfterMs: 300,
  oneConnectionEnoughBytesPerSecond: 256 * MiB,
  hashOnWorkerFromBytes: 8 * MiB,
  retries: 5,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  stallTimeoutMs: 30_000,
  minBytesPerSecond: 1024,
  slowRangeFactor: 5,
  journalIntervalMs: 1_000,
  journalBytes: 32 * MiB,
  hotJournalBytes: 16 * MiB,
  hotJournalIntervalMs: 25,
  writeChunkSize: 512 * 1024,
  writeFlushMs: 25,
  receiveBufferBytes: 4 * MiB,
  redirectTtlMs: 5 * 60_000,
  maxRedirects: 10,
  userAgent: 'model-orchestrator/0.1',
  preallocateFromBytes: 64 * MiB,
  syncOnComplete: true,
  random: Math.random,
};

export class Downloader implements FileDownloader {
  private agent: HttpDispatcher | null = null;
  private readonly budget: ConnectionBudget;
  private readonly rate: TokenBucket;
  private readonly tuning: DownloadTuning;
  private readonly clock: Clock;
  private readonly inFlight = new Map<string, Promise<DownloadOutcome>>();

  constructor(private readonly options: DownloaderOptions) {
    this.clock = options.clock ?? systemClock;
    const tuning: DownloadTuning = { ...DEFAULT_TUNING };
    for (const key of Object.keys(DEFAULT_TUNING) as Array<keyof DownloadTuning>) {
      const v = options[key];
      if (v !== undefined) (tuning as unknown as Record<string, unknown>)[key] = v;
    }
    this.tuning = tuning;
    const perHost = options.maxConnectionsPerHost ?? 16;
    this.budget = new ConnectionBudget(options.maxConnections ?? 16, perHost);
    this.rate = new TokenBucket(this.clock, options.maxBytesPerSecond ?? 0);
  }

  /**
   * Built on first use, so a CA file that cannot be read fails the download that needs it with
   * INVALID_CONFIG (and a clear message) instead of keeping the app from starting.
   */
  private dispatcher(): HttpDispatcher {
    if (this.agent) return this.agent;
    const timeout = this.options.requestTimeoutMs ?? 30_000;
    this.agent = createHttpDispatcher({
      ...this.options.network,
      connections: this.options.maxConnectionsPerHost ?? 16,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connectTimeout: timeout,
      headersTimeout: timeout,
      // Our own watchdog detects stalls; undici's body timer would also fire while we
      // deliberately pause reading under a bandwidth limit.
      bodyTimeout: 0,
    });
    return this.agent;
  }

  download(request: DownloadRequest): Promise<DownloadOutcome> {
    const key = request.file.sha256.toLowerCase();
    const running = this.inFlight.get(key);
    if (running) return running;
    let dispatcher: HttpDispatcher;
    try {
      dispatcher = this.dispatcher();
    } catch (error) {
      return Promise.reject(error);
    }
    const p = runFileDownload(
      {
        partialDir: this.options.partialDir,
        hashPool: this.options.hashPool,
        clock: this.clock,
        dispatcher,
        budget: this.budget,
        rate: this.rate,
        tuning: this.tuning,
      },
      request,
    ).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  /** Changes the bandwidth limit of every running and future download (0 = unlimited). */
  setMaxBytesPerSecond(bytesPerSecond: number): void {
    this.rate.setRate(bytesPerSecond);
  }

  get maxBytesPerSecond(): number {
    return this.rate.bytesPerSecond;
  }

  /** Closes the keep-alive connections. Running downloads should be cancelled first. */
  async close(): Promise<void> {
    await this.agent?.close();
  }
}
