/**
 * A separate process that downloads one file with the real Downloader, for tests that kill it
 * with SIGKILL mid-download. Prints `progress <bytes>` lines and finally `done <json outcome>`.
 * Usage: node --import tsx download-child.ts <url> <partialDir> <sha256> <size>
 */
import { Downloader } from '../../../main/core/download/downloader';
import { createHashPool } from '../../../main/core/hash/hash-pool';

const [url, partialDir, sha256, size] = process.argv.slice(2) as [string, string, string, string];
const pool = createHashPool(1);
const downloader = new Downloader({
  partialDir,
  hashPool: pool,
  connectionsPerFile: 4,
  pieceSize: 256 * 1024,
  minPieceSize: 64 * 1024,
  journalIntervalMs: 50,
  writeChunkSize: 16 * 1024,
  retryBaseDelayMs: 10,
  syncOnComplete: false,
});
let last = 0;
const out = await downloader.download({
  file: { path: 'big.bin', size: Number(size), sha256 },
  sources: [{ kind: 'http', base: 'http://test', url }],
  onProgress: (n) => {
    if (n - last >= 64 * 1024) {
      last = n;
      process.stdout.write(`progress ${n}\n`);
    }
  },
});
process.stdout.write(`done ${JSON.stringify(out)}\n`);
await downloader.close();
await pool.close();
