/**
 * The seams of the core: collaborators are passed to constructors (never imported as
 * singletons) so the CLI, the web host, the Electron app and the tests can each supply
 * their own clock, disk probe, hash pool or downloader. Never import electron here.
 */
import type { StructuredError } from '../../shared/errors';
import type { ModelSpec } from '../../shared/manifest';
import type {
  DiskUsage,
  EnsureResult,
  EstimateResult,
  FileProgress,
  GcOptions,
  GcResult,
  ModelSummary,
  PinResult,
  StatusReport,
  VerificationResult,
} from '../../shared/results';

export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with an AbortError when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface DiskSpace {
  free: number;
  size: number;
}

export interface DiskProbe {
  /** Free and total bytes of the volume holding `path` (which must exist). */
  space(path: string): Promise<DiskSpace>;
}

export interface HashProgress {
  (bytesHashed: number): void;
}

export interface HashPool {
  /** sha256 (lower-case hex) of a whole file, computed on a worker thread. */
  hashFile(path: string, options?: { signal?: AbortSignal; onProgress?: HashProgress }): Promise<string>;
  /** Number of worker threads. */
  readonly size: number;
  /** Terminates the workers; pending work rejects. */
  close(): Promise<void>;
}

/** Where the bytes of one manifest file can be read, produced by a source backend. */
export type ResolvedSource =
  | {
      kind: 'file';
      /** The manifest's source entry this came from (e.g. `local://wan22/t2v`), for display and the negative cache. */
      base: string;
      filePath: string;
    }
  | {
      kind: 'http';
      base: string;
      url: string;
      /** Extra request headers (auth). Called per request so signatures and tokens stay fresh. */
      headers?: (request: { method: string; url: string; range?: string }) => Promise<Record<string, string>> | Record<string, string>;
      /** What the user can do when this source answers 401/403 (which setting to set or check); never holds a secret. */
      authHelp?: string;
      /** The negative cache's key when it is narrower than `base` (a mirror's blob: one missing blob never blocks the others). */
      cacheKey?: string;
    };

/** Turns one entry of a model's `sources.priority` plus a file path into a ResolvedSource. */
export interface SourceBackend {
  /** URL schemes handled, without the colon: ['http', 'https']. */
  readonly schemes: readonly string[];
  resolve(base: string, filePath: string, model: ModelSpec): ResolvedSource;
}

export interface SourceFailure {
  source: string;
  error: StructuredError;
}

export interface DownloadRequest {
  file: { path: string; size: number; sha256: string };
  /** Candidate sources in priority order; the downloader may move between them mid-file. */
  sources: ResolvedSource[];
  signal?: AbortSignal;
  /** Cumulative bytes of this file written and synced to the partial file; never decreases. */
  onProgress?: (bytesPresent: number) => void;
}

export interface DownloadOutcome {
  /** The complete file, size and sha256 verified, inside `<root>/.partial`, ready to promote to blobs/. */
  filePath: string;
  /** The base of the source that served (most of) the bytes. */
  source: string;
  /** Bytes transferred over the network (or copied from a local source) by this call. */
  bytesFetched: number;
  /** Sources that failed before or during this file, for the caller's negative cache. */
  failures: SourceFailure[];
}

/**
 * Fetches one file into the partial area and verifies it. Throws an OrchestratorError
 * (SOURCE_UNAVAILABLE with details.failures, CHECKSUM_FAIL, SIZE_MISMATCH, INCOMPLETE_DOWNLOAD,
 * NO_SPACE, CANCELLED ...) when it cannot. Resumable partial data is kept on transient failures.
 */
export interface FileDownloader {
  download(request: DownloadRequest): Promise<DownloadOutcome>;
}

export interface ModelProgress {
  id: string;
  variant: string;
  bytesDone: number;
  bytesTotal: number;
  files: FileProgress[];
  phase: 'preflight' | 'downloading' | 'verifying' | 'assembling' | 'done';
  source?: string | null;
}

export interface EnsureOptions {
  variant?: string;
  force?: boolean;
  /** Assemble from what is already stored, fetching nothing (adopt): optional files not stored are left out. */
  storedOnly?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: ModelProgress) => void;
}

export interface VerifyOptions {
  variant?: string;
  signal?: AbortSignal;
  onProgress?: (progress: { bytesDone: number; bytesTotal: number; file?: string }) => void;
}

/** What the CLI, the web host and the Electron app drive. Implemented by `Orchestrator`. */
export interface ModelService {
  listModels(): ModelSummary[];
  getModel(id: string): ModelSpec;
  ensure(id: string, options?: EnsureOptions): Promise<EnsureResult>;
  status(id: string, options?: { variant?: string }): Promise<StatusReport>;
  verify(id: string, options?: VerifyOptions): Promise<VerificationResult>;
  estimate(id: string, options?: { variant?: string }): Promise<EstimateResult>;
  gc(options?: GcOptions): Promise<GcResult>;
  pin(id: string, options?: { variant?: string }): Promise<PinResult>;
  unpin(id: string, options?: { variant?: string }): Promise<PinResult>;
  remove(id: string, options?: { variant?: string }): Promise<{ id: string; variant: string; bytesFreed: number }>;
  diskUsage(): Promise<DiskUsage>;
}

/**
 * What the core reports as it works, for metrics and machine-readable logs (main/core/health,
 * main/core/logging). Sent from the places that already know the outcome; an observer must not
 * throw or block. Sources are bases as in the manifest; observers redact them before use.
 */
export type OrchestratorEvent =
  /** An ensure found work to do and holds the model's lock. */
  | { type: 'download-started'; id: string; variant: string; bytesToFetch: number }
  /** One file's content arrived and was verified; `bytes` crossed the network (or a local copy). */
  | { type: 'file-fetched'; id: string; variant: string; path: string; source: string; bytes: number }
  /** The end of an ensure that went past the fast path. `dedupBytesSaved`: bytes placed from blobs already stored. */
  | {
      type: 'download-finished';
      id: string;
      variant: string;
      status: 'success' | 'failure' | 'cancelled';
      source: string | null;
      bytesDownloaded: number;
      dedupBytesSaved: number;
      durationSeconds: number;
      error?: StructuredError;
    }
  | { type: 'verify-finished'; id: string; variant: string; success: boolean; badFiles: string[] }
  | { type: 'gc-finished'; trigger: GcTrigger; removed: number; bytesReclaimed: number }
  | { type: 'lock-timeout'; what: string }
  /** A public operation of the orchestrator failed. */
  | { type: 'operation-failed'; operation: string; error: StructuredError };

/** Why GC ran: asked for (CLI, UI) or to make room for a download. */
export type GcTrigger = 'manual' | 'disk-space';

export type OrchestratorObserver = (event: OrchestratorEvent) => void;
