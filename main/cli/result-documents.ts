/**
 * The JSON documents `modelctl --json` prints, field for field as docs/architecture.md's CLI
 * table says. Results are picked rather than passed through so that fields the core adds
 * later never change what scripts parse.
 */
import type { StructuredError } from '../../shared/errors';
import type {
  DiskUsage,
  EnsureResult,
  EstimateResult,
  GcResult,
  HealthReport,
  ModelSummary,
  PinResult,
  StatusReport,
  VerificationResult,
} from '../../shared/results';

export const resultDocuments = {
  list: (models: ModelSummary[]) => ({
    models: models.map(({ id, variants, defaultVariant, totalBytes }) => ({ id, variants, defaultVariant, totalBytes })),
  }),
  validate: (modelCount: number) => ({ ok: true as const, models: modelCount }),
  // `fileSources` is an addition: which source (a team mirror or the origin) served each file fetched.
  ensure: ({ id, variant, localPath, downloadedBytes, source, fileSources }: EnsureResult) => ({
    id,
    variant,
    localPath,
    downloadedBytes,
    source,
    fileSources: fileSources ?? [],
  }),
  // `fileSources` is an addition: which source served each file present (known for files this root downloaded).
  status: ({ id, variant, status, localPath, missingFiles, bytesPresent, bytesNeeded, fileSources }: StatusReport) => ({
    id,
    variant,
    status,
    localPath,
    missingFiles,
    bytesPresent,
    bytesNeeded,
    fileSources: fileSources ?? [],
  }),
  // `problems` is an addition: it says why each file failed, which a script may want to show.
  verify: ({ id, variant, success, verifiedFiles, failedFiles, missingFiles, problems }: VerificationResult) => ({
    id,
    variant,
    success,
    verifiedFiles,
    failedFiles,
    missingFiles,
    problems,
  }),
  estimate: ({ id, variant, totalBytes, bytesNeeded }: EstimateResult) => ({ id, variant, totalBytes, bytesNeeded }),
  gc: ({ dryRun, removed, bytesReclaimed }: GcResult) => ({
    dryRun,
    removed: removed.map(({ id, variant, bytes }) => ({ id, variant, bytes })),
    bytesReclaimed,
  }),
  pin: ({ id, variant, pinned }: PinResult) => ({ id, variant, pinned }),
  diskUsage: ({ root, models, partialBytes, freeBytes, totalBytes }: DiskUsage) => ({
    root,
    models: models.map(({ id, variant, bytes, pinned, lastUsed }) => ({ id, variant, bytes, pinned, lastUsed })),
    partialBytes,
    freeBytes,
    totalBytes,
  }),
  health: ({ health, root, checkedAt, problem, counts, models }: HealthReport) => ({
    health,
    root,
    checkedAt,
    problem,
    counts,
    models: models.map(({ id, variant, status, bytesNeeded, missingFiles, problem, action }) => ({
      id,
      variant,
      status,
      bytesNeeded,
      missingFiles,
      problem,
      action,
    })),
  }),
  error: ({ code, message, details }: StructuredError) => ({ error: { code, message, details } }),
};
