/** The FileDownloader the orchestrator tests run against. */
import type { Clock, FileDownloader, HashPool } from '../../../../main/core/ports';
import { SimpleDownloader } from './simple-downloader';

export function makeDownloader(options: { partialDir: string; hashPool: HashPool; clock?: Clock }): FileDownloader {
  return new SimpleDownloader(options.partialDir);
}
