/**
 * What is on disk for one model variant, found with stats only (never a hash): the marker,
 * each manifest file in the model dir, in blobs/ and in .partial. Status, estimate, the ensure
 * fast path and the ensure plan all read from this one inspection so they never disagree.
 */
import { stat } from 'node:fs/promises';
import { filesForVariant, type ManifestFile, type ModelSpec } from '../../../shared/manifest';
import type { BlobStore } from './blob-store';
import type { ModelState } from './model-state';
import type { ModelsRoot } from './models-root';
import { readMarker, type VerifiedMarker } from './verified-marker';

export interface FileOnDisk {
  file: ManifestFile;
  /** In the model dir: ok (listed in the marker, right size), missing, or wrong size. */
  inModelDir: 'ok' | 'missing' | 'wrong-size';
  /** A blob with this sha256 and size is stored. */
  inBlobs: boolean;
  /** Resumable bytes of this file in .partial. */
  partialBytes: number;
  /** The last verification found this file bad or missing. */
  knownBad: boolean;
}

export interface ModelInspection {
  model: ModelSpec;
  variant: string;
  localPath: string;
  marker: VerifiedMarker | null;
  files: FileOnDisk[];
  state: ModelState;
  /** Marker present, matching the manifest, every required file present with its size, not marked corrupt. */
  complete: boolean;
  /** Marker present but a required file missing/wrong size, or the last verification failed. */
  corrupt: boolean;
}

export type PartialBytesOf = (file: ManifestFile) => Promise<number>;

export async function inspectModel(
  layout: ModelsRoot,
  blobs: BlobStore,
  model: ModelSpec,
  variant: string,
  state: ModelState,
  partialBytesOf: PartialBytesOf,
): Promise<ModelInspection> {
  const localPath = layout.modelDir(model.id, variant);
  const marker = await readMarker(layout.markerPath(model.id, variant));
  const inMarker = new Map((marker?.files ?? []).map((f) => [f.path, f]));
  const bad = new Set(state.corrupt ? state.badFiles : []);
  const files: FileOnDisk[] = [];
  for (const file of filesForVariant(model, variant)) {
    // Built for every file, marker or not: a path escaping the model folder fails here, before any download.
    const fullPath = layout.modelFile(model.id, variant, file.path);
    let inModelDir: FileOnDisk['inModelDir'] = 'missing';
    const listed = inMarker.get(file.path);
    if (marker && listed && listed.sha256 === file.sha256 && listed.size === file.size) {
      const size = await sizeOf(fullPath);
      inModelDir = size === null ? 'missing' : size === file.size ? 'ok' : 'wrong-size';
    }
    const knownBad = bad.has(file.path);
    const inBlobs = !knownBad && (await blobs.has(file.sha256, file.size));
    const partialBytes = inBlobs ? 0 : Math.min(file.size, await partialBytesOf(file).catch(() => 0));
    files.push({ file, inModelDir, inBlobs, partialBytes, knownBad });
  }
  const required = files.filter((f) => !f.file.optional);
  const markerMatches = marker !== null && marker.version === model.version;
  const requiredOk = required.every((f) => f.inModelDir === 'ok');
  const corrupt =
    marker !== null &&
    (state.corrupt || required.some((f) => f.inModelDir === 'wrong-size' || (f.inModelDir === 'missing' && listedIn(marker, f.file))));
  const complete = markerMatches && requiredOk && !corrupt;
  return { model, variant, localPath, marker, files, state, complete, corrupt };
}

function listedIn(marker: VerifiedMarker, file: ManifestFile): boolean {
  return marker.files.some((f) => f.path === file.path && f.sha256 === file.sha256);
}

/** A required file counts as present when the model dir or blobs hold it whole. */
export function isPresent(f: FileOnDisk): boolean {
  return !f.knownBad && (f.inModelDir === 'ok' || f.inBlobs);
}

export async function sizeOf(p: string): Promise<number | null> {
  try {
    const s = await stat(p);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}
