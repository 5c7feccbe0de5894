/**
 * Incompressible bench data, generated fast: an AES-256-CTR keystream (random key) is
 * indistinguishable from random bytes and is produced at several GB/s, with the sha256 of
 * each file computed while it is written.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface BenchFile {
  /** Path relative to the data folder (and URL path under the server root). */
  path: string;
  size: number;
  sha256: string;
}

const BLOCK = 4 * 1024 * 1024;

export function writeRandomFile(path: string, size: number): string {
  mkdirSync(dirname(path), { recursive: true });
  const cipher = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
  const zeros = Buffer.alloc(BLOCK);
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    for (let at = 0; at < size; at += BLOCK) {
      const n = Math.min(BLOCK, size - at);
      const bytes = cipher.update(n === BLOCK ? zeros : zeros.subarray(0, n));
      hash.update(bytes);
      writeSync(fd, bytes, 0, bytes.length, at);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Generates (or reuses, when an index with the same shape exists) the files of one data set. */
export function ensureDataSet(root: string, name: string, files: Array<{ path: string; size: number }>): BenchFile[] {
  const index = join(root, `${name}.index.json`);
  if (existsSync(index)) {
    const saved = JSON.parse(readFileSync(index, 'utf8')) as BenchFile[];
    const same =
      saved.length === files.length &&
      saved.every((f, i) => f.path === files[i]?.path && f.size === files[i]?.size && existsSync(join(root, f.path)));
    if (same) return saved;
  }
  const out = files.map((f) => ({ ...f, sha256: writeRandomFile(join(root, f.path), f.size) }));
  writeFileSync(index, JSON.stringify(out));
  return out;
}
