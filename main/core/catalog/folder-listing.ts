/**
 * Lists a local folder for `add`: every regular file under it (symlinks followed to regular
 * files only), hashed on the worker pool with progress. The folder is only read.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { OrchestratorError, toOrchestratorError } from '../../../shared/errors';
import { sourceUrl } from './model-source';
import type { ListedFile, ListingContext, SourceListing } from './source-listing';
import { idFromName } from './source-listing';

/** Files no model wants: OS litter. */
const IGNORED = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

export async function listFolder(dir: string, context: ListingContext): Promise<SourceListing> {
  const found = await walkFiles(dir);
  if (found.length === 0) throw new OrchestratorError('MODEL_NOT_FOUND', `${dir} holds no files to add.`, { source: dir });
  const bytesToHash = found.reduce((s, f) => s + f.size, 0);
  const done = new Map<string, number>();
  const report = (file: string) =>
    context.onProgress?.({ hashedBytes: [...done.values()].reduce((a, b) => a + b, 0), bytesToHash, currentFile: file });
  const files: ListedFile[] = await Promise.all(
    found.map(async (f) => {
      try {
        const sha256 = await context.hashPool.hashFile(f.absolute, {
          ...(context.signal ? { signal: context.signal } : {}),
          onProgress: (bytes) => {
            done.set(f.path, bytes);
            report(f.path);
          },
        });
        done.set(f.path, f.size);
        report(f.path);
        return { path: f.path, size: f.size, sha256, lfs: false };
      } catch (error) {
        throw toOrchestratorError(error, `hashing ${f.absolute}`);
      }
    }),
  );
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    source: sourceUrl({ kind: 'folder', dir }),
    revision: null,
    revisionName: null,
    suggestedId: idFromName(path.basename(dir)),
    files,
  };
}

export interface WalkedFile {
  /** POSIX path relative to the folder walked. */
  path: string;
  absolute: string;
  size: number;
}

/** Regular files under `dir`; a symlink counts only when it points to a regular file (never into a folder). */
export async function walkFiles(dir: string): Promise<WalkedFile[]> {
  const out: WalkedFile[] = [];
  const visit = async (abs: string, rel: string) => {
    let names: string[];
    try {
      names = await readdir(abs);
    } catch (error) {
      throw toOrchestratorError(error, `reading ${abs}`);
    }
    for (const name of names.sort()) {
      if (IGNORED.has(name)) continue;
      const child = path.join(abs, name);
      const childRel = rel ? `${rel}/${name}` : name;
      const info = await lstat(child).catch(() => null);
      if (!info) continue;
      if (info.isDirectory()) await visit(child, childRel);
      else if (info.isFile()) out.push({ path: childRel, absolute: child, size: info.size });
      else if (info.isSymbolicLink()) {
        const target = await stat(child).catch(() => null);
        if (target?.isFile()) out.push({ path: childRel, absolute: child, size: target.size });
      }
    }
  };
  await visit(dir, '');
  return out;
}
