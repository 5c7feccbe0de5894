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

// ---- add, adopt, export (catalog) ----

/** One file a source holds, as `previewModelSource` lists it. */
export interface SourceFilePreview {
  path: string;
  size: number;
  sha256: string;
  /** True for Hub files stored with Git LFS (their sha256 comes from the Hub's metadata). */
  lfs: boolean;
}

export interface SourcePreview {
  /** Normalised and pinned: "hf://org/repo@<40-hex commit>", "s3://b/p", "file:///abs". */
  source: string;
  /** The 40-hex commit for hf, else null. */
  revision: string | null;
  /** hf: the branch or tag that commit was resolved from (e.g. "main"); null when a commit was asked for, and for s3/folder. */
  revisionName: string | null;
  /** hf: "<repo-name>@<first 7 hex>"; s3/folder: last path segment. */
  suggestedId: string;
  files: SourceFilePreview[];
  totalBytes: number;
}

export interface AddModelResult {
  id: string;
  variants: string[];
  files: number;
  totalBytes: number;
  source: string;
  revision: string | null;
  /** The manifest file written. */
  manifest: string;
}

export interface AdoptFolderSuggestion {
  path: string;
  /** e.g. "Hugging Face cache", "ComfyUI models", "LM Studio models", "Ollama blobs", "Downloads". */
  label: string;
  exists: boolean;
}

export interface AdoptProgress {
  phase: 'scanning' | 'hashing' | 'linking' | 'done';
  scannedFiles: number;
  bytesToHash: number;
  hashedBytes: number;
  currentFile: string | null;
}

export interface AdoptResult {
  scannedFiles: number;
  hashedBytes: number;
  adoptedFiles: number;
  adoptedBytes: number;
  /** Files hard-linked into the store. */
  linked: number;
  /** Files copied because a hard link was impossible (another filesystem). */
  copied: number;
  models: Array<{ id: string; variant: string; status: ModelStatus }>;
}

export interface ExportResult {
  id: string;
  variant: string;
  dir: string;
  files: number;
  linked: number;
  copied: number;
}

/** A place a stored model is exported to (it counts as a use for GC). */
export interface ModelLink {
  kind: 'hf-cache' | 'folder';
  dir: string;
  variant: string;
  /** ms since epoch. */
  createdAt: number;
}

// ---- health (modelctl health, GET /api/health, the Storage page) ---------------------------

/** healthy: every checked model complete; degraded: any missing, partial, corrupt or unchecked; error: no models, or the root unreadable. */
export type HealthState = 'healthy' | 'degraded' | 'error';

/** The one step that fixes a model: download (or resume) it, repair it (download again what is damaged), or check again with more time. */
export type HealthAction = 'download' | 'repair' | 'check-again';

export interface ModelHealth {
  id: string;
  variant: string;
  /** The quick status (a stat, no hashing); UNCHECKED when the time budget ran out first. */
  status: ModelStatus | 'UNCHECKED';
  /** Bytes still to download; null when unchecked. */
  bytesNeeded: number | null;
  missingFiles: string[];
  /** What is wrong, in a sentence; null when complete. */
  problem: string | null;
  action: HealthAction | null;
}

export interface HealthReport {
  health: HealthState;
  root: string;
  /** ms since epoch. */
  checkedAt: number;
  /** Why the state is `error` (or a note about the budget); null otherwise. */
  problem: string | null;
  /** VERIFYING (a verification running now) does not degrade: the model was complete when it started. */
  counts: { models: number; complete: number; verifying: number; notPresent: number; partial: number; corrupt: number; unchecked: number };
  models: ModelHealth[];
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
