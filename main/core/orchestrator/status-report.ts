/**
 * What `status` and `estimate` say about a model variant, computed from one inspection of the
 * disk (marker, model directory, blobs, partial data). Pure: no I/O here.
 */
import type { ModelSpec } from '../../../shared/manifest';
import type { EstimateResult, StatusReport } from '../../../shared/results';
import { isPresent, type ModelInspection } from '../store/model-inspection';
import { sumSizes } from './model-lookup';

/** @param verifying a verify of this variant holds its lock right now (here or in another process). */
export function statusReport(model: ModelSpec, variant: string, inspection: ModelInspection, verifying: boolean): StatusReport {
  const required = inspection.files.filter((f) => !f.file.optional);
  const requiredBytes = sumSizes(required.map((f) => f.file));
  let bytesPresent = 0;
  const missingFiles: string[] = [];
  for (const f of required) {
    const whole = inspection.complete || isPresent(f);
    bytesPresent += whole ? f.file.size : f.partialBytes;
    if (!whole || (inspection.corrupt && (f.knownBad || f.inModelDir !== 'ok'))) missingFiles.push(f.file.path);
  }
  if (inspection.corrupt) bytesPresent = sumSizes(required.filter((f) => !missingFiles.includes(f.file.path)).map((f) => f.file));
  const status: StatusReport['status'] = verifying
    ? 'VERIFYING'
    : inspection.complete
      ? 'COMPLETE'
      : inspection.corrupt
        ? 'CORRUPT'
        : bytesPresent > 0
          ? 'PARTIAL'
          : 'NOT_PRESENT';
  return {
    id: model.id,
    variant,
    status,
    localPath: inspection.localPath,
    missingFiles: missingFiles.sort(),
    bytesPresent,
    bytesNeeded: Math.max(0, requiredBytes - bytesPresent),
    pinned: inspection.state.pinned,
    lastUsed: inspection.state.lastUsed,
    fileSources: inspection.files.flatMap((f) => {
      const source = inspection.state.fileSources[f.file.path];
      return source && isPresent(f) ? [{ path: f.file.path, source }] : [];
    }),
  };
}

/** Bytes of the whole variant and bytes still to fetch (each distinct content counted once). */
export function downloadEstimate(model: ModelSpec, variant: string, inspection: ModelInspection): EstimateResult {
  const totalBytes = sumSizes(inspection.files.map((f) => f.file));
  let bytesNeeded = 0;
  if (!inspection.complete) {
    const counted = new Set<string>();
    for (const f of inspection.files) {
      if (isPresent(f) || counted.has(f.file.sha256)) continue;
      counted.add(f.file.sha256);
      bytesNeeded += f.file.size - f.partialBytes;
    }
  }
  return { id: model.id, variant, totalBytes, bytesNeeded };
}
