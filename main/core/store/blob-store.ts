/**
 * The content-addressed store `blobs/sha256/<hex>`: one copy of every verified file, whatever
 * number of models and variants use it. Model directories hold hard links to blobs (copies
 * where the filesystem refuses links). Only verified files ever enter: `promote` takes a file
 * the downloader has already checked.
 */
import { copyFile, link, lstat, readdir, rename, rm, stat } from 'node:fs/promises';
import type { ModelsRoot } from './models-root';

export type LinkMode = 'hardlink' | 'copy';

export interface BlobInfo {
  sha256: string;
  size: number;
  /** Hard links to this blob, counting the blob itself. */
  links: number;
  mtimeMs: number;
}

export class BlobStore {
  constructor(private readonly layout: ModelsRoot) {}

  path(sha256: string): string {
    return this.layout.blobPath(sha256);
  }

  async info(sha256: string): Promise<BlobInfo | null> {
    try {
      const s = await stat(this.path(sha256));
      return s.isFile() ? { sha256, size: s.size, links: s.nlink, mtimeMs: s.mtimeMs } : null;
    } catch {
      return null;
    }
  }

  /** A blob with this hash and the expected size is stored. */
  async has(sha256: string, size: number): Promise<boolean> {
    return (await this.info(sha256))?.size === size;
  }

  /**
   * Moves a verified file into the store. An existing blob is reused (the new copy dropped)
   * unless `replace` is set (forced re-download, or the stored blob is known to be bad); a
   * replacement is a rename over the old name, so model dirs still linking the old inode are
   * never written into.
   */
  async promote(verifiedFile: string, sha256: string, size: number, replace: boolean): Promise<void> {
    if (!replace && (await this.has(sha256, size))) {
      await rm(verifiedFile, { force: true });
      return;
    }
    await rename(verifiedFile, this.path(sha256));
  }

  /** Puts an already verified model file back into the store when its blob went missing. */
  async adopt(modelFile: string, sha256: string): Promise<boolean> {
    try {
      await link(modelFile, this.path(sha256));
      return true;
    } catch {
      return false;
    }
  }

  /** Makes `dest` a hard link to the blob, or a copy where links are refused. */
  async materialize(sha256: string, dest: string): Promise<LinkMode> {
    try {
      await link(this.path(sha256), dest);
      return 'hardlink';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOSPC') throw error;
      await copyFile(this.path(sha256), dest);
      return 'copy';
    }
  }

  async list(): Promise<BlobInfo[]> {
    let names: string[];
    try {
      names = await readdir(this.layout.blobsDir);
    } catch {
      return [];
    }
    const out: BlobInfo[] = [];
    for (const name of names) {
      if (!/^[0-9a-f]{64}$/.test(name)) continue;
      try {
        const s = await lstat(this.path(name));
        if (s.isFile()) out.push({ sha256: name, size: s.size, links: s.nlink, mtimeMs: s.mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
    return out;
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.path(sha256), { force: true });
  }
}
