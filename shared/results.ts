/**
 * Results and events of the orchestrator, shared by the core, the CLI (`--json`), the web host,
 * the Electron IPC bridge and the renderer. Field names follow the CLI table of docs/architecture.md.
 */
import type { StructuredError } from './errors';

export const MODEL_STATUSES = ['NOT_PRESENT', 'PARTIAL', 'VERIFYING', 'COMPLETE', 'CORRUPT'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

export interface ModelSummary {
  id: string;
  description?: string;
  version: string;
  variants: string[];
  defaultVariant: string;
  /** Bytes of the default variant's files (required and optional). */
  totalBytes: number;
  sources: string[];
}

export interface StatusReport {
  id: string;
  variant: string;
  status: ModelStatus;
  localPath: string;
  /** Required files not present with their full size. */
  missingFiles: string[];
  bytesPresent: number;
  bytesNeeded: number;
  pinned?: boolean;
  /** ms since epoch of the last ensure/verify/use; null when never. */
  lastUsed?: number | null;
  /** Which source served each file of the last download, when known (files from a mirror say so). */
  fileSources?: FileSource[];
}

export interface EnsureResult {
  id: string;
  variant: string;
  localPath: string;
  downloadedBytes: number;
  /** The source that served the bytes (credentials stripped), null when nothing was fetched. */
  source: string | null;
  /** The source that served each file this call fetched (a team mirror or the model's own source). */
  fileSources?: FileSource[];
}

/** Which source served one file of a model (credentials stripped). */
export interface FileSource {
  path: string;
  source: string;
}

export interface FileProblem {
  path: string;
  code: 'CHECKSUM_FAIL' | 'SIZE_MISMATCH' | 'MISSING';
  message: string;
  expected?: string | number;
  actual?: string | number;
}

export interface VerificationResult {
  id: string;
  variant: string;
  success: boolean;
  verifiedFiles: string[];
  failedFiles: string[];
  missingFiles: string[];
  /** One entry per failed or missing file, saying why. */
  problems: FileProblem[];
}

export interface EstimateResult {
  id: string;
  variant: string;
  totalBytes: number;
  bytesNeeded: number;
}

export type GcReason = 'quota' | 'max-age' | 'requested';

export interface GcRemoval {
  id: string;
  variant: string;
  bytes: number;
  reason?: GcReason;
  lastUsed?: number | null;
}

export interface GcResult {
  dryRun: boolean;
  removed: GcRemoval[];
  bytesReclaimed: number;
  /** Orphan blobs and stale staging/partial data removed (or that would be). */
  orphanBytes?: number;
}

export interface GcOptions {
  dryRun?: boolean;
  /** Evict least-recently-used unpinned models until models use at most this many bytes. */
  maxSizeBytes?: number;
  /** Evict unpinned models unused for longer than this. */
  maxAgeMs?: number;
  /** Evict (LRU first) until at least this many bytes are free on the volume. */
  targetFreeBytes?: number;
}

export interface PinResult {
  id: string;
  variant: string;
  pinned: boolean;
}

export interface DiskUsageEntry {
  id: string;
  variant: string;
  /** Bytes of this model's files; blobs shared with other models are counted in each. */
  bytes: number;
  pinned: boolean;
  lastUsed: number | null;
}

export interface DiskUsage {
  root: string;
  models: DiskUsageEntry[];
  partialBytes: number;
  freeBytes: number;
  totalBytes: number;
  /** Bytes actually stored in blobs/ (shared bytes counted once). */
  storedBytes?: number;
  /** 'hardlink' normally; 'copy' where the filesystem refused hard links. */
  linkMode?: 'hardlink' | 'copy';
  /** Quota from settings (bytes) if any. */
  quotaBytes?: number | null;
}

export type JobState = 'queued' | 'running' | 'paused' | 'verifying' | 'done' | 'failed' | 'cancelled';

export interface FileProgress {
  path: string;
  bytesDone: number;
  bytesTotal: number;
  state: 'pending' | 'downloading' | 'verifying' | 'done' | 'failed';
}

export interface JobProgress {
  jobId: string;
  id: string;
  variant: string;
  state: JobState;
  bytesDone: number;
  bytesTotal: number;
  /** Bytes per second, smoothed. */
  speed: number;
  /** Seconds left at the current speed; null when unknown. */
  etaSeconds: number | null;
  files: FileProgress[];
  error?: StructuredError;
  source?: string | null;
}

/** A model variant `mirror push` did not upload, and why. */
export interface MirrorPushSkip {
  id: string;
  variant: string;
  /** in-mirror: the mirror already holds every blob; not-complete: not complete in this models root. */
  reason: 'in-mirror' | 'not-complete';
}

export interface MirrorPushResult {
  /** The mirror root pushed to (`s3://bucket/prefix`). */
  mirror: string;
  pushed: Array<{ id: string; variant: string }>;
  skipped: MirrorPushSkip[];
  bytesUploaded: number;
}

/** What the Settings *Test* button shows for one mirror. */
export interface MirrorTestResult {
  mirror: string;
  ok: boolean;
  /** Models in the mirror's index.json (0 when nothing was pushed yet); null when the test failed. */
  models: number | null;
  message: string;
  error?: StructuredError;
}

/** Progress of one push to a mirror, as the UI shows it. */
export interface MirrorPushProgress {
  id: string;
  variant: string;
  to: string;
  bytesDone: number;
  bytesTotal: number;
  bytesUploaded: number;
  /** The push ended (successfully or not); `error` says why when it failed. */
  done: boolean;
  error?: StructuredError;
}
