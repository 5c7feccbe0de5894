import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from '../../../main/core/store/blob-store';
import { ModelsRoot } from '../../../main/core/store/models-root';

let dir: string;
let store: BlobStore;
const sha = 'a'.repeat(64);
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'blobs-'));
  const layout = new ModelsRoot(path.join(dir, 'root'));
  await layout.prepare();
  store = new BlobStore(layout);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('BlobStore', () => {
  it('promotes a verified file into blobs/ and reuses an existing blob instead of storing it twice', async () => {
    await writeFile(path.join(dir, 'first'), 'content');
    await store.promote(path.join(dir, 'first'), sha, 7, false);
    const before = await stat(store.path(sha));
    await writeFile(path.join(dir, 'second'), 'content');
    await store.promote(path.join(dir, 'second'), sha, 7, false);
    expect((await stat(store.path(sha))).ino).toBe(before.ino);
    await expect(stat(path.join(dir, 'second'))).rejects.toThrow(); // the duplicate was dropped
  });

  it('replaces a blob by renaming over it, so files still linked to the old one are not written into', async () => {
    await writeFile(path.join(dir, 'bad'), 'BADBADB');
    await store.promote(path.join(dir, 'bad'), sha, 7, false);
    expect(await store.materialize(sha, path.join(dir, 'model-file'))).toBe('hardlink');
    await writeFile(path.join(dir, 'good'), 'content');
    await store.promote(path.join(dir, 'good'), sha, 7, true);
    expect(await readFile(store.path(sha), 'utf8')).toBe('content');
    expect(await readFile(path.join(dir, 'model-file'), 'utf8')).toBe('BADBADB');
  });

  it('copies where a hard link is impossible (another filesystem) and says so', async () => {
    const shm = '/dev/shm';
    const other = await stat(shm).catch(() => null);
    if (!other || other.dev === (await stat(dir)).dev) {
      console.warn('blob copy fallback test skipped: no second filesystem at /dev/shm');
      return;
    }
    await writeFile(path.join(dir, 'f'), 'content');
    await store.promote(path.join(dir, 'f'), sha, 7, false);
    const target = await mkdtemp(path.join(shm, 'blob-copy-'));
    try {
      expect(await store.materialize(sha, path.join(target, 'model-file'))).toBe('copy');
      expect(await readFile(path.join(target, 'model-file'), 'utf8')).toBe('content');
    } finally {
      await rm(target, { recursive: true, force: true });
    }
  });
});
