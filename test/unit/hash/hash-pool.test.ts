import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHashPool } from '../../../main/core/hash/hash-pool';

const dir = mkdtempSync(join(tmpdir(), 'hash-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function file(name: string, size: number): { path: string; data: Buffer } {
  const data = randomBytes(size);
  const path = join(dir, name);
  writeFileSync(path, data);
  return { path, data };
}

describe('hash pool', () => {
  it('hashes files on worker threads, several at once, with progress', async () => {
    const pool = createHashPool(2);
    const files = [file('a', 5_000_000), file('b', 70_000_000), file('c', 0), file('d', 123)];
    const progress: number[] = [];
    const digests = await Promise.all(files.map((f, i) => pool.hashFile(f.path, i === 1 ? { onProgress: (n) => progress.push(n) } : {})));
    expect(digests).toEqual(files.map((f) => sha(f.data)));
    expect(progress.at(-1)).toBe(70_000_000);
    expect(progress.length).toBeGreaterThan(1);
    expect(pool.size).toBe(2);
    await pool.close();
  });

  it('stops a hash when its signal aborts and keeps serving others', async () => {
    const pool = createHashPool(1);
    const big = file('big', 60_000_000);
    const small = file('small', 1000);
    const ctl = new AbortController();
    const aborted = pool.hashFile(big.path, { signal: ctl.signal });
    const queued = pool.hashFile(small.path);
    ctl.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(await queued).toBe(sha(small.data));
    await pool.close();
  });

  it('rejects a missing file with its errno code', async () => {
    const pool = createHashPool(1);
    await expect(pool.hashFile(join(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
    await pool.close();
  });

  it('rejects pending work on close and refuses new work', async () => {
    const pool = createHashPool(1);
    const big = file('big2', 80_000_000);
    const pending = expect(pool.hashFile(big.path)).rejects.toThrow(/closed/);
    await pool.close();
    await pending;
    await expect(pool.hashFile(big.path)).rejects.toThrow(/closed/);
  });

  it('follows a growing file and has the digest as soon as the last byte is written', async () => {
    const pool = createHashPool(2);
    const data = randomBytes(3_000_000);
    const path = join(dir, 'growing');
    const fd = openSync(path, 'w');
    const follower = pool.follow(path);
    for (let at = 0; at < data.length; at += 100_000) {
      writeSync(fd, data, at, 100_000, at);
      follower.advance(at + 100_000);
    }
    closeSync(fd);
    expect(await follower.finish(data.length)).toBe(sha(data));
    await pool.close();
  });

  it('a cancelled follower rejects its finish', async () => {
    const pool = createHashPool(1);
    const path = join(dir, 'cancelled');
    writeFileSync(path, randomBytes(1000));
    const follower = pool.follow(path);
    const digest = follower.finish(5000);
    follower.cancel();
    await expect(digest).rejects.toMatchObject({ name: 'AbortError' });
    await pool.close();
  });

  it('a follower reports a file shorter than promised', async () => {
    const pool = createHashPool(1);
    const path = join(dir, 'short');
    writeFileSync(path, randomBytes(1000));
    await expect(pool.follow(path).finish(2000)).rejects.toThrow(/ended at byte 1000/);
    await pool.close();
  });
});
