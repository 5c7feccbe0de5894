/**
 * Re-verifies a model directory: sizes by stat, then every file's sha256 on the hash pool in
 * parallel. Required files are always checked; optional ones when the model has them.
 */
import { stat } from 'node:fs/promises';
import { isAbortError, OrchestratorError } from '../../../shared/errors';
import { filesForVariant, type ModelSpec } from '../../../shared/manifest';
import type { FileProblem, VerificationResult } from '../../../shared/results';
import type { HashPool, VerifyOptions } from '../ports';
import type { ModelsRoot } from './models-root';
import type { VerifiedMarker } from './verified-marker';

export async function verifyModelFiles(
  layout: ModelsRoot,
  hashPool: HashPool,
  model: ModelSpec,
  variant: string,
  marker: VerifiedMarker | null,
  options: Pick<VerifyOptions, 'signal' | 'onProgress'> = {},
): Promise<VerificationResult> {
  const listed = new Set((marker?.files ?? []).map((f) => f.path));
  const candidates = filesForVariant(model, variant);
  const verifiedFiles: string[] = [];
  const failedFiles: string[] = [];
  const missingFiles: string[] = [];
  const problems: FileProblem[] = [];
  const toHash: Array<{ path: string; full: string; sha256: string; size: number }> = [];

  for (const file of candidates) {
    const full = layout.modelFile(model.id, variant, file.path);
    let size: number | null;
    try {
      const s = await stat(full);
      size = s.isFile() ? s.size : null;
    } catch {
      size = null;
    }
    if (size === null) {
      if (file.optional && !listed.has(file.path)) continue; // an optional file the model never had
      missingFiles.push(file.path);
      problems.push({ path: file.path, code: 'MISSING', message: `${file.path} is missing.`, expected: file.size });
      continue;
    }
    if (size !== file.size) {
      failedFiles.push(file.path);
      problems.push({
        path: file.path,
        code: 'SIZE_MISMATCH',
        message: `${file.path} has ${size} bytes, the manifest says ${file.size}.`,
        expected: file.size,
        actual: size,
      });
      continue;
    }
    toHash.push({ path: file.path, full, sha256: file.sha256, size: file.size });
  }

  const bytesTotal = toHash.reduce((sum, f) => sum + f.size, 0);
  const done = new Map<string, number>();
  const report = (file?: string) => {
    let bytesDone = 0;
    for (const v of done.values()) bytesDone += v;
    options.onProgress?.(file === undefined ? { bytesDone, bytesTotal } : { bytesDone, bytesTotal, file });
  };

  const hashes = await Promise.all(
    toHash.map(async (f) => {
      try {
        const digest = await hashPool.hashFile(f.full, {
          ...(options.signal ? { signal: options.signal } : {}),
          onProgress: (bytes) => {
            done.set(f.path, bytes);
            report(f.path);
          },
        });
        done.set(f.path, f.size);
        report(f.path);
        return { f, digest, error: null as unknown };
      } catch (error) {
        return { f, digest: null, error };
      }
    }),
  );
  if (options.signal?.aborted || hashes.some((h) => isAbortError(h.error))) {
    throw new OrchestratorError('CANCELLED', `verify: verification of ${model.id} (${variant}) was cancelled; nothing was changed.`, {
      id: model.id,
      variant,
    });
  }
  for (const { f, digest, error } of hashes) {
    if (digest === null) {
      missingFiles.push(f.path);
      problems.push({
        path: f.path,
        code: 'MISSING',
        message: `${f.path} could not be read (${error instanceof Error ? error.message : String(error)}).`,
      });
    } else if (digest !== f.sha256) {
      failedFiles.push(f.path);
      problems.push({
        path: f.path,
        code: 'CHECKSUM_FAIL',
        message: `${f.path} has sha256 ${digest}, the manifest says ${f.sha256}.`,
        expected: f.sha256,
        actual: digest,
      });
    } else {
      verifiedFiles.push(f.path);
    }
  }
  return {
    id: model.id,
    variant,
    success: failedFiles.length === 0 && missingFiles.length === 0,
    verifiedFiles: sortPaths(verifiedFiles),
    failedFiles: sortPaths(failedFiles),
    missingFiles: sortPaths(missingFiles),
    problems: problems.sort((a, b) => a.path.localeCompare(b.path)),
  };
}

function sortPaths(paths: string[]): string[] {
  return [...paths].sort((a, b) => a.localeCompare(b));
}
