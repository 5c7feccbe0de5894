/** Shared setup for download tests: random bytes, a temp partial folder, a small-tuned Downloader. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrchestratorError } from '../../../shared/errors';
import { Downloader, type DownloaderOptions } from '../../../main/core/download/downloader';
import { createHashPool, type FollowingHashPool } from '../../../main/core/hash/hash-pool';
import { structuredErrorOf } from '../../helpers/structured-error';

export function blob(size: number): { data: Buffer; sha256: string; size: number } {
  const data = randomBytes(size);
  return { data, sha256: createHash('sha256').update(data).digest('hex'), size };
}

export interface Fixture {
  dir: string;
  partialDir: string;
  pool: FollowingHashPool;
  downloaders: Downloader[];
  make(options?: Partial<DownloaderOptions>): Downloader;
  partialFiles(): string[];
  cleanup(): Promise<void>;
}

/** Short timeouts and small pieces so faults are hit quickly with KB-sized files. */
export const FAST: Partial<DownloaderOptions> = {
  pieceSize: 64 * 1024,
  minPieceSize: 16 * 1024,
  tailSplitMinMs: 50,
  connectionsPerFile: 4,
  // Every lane from the start: these tests are about the parallel ranges (widening has its own).
  widenAfterMs: 0,
  retries: 3,
  retryBaseDelayMs: 5,
  retryMaxDelayMs: 20,
  maxRetryAfterMs: 200,
  stallTimeoutMs: 300,
  journalIntervalMs: 50,
  requestTimeoutMs: 2_000,
  syncOnComplete: false,
  writeChunkSize: 16 * 1024,
};

export function fixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'dl-test-'));
  const partialDir = join(dir, '.partial');
  const pool = createHashPool(2);
  const downloaders: Downloader[] = [];
  return {
    dir,
    partialDir,
    pool,
    downloaders,
    make(options = {}) {
      const d = new Downloader({ partialDir, hashPool: pool, ...FAST, ...options });
      downloaders.push(d);
      return d;
    },
    partialFiles() {
      try {
        return readdirSync(partialDir).sort();
      } catch {
        return [];
      }
    },
    async cleanup() {
      await Promise.all(downloaders.map((d) => d.close()));
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The OrchestratorError a download fails with, its details plain data (anything else, or a success, fails the test). */
export async function failureOf(download: Promise<unknown>): Promise<OrchestratorError> {
  return structuredErrorOf(download);
}
