/**
 * What a fault-matrix case needs: the orchestrator test bed (temp models root, the fault server)
 * with a real Downloader tuned short (a 400 ms stall timeout, few quick retries), so each fault
 * resolves in well under a few seconds, and a stopwatch for the case's time bound.
 */
import { Downloader, type DownloaderOptions } from '../../../main/core/download/downloader';
import { createHashPool } from '../../../main/core/hash/hash-pool';
import type { Orchestrator } from '../../../main/core/orchestrator';
import type { ModelSpec } from '../../../shared/manifest';
import { TestBed } from '../../integration/orchestrator/helpers/harness';

export const STALL_MS = 400;

export const FAULT_TUNING: Partial<DownloaderOptions> = {
  pieceSize: 64 * 1024,
  minPieceSize: 16 * 1024,
  tailSplitMinMs: 50,
  connectionsPerFile: 4,
  retries: 3,
  retryBaseDelayMs: 10,
  retryMaxDelayMs: 40,
  maxRetryAfterMs: 200,
  stallTimeoutMs: STALL_MS,
  minBytesPerSecond: 1024,
  journalIntervalMs: 50,
  requestTimeoutMs: 2_000,
  syncOnComplete: false,
  writeChunkSize: 16 * 1024,
};

export class FaultBed {
  private readonly downloaders: Downloader[] = [];

  private constructor(readonly bed: TestBed) {}

  static async create(): Promise<FaultBed> {
    return new FaultBed(await TestBed.create());
  }

  get root(): string {
    return this.bed.root;
  }

  /** An orchestrator over `models` whose downloader uses FAULT_TUNING (plus `tuning`). */
  orchestrator(models: ModelSpec[], tuning: Partial<DownloaderOptions> = {}, root = this.bed.root): Orchestrator {
    const hashPool = createHashPool(2);
    this.bed.hashPools.push(hashPool);
    const downloader = new Downloader({ partialDir: `${root}/.partial`, hashPool, ...FAULT_TUNING, ...tuning });
    this.downloaders.push(downloader);
    return this.bed.orchestrator(models, { downloader, hashPool, root });
  }

  async dispose(): Promise<void> {
    await this.bed.dispose();
    await Promise.all(this.downloaders.map((d) => d.close().catch(() => undefined)));
  }
}

/** Milliseconds since this stopwatch was made. */
export function stopwatch(): () => number {
  const start = performance.now();
  return () => performance.now() - start;
}
