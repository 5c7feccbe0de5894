/**
 * What the models root stores, read without changing anything (no folder is created): the
 * bytes and the number of files in blobs/sha256, where every file content is kept once.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface StorageTotals {
  bytesUsed: number;
  files: number;
}

export async function storageTotals(root: string): Promise<StorageTotals> {
  const dir = path.join(root, 'blobs', 'sha256');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { bytesUsed: 0, files: 0 };
  }
  let bytesUsed = 0;
  let files = 0;
  for (const name of names) {
    if (!/^[0-9a-f]{64}$/.test(name)) continue; // temporary names of a promotion in progress
    try {
      const s = await stat(path.join(dir, name));
      if (!s.isFile()) continue;
      bytesUsed += s.size;
      files++;
    } catch {
      // removed meanwhile (gc)
    }
  }
  return { bytesUsed, files };
}
