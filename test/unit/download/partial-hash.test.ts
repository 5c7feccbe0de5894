import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHashPool, type FollowingHashPool } from '../../../main/core/hash/hash-pool';
import { PartialHash } from '../../../main/core/download/partial-hash';

const dir = mkdtempSync(join(tmpdir(), 'partial-hash-'));
const pool = createHashPool(1);
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The shared pool, counting what is asked of it: follows and whole-file hashes both read the file back. */
function countingPool() {
  const calls = { follow: 0, hashFile: 0 };
  const counted: FollowingHashPool = {
    size: pool.size,
    hashFile: (p, o) => (calls.hashFile++, pool.hashFile(p, o)),
    follow: (p) => (calls.follow++, pool.follow(p)),
    close: async () => undefined,
  };
  return { pool: counted, calls };
}

/** Writes `data` to a fresh part file in `pieces` [start, end) in the given order, reporting each write. */
async function writeInPieces(path: string, data: Buffer, pieces: Array<[number, number]>, hash: PartialHash): Promise<void> {
  const fh = await open(path, 'w+');
  await fh.truncate(data.length);
  const done: Array<[number, number]> = [];
  for (const [s, e] of pieces) {
    await fh.write(data, s, e - s, s);
    hash.wrote(s, [data.subarray(s, e)], e - s);
    done.push([s, e]);
    let prefix = 0;
    for (const [a, b] of [...done].sort((x, y) => x[0] - y[0])) if (a <= prefix) prefix = Math.max(prefix, b);
    hash.advance(prefix);
  }
  await fh.close();
}

describe('hashing a partial file while it is written', () => {
  it('follows the bytes as they land and gives the digest of the whole file', async () => {
    const data = randomBytes(300_000);
    const path = join(dir, 'follow.part');
    const fh = await open(path, 'w+');
    await fh.truncate(data.length);
    const hash = new PartialHash(pool, path);
    hash.restart(0);
    for (let at = 0; at < data.length; at += 100_000) {
      await fh.write(data, at, 100_000, at);
      hash.advance(at + 100_000);
    }
    await fh.close();
    expect(await hash.digest(data.length, new AbortController().signal)).toBe(sha256(data));
  });

  it('starts over after a restart, so discarded bytes never count', async () => {
    const first = randomBytes(50_000);
    const second = randomBytes(50_000);
    const path = join(dir, 'restart.part');
    writeFileSync(path, first);
    const hash = new PartialHash(pool, path);
    hash.restart(first.length);
    writeFileSync(path, second);
    hash.restart(0);
    hash.advance(second.length);
    expect(await hash.digest(second.length, new AbortController().signal)).toBe(sha256(second));
  });

  it('hashes the whole file at the end when the pool cannot follow', async () => {
    const data = randomBytes(10_000);
    const path = join(dir, 'whole.part');
    writeFileSync(path, data);
    const hash = new PartialHash({ size: 1, hashFile: (p, o) => pool.hashFile(p, o), close: async () => undefined }, path);
    hash.restart(0);
    expect(await hash.digest(data.length, new AbortController().signal)).toBe(sha256(data));
  });

  it('hashes bytes that arrive in order from memory, reading nothing back', async () => {
    const data = randomBytes(250_000);
    const path = join(dir, 'in-order.part');
    const { pool: counted, calls } = countingPool();
    const hash = new PartialHash(counted, path);
    hash.restart(0);
    await writeInPieces(
      path,
      data,
      [
        [0, 100_000],
        [100_000, 200_000],
        [200_000, 250_000],
      ],
      hash,
    );
    expect(await hash.digest(data.length, new AbortController().signal)).toBe(sha256(data));
    expect(calls).toEqual({ follow: 0, hashFile: 0 });
    expect(hash.hashedFromMemory).toBe(data.length);
  });

  it('hands over to a follower reading the file when bytes arrive out of order (several lanes)', async () => {
    const data = randomBytes(300_000);
    const path = join(dir, 'out-of-order.part');
    const { pool: counted, calls } = countingPool();
    const hash = new PartialHash(counted, path);
    hash.restart(0);
    await writeInPieces(
      path,
      data,
      [
        [0, 50_000],
        [150_000, 300_000],
        [50_000, 150_000],
      ],
      hash,
    );
    expect(await hash.digest(data.length, new AbortController().signal)).toBe(sha256(data));
    expect(calls.follow).toBe(1);
  });

  it('reads the resumed bytes back after a resume, then follows the new ones', async () => {
    const data = randomBytes(200_000);
    const path = join(dir, 'resumed.part');
    writeFileSync(path, Buffer.concat([data.subarray(0, 120_000), Buffer.alloc(80_000)]));
    const { pool: counted, calls } = countingPool();
    const hash = new PartialHash(counted, path);
    hash.restart(120_000);
    const fh = await open(path, 'r+');
    await fh.write(data, 120_000, 80_000, 120_000);
    await fh.close();
    hash.wrote(120_000, [data.subarray(120_000)], 80_000);
    hash.advance(200_000);
    expect(await hash.digest(data.length, new AbortController().signal)).toBe(sha256(data));
    expect(calls.follow).toBe(1);
    expect(hash.hashedFromMemory).toBe(0);
  });

  it('falls back to a whole-file hash when the in-order run breaks and the pool cannot follow', async () => {
    const data = randomBytes(120_000);
    const path = join(dir, 'broken-run.part');
    const hash = new PartialHash({ size: 1, hashFile: (p, o) => pool.hashFile(p, o), close: async () => undefined }, path);
    hash.restart(0);
    await writeInPieces(
      path,
      data,
      [
        [60_000, 120_000],
        [0, 60_000],
      ],
      hash,
    );
    expect(await hash.digest(data.length, new AbortController().signal)).toBe(sha256(data));
  });
  it('puts a large file on a follower from the start, so the main thread never hashes it', async () => {
    const data = randomBytes(250_000);
    const path = join(dir, 'on-worker.part');
    writeFileSync(path, ''); // the downloader opens the part file before it restarts the hash
    const { pool: counted, calls } = countingPool();
    const hash = new PartialHash(counted, path, { onWorker: true });
    hash.restart(0);
    await writeInPieces(
      path,
      data,
      [
        [0, 100_000],
        [100_000, 250_000],
      ],
      hash,
    );
    expect(await hash.digest(data.length, new AbortController().signal)).toBe(sha256(data));
    expect(calls).toEqual({ follow: 1, hashFile: 0 });
    expect(hash.hashedFromMemory).toBe(0);
  });
});
