/** The FileDownloader the orchestrator tests run against: the real one, with short retry delays. */
import { Downloader } from '../../../../main/core/download/downloader';
import type { Clock, FileDownloader, HashPool } from '../../../../main/core/ports';

export function makeDownloader(options: { partialDir: string; hashPool: HashPool; clock?: Clock }): FileDownloader {
  return new Downloader({
    partialDir: options.partialDir,
    hashPool: options.hashPool,
    ...(options.clock ? { clock: options.clock } : {}),
    retries: 1,
    retryBaseDelayMs: 10,
    retryMaxDelayMs: 50,
    stallTimeoutMs: 5_000,
    pieceSize: 64 * 1024,
    minPieceSize: 16 * 1024,
  });
}
