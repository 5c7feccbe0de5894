/**
 * `adopt DIR…`: makes use of model files already on this computer. Scans the folders, keeps the
 * files whose size matches a manifest file not yet stored, hashes those (a name proves nothing,
 * not even an HF blob named by its sha256), hard-links each match into blobs/ (a copy, verified
 * again, where the store is on another filesystem), then has `ensure` assemble every variant
 * whose required files are now all stored, exactly as a download would end (marker included),
 * fetching nothing (optional files not found are left out, as a failed optional download would be). The folders are only read; symlinks are followed to regular files only;
 * a file that changes while it is hashed is not adopted.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, link, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { OrchestratorError, toOrchestratorError } from '../../../shared/errors';
import { filesForVariant, type ModelSpec } from '../../../shared/manifest';
import type { AdoptProgress, AdoptResult, ModelStatus } from '../../../shared/results';
import type { HashPool, ModelService } from '../ports';
import { BlobStore } from '../store/blob-store';
import { ModelsRoot } from '../store/models-root';
import { walkFiles } from './folder-listing';

export interface AdoptDeps {
  root: string;
  models: ModelSpec[];
  hashPool: HashPool;
  /** Assembles complete variants (ensure) and reports their status. */
  service: Pick<ModelService, 'ensure' | 'status'>;
  signal?: AbortSignal;
  onProgress?: (progress: AdoptProgress) => void;
  /** Minimum time between progress reports (default 250 ms); the final `done` is always sent. */
  progressIntervalMs?: number;
  now?: () => number;
}

interface Candidate {
  file: string;
  shown: string;
  size: number;
}

export async function adoptFolders(dirs: string[], deps: AdoptDeps): Promise<AdoptResult> {
  const layout = new ModelsRoot(deps.root);
  await layout.prepare();
  const blobs = new BlobStore(layout);
  const now = deps.now ?? Date.now;
  const interval = deps.progressIntervalMs ?? 250;
  const progress: AdoptProgress = { phase: 'scanning', scannedFiles: 0, bytesToHash: 0, hashedBytes: 0, currentFile: null };
  let lastReport = -Infinity;
  const report = (force = false) => {
    const t = now();
    if (!force && t - lastReport < interval) return;
    lastReport = t;
    deps.onProgress?.({ ...progress });
  };
  const result: AdoptResult = { scannedFiles: 0, hashedBytes: 0, adoptedFiles: 0, adoptedBytes: 0, linked: 0, copied: 0, models: [] };

  // Sizes worth hashing: files of some manifest model not in the store yet.
  const wanted = new Map<number, Set<string>>();
  for (const model of deps.models) {
    for (const f of model.files) {
      if (await blobs.has(f.sha256, f.size)) continue;
      let set = wanted.get(f.size);
      if (!set) wanted.set(f.size, (set = new Set()));
      set.add(f.sha256);
    }
  }

  const realRoot = await realpath(layout.root);
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  report(true);
  for (const dir of dirs) {
    const abs = path.resolve(dir);
    const info = await stat(abs).catch(() => null);
    if (!info?.isDirectory()) {
      throw new OrchestratorError('INVALID_CONFIG', `${abs} is not a folder. Give folders to scan, such as ~/.cache/huggingface/hub.`, {
        dir: abs,
      });
    }
    for (const f of await walkFiles(abs)) {
      if (deps.signal?.aborted) throw cancelled();
      result.scannedFiles++;
      progress.scannedFiles = result.scannedFiles;
      progress.currentFile = f.absolute;
      report();
      if (!wanted.has(f.size)) continue;
      const real = await realpath(f.absolute).catch(() => null);
      if (!real || isWithin(realRoot, real)) continue; // our own store is not a source
      const id = await stat(real).then(
        (s) => `${s.dev}:${s.ino}`,
        () => null,
      );
      if (!id || seen.has(id)) continue; // the same file through a symlink (HF snapshots) is hashed once
      seen.add(id);
      candidates.push({ file: real, shown: f.absolute, size: f.size });
    }
  }

  progress.phase = 'hashing';
  progress.bytesToHash = candidates.reduce((s, c) => s + c.size, 0);
  report(true);
  const hashedBy = new Map<Candidate, number>();
  const queue = [...candidates];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      if (deps.signal?.aborted) throw cancelled();
      const expected = wanted.get(c.size);
      if (!expected || expected.size === 0) continue;
      const outcome = await adoptOne(c, expected, layout, blobs, deps, (bytes) => {
        hashedBy.set(c as Candidate, bytes);
        progress.hashedBytes = sum(hashedBy.values());
        progress.currentFile = (c as Candidate).shown;
        report();
      });
      hashedBy.set(c, c.size);
      result.hashedBytes += outcome.hashed;
      if (outcome.stored) {
        expected.delete(outcome.sha256 as string);
        result.adoptedFiles++;
        result.adoptedBytes += c.size;
        if (outcome.stored === 'hardlink') result.linked++;
        else result.copied++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.hashPool.size, candidates.length)) }, worker));
  progress.hashedBytes = result.hashedBytes;

  progress.phase = 'linking';
  progress.currentFile = null;
  report(true);
  for (const model of deps.models) {
    for (const variant of model.variants) {
      const files = filesForVariant(model, variant);
      let stored = true;
      for (const f of files) if (!f.optional && !(await blobs.has(f.sha256, f.size))) stored = false;
      if (!stored) continue;
      const before = await deps.service.status(model.id, { variant }).catch(() => null);
      if (before?.status === 'COMPLETE') continue;
      let status: ModelStatus;
      try {
        await deps.service.ensure(model.id, { variant, storedOnly: true, ...(deps.signal ? { signal: deps.signal } : {}) });
        status = (await deps.service.status(model.id, { variant })).status;
      } catch (error) {
        if (toOrchestratorError(error).code === 'CANCELLED') throw cancelled();
        status = (await deps.service.status(model.id, { variant }).catch(() => null))?.status ?? 'PARTIAL';
      }
      result.models.push({ id: model.id, variant, status });
    }
  }
  progress.phase = 'done';
  report(true);
  return result;
}

/** Hashes one candidate and, when it is a wanted file that did not change meanwhile, stores it. */
async function adoptOne(
  c: Candidate,
  expected: Set<string>,
  layout: ModelsRoot,
  blobs: BlobStore,
  deps: AdoptDeps,
  onProgress: (bytes: number) => void,
): Promise<{ hashed: number; stored: 'hardlink' | 'copy' | null; sha256?: string }> {
  const before = await stat(c.file).catch(() => null);
  if (!before?.isFile()) return { hashed: 0, stored: null };
  let sha256: string;
  try {
    sha256 = await deps.hashPool.hashFile(c.file, { ...(deps.signal ? { signal: deps.signal } : {}), onProgress });
  } catch (error) {
    if (deps.signal?.aborted) throw cancelled();
    return { hashed: 0, stored: null }; // unreadable (permissions, vanished): not adopted, not fatal
  }
  const after = await stat(c.file).catch(() => null);
  if (!after || !sameContent(before, after)) return { hashed: before.size, stored: null };
  if (!expected.has(sha256) || (await blobs.has(sha256, c.size))) return { hashed: before.size, stored: null };
  const dest = blobs.path(sha256);
  try {
    await link(c.file, dest);
    // The file may have been rewritten between the hash and the link: the blob is that same inode.
    const linked = await stat(dest);
    if (!sameContent(before, linked) || linked.ino !== before.ino) {
      await rm(dest, { force: true });
      return { hashed: before.size, stored: null };
    }
    return { hashed: before.size, stored: 'hardlink', sha256 };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return { hashed: before.size, stored: null };
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK')
      throw toOrchestratorError(error, `adopting ${c.shown}`);
  }
  // Another filesystem: copy into staging, hash the copy (the original may change while copied), then rename.
  const staging = path.join(layout.tmpDir, `adopt-${randomBytes(6).toString('hex')}`);
  try {
    await copyFile(c.file, staging);
    const copiedSha = await deps.hashPool.hashFile(staging, deps.signal ? { signal: deps.signal } : {});
    if (copiedSha !== sha256) return { hashed: before.size, stored: null };
    await rename(staging, dest);
    return { hashed: before.size, stored: 'copy', sha256 };
  } finally {
    await rm(staging, { force: true });
  }
}

function sameContent(a: { size: number; mtimeMs: number; ino: number }, b: { size: number; mtimeMs: number; ino: number }): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

function isWithin(base: string, p: string): boolean {
  const rel = path.relative(base, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function sum(values: Iterable<number>): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

function cancelled(): OrchestratorError {
  return new OrchestratorError('CANCELLED', 'adopt: cancelled; files adopted so far stay in the store, your folders were not changed.', {});
}
