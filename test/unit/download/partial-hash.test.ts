import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHashPool } from '../../../main/core/hash/hash-pool';
import { PartialHash } from '../../../main/core/download/partial-hash';

const dir = mkdtempSync(join(tmpdir(), 'partial-hash-'));
const pool = createHashPool(1);
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

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
});
