/**
 * The orchestrator: keeps the models of a manifest present, verified and within budget in one
 * models root. It implements `ModelService`, which the CLI, the web host and the Electron app
 * drive, and wires the stores of the root to the operations in this folder (one file each).
 * Collaborators (downloader, hash pool, disk probe, clock, source resolver) come in through
 * the constructor; `createOrchestrator` supplies the real ones.
 *
 * Every public method resolves with a result or fails with an OrchestratorError (a code from
 * shared/errors.ts), never a raw exception.
 */
import path from 'node:path';
import { OrchestratorError, toOrchestratorError } from '../../../shared/errors';
import type { ManifestFile, ModelSpec } from '../../../shared/manifest';
import type {
  DiskUsage,
  EstimateResult,
  GcOptions,
  GcResult,
  ModelSummary,
  PinResult,
  StatusReport,
  VerificationResult,
} from '../../../shared/results';
import type { Clock, DiskProbe, EnsureOptions, FileDownloader, HashPool, ModelService, VerifyOptions } from '../ports';
import { BlobStore } from '../store/blob-store';
import { ensureModel, type EnsureDeps, type EnsureOutcome, type SourceResolverLike } from '../store/ensure-model';
import { GarbageCollector } from '../store/garbage-collector';
import { inspectModel, type ModelInspection, type PartialBytesOf } from '../store/model-inspection';
import { ModelLocks } from '../store/model-locks';
import { ModelStateStore } from '../store/model-state';
import { ModelsRoot } from '../store/models-root';
import { NegativeCache, type NegativeEntry } from '../store/negative-cache';
import { partialBytes } from '../download/downloader';
import { createDiskProbe } from '../system/disk-probe';
import { systemClock } from '../system/system-clock';
import { diskUsageReport } from './disk-usage-report';
import { findModel, findModelVariant, summarizeModel } from './model-lookup';
import { withDefaultSettings, type OrchestratorSettings } from './orchestrator-settings';
import { removeModelVariant } from './remove-model-variant';
import { SharedEnsureJobs } from './shared-ensure-jobs';
import { StatusBroadcaster, type StatusListener } from './status-broadcaster';
import { downloadEstimate, statusReport } from './status-report';
import { verifyModelVariant } from './verify-model-variant';

export interface OrchestratorOptions {
  root: string;
  models: ModelSpec[] | (() => ModelSpec[]);
  downloader?: FileDownloader;
  hashPool?: HashPool;
  diskProbe?: DiskProbe;
  clock?: Clock;
  sourceResolver?: SourceResolverLike;
  settings?: Partial<OrchestratorSettings>;
  /** Resumable bytes already in .partial for a file (status PARTIAL, preflight); default: ask the downloader. */
  partialBytesOf?: PartialBytesOf;
  /** close() also closes the hash pool (set when the orchestrator created it). */
  ownsHashPool?: boolean;
  /** Extra teardown run by close() (e.g. the connections of a downloader it created). */
  onClose?: () => Promise<void>;
}

export class Orchestrator implements ModelService {
  readonly root: string;
  readonly settings: OrchestratorSettings;
  private readonly layout: ModelsRoot;
  private readonly blobs: BlobStore;
  private readonly locks: ModelLocks;
  private readonly states: ModelStateStore;
  private readonly negativeCache: NegativeCache;
  private readonly collector: GarbageCollector;
  private readonly clock: Clock;
  private readonly diskProbe: DiskProbe;
  private readonly jobs: SharedEnsureJobs;
  private readonly broadcaster: StatusBroadcaster;
  /** Variants this process is verifying right now (status says VERIFYING before the lock file shows it). */
  private readonly verifying = new Set<string>();
  private closed = false;

  constructor(private readonly options: OrchestratorOptions) {
    this.settings = withDefaultSettings(options.settings);
    this.layout = new ModelsRoot(options.root);
    this.root = this.layout.root;
    this.clock = options.clock ?? systemClock;
    this.diskProbe = options.diskProbe ?? createDiskProbe();
    this.blobs = new BlobStore(this.layout);
    this.locks = new ModelLocks(this.layout.locksDir, this.clock, { staleMs: this.settings.lockStaleMs });
    this.states = new ModelStateStore(this.layout);
    this.negativeCache = new NegativeCache(
      this.clock,
      this.settings.negativeCacheTtlMs,
      path.join(this.layout.stateDir, 'failed-sources.json'),
    );
    this.broadcaster = new StatusBroadcaster((id, variant) => {
      const model = this.models().find((m) => m.id === id);
      return model && model.variants.includes(variant) ? this.statusOf(model, variant) : null;
    });
    this.jobs = new SharedEnsureJobs();
    this.collector = new GarbageCollector({
      layout: this.layout,
      blobs: this.blobs,
      locks: this.locks,
      states: this.states,
      clock: this.clock,
      diskProbe: this.diskProbe,
      partialMaxAgeMs: this.settings.partialMaxAgeMs,
      onRemoved: (id, variant) => this.emitStatus(id, variant),
    });
  }

  // ---- catalogue -------------------------------------------------------------------------

  listModels(): ModelSummary[] {
    return this.models().map(summarizeModel);
  }

  getModel(id: string): ModelSpec {
    return findModel(this.models(), id);
  }

  // ---- ensure ----------------------------------------------------------------------------

  async ensure(id: string, options: EnsureOptions = {}): Promise<EnsureOutcome> {
    return this.guard(`ensure ${id}`, async () => {
      this.assertOpen();
      const { model, variant } = this.resolve(id, options.variant);
      return this.jobs.run(this.layout.key(model.id, variant), options, (signal, onProgress) =>
        ensureModel(this.ensureDeps(model.id, variant), model, variant, { force: options.force === true, signal, onProgress }).finally(() =>
          this.emitStatus(model.id, variant),
        ),
      );
    });
  }

  private ensureDeps(id: string, variant: string): EnsureDeps {
    const downloader = this.options.downloader;
    const sourceResolver = this.options.sourceResolver;
    if (!downloader || !sourceResolver) {
      throw new OrchestratorError(
        'INVALID_CONFIG',
        'ensure: this orchestrator has no downloader or source resolver; build it with createOrchestrator().',
      );
    }
    return {
      layout: this.layout,
      blobs: this.blobs,
      locks: this.locks,
      states: this.states,
      negativeCache: this.negativeCache,
      downloader,
      sourceResolver,
      diskProbe: this.diskProbe,
      clock: this.clock,
      gc: this.collector,
      partialBytesOf: this.partialBytesOf,
      safetyMarginBytes: this.settings.safetyMarginBytes,
      lockTimeoutMs: this.settings.lockTimeoutMs,
      fileConcurrency: Math.max(1, this.settings.fileConcurrency),
      onChange: () => this.emitStatus(id, variant),
    };
  }

  // ---- status, verify, estimate ---------------------------------------------------------

  async status(id: string, options: { variant?: string } = {}): Promise<StatusReport> {
    return this.guard(`status ${id}`, async () => {
      const { model, variant } = this.resolve(id, options.variant);
      return this.statusOf(model, variant);
    });
  }

  private async statusOf(model: ModelSpec, variant: string): Promise<StatusReport> {
    const key = this.layout.key(model.id, variant);
    const inspection = await this.inspect(model, variant);
    const verifying = this.verifying.has(key) || (await this.locks.holder(key))?.purpose === 'verify';
    return statusReport(model, variant, inspection, verifying);
  }

  async verify(id: string, options: VerifyOptions = {}): Promise<VerificationResult> {
    return this.guard(`verify ${id}`, async () => {
      this.assertOpen();
      const { model, variant } = this.resolve(id, options.variant);
      const key = this.layout.key(model.id, variant);
      const deps = {
        layout: this.layout,
        locks: this.locks,
        states: this.states,
        clock: this.clock,
        hashPool: this.requireHashPool(),
        lockTimeoutMs: this.settings.lockTimeoutMs,
        onLocked: () => {
          this.verifying.add(key);
          this.emitStatus(model.id, variant);
        },
      };
      try {
        return await verifyModelVariant(deps, model, variant, options);
      } finally {
        if (this.verifying.delete(key)) this.emitStatus(model.id, variant);
      }
    });
  }

  async estimate(id: string, options: { variant?: string } = {}): Promise<EstimateResult> {
    return this.guard(`estimate ${id}`, async () => {
      const { model, variant } = this.resolve(id, options.variant);
      return downloadEstimate(model, variant, await this.inspect(model, variant));
    });
  }

  // ---- pins, removal, GC, disk usage ------------------------------------------------------

  async pin(id: string, options: { variant?: string } = {}): Promise<PinResult> {
    return this.setPinned(id, options.variant, true);
  }

  async unpin(id: string, options: { variant?: string } = {}): Promise<PinResult> {
    return this.setPinned(id, options.variant, false);
  }

  private async setPinned(id: string, requested: string | undefined, pinned: boolean): Promise<PinResult> {
    return this.guard(`${pinned ? 'pin' : 'unpin'} ${id}`, async () => {
      const { model, variant } = this.resolve(id, requested);
      await this.layout.prepare();
      await this.states.update(model.id, variant, { pinned });
      this.emitStatus(model.id, variant);
      return { id: model.id, variant, pinned };
    });
  }

  async remove(id: string, options: { variant?: string } = {}): Promise<{ id: string; variant: string; bytesFreed: number }> {
    return this.guard(`remove ${id}`, async () => {
      const { model, variant } = this.resolve(id, options.variant);
      try {
        const bytesFreed = await removeModelVariant(
          { layout: this.layout, blobs: this.blobs, locks: this.locks, states: this.states, lockTimeoutMs: this.settings.lockTimeoutMs },
          model,
          variant,
        );
        return { id: model.id, variant, bytesFreed };
      } finally {
        this.emitStatus(model.id, variant);
      }
    });
  }

  async gc(options: GcOptions = {}): Promise<GcResult> {
    return this.guard('gc', async () => {
      await this.layout.prepare();
      const quota = this.settings.quotaBytes;
      return this.collector.run({ ...options, ...(options.maxSizeBytes === undefined && quota != null ? { maxSizeBytes: quota } : {}) });
    });
  }

  async diskUsage(): Promise<DiskUsage> {
    return this.guard('diskUsage', async () =>
      diskUsageReport({
        layout: this.layout,
        blobs: this.blobs,
        states: this.states,
        diskProbe: this.diskProbe,
        quotaBytes: this.settings.quotaBytes ?? null,
      }),
    );
  }

  /** Sources skipped for now because they failed recently, per model (expired entries dropped). */
  skippedSources(): NegativeEntry[] {
    this.negativeCache.prune();
    return this.negativeCache.list();
  }

  // ---- events and lifecycle ---------------------------------------------------------------

  /** Calls `listener` whenever this process changes the status of a model variant. Returns unsubscribe. */
  onStatusChange(listener: StatusListener): () => void {
    return this.broadcaster.subscribe(listener);
  }

  /** Cancels running ensures, waits for them to wind down, and releases owned resources. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.jobs.abortAll();
    this.broadcaster.clear();
    await this.options.onClose?.().catch(() => undefined);
    if (this.options.ownsHashPool) await this.options.hashPool?.close();
  }

  // ---- helpers -----------------------------------------------------------------------------

  private models(): ModelSpec[] {
    const m = this.options.models;
    return typeof m === 'function' ? m() : m;
  }

  private resolve(id: string, requested?: string): { model: ModelSpec; variant: string } {
    return findModelVariant(this.models(), id, requested);
  }

  private async inspect(model: ModelSpec, variant: string): Promise<ModelInspection> {
    return inspectModel(this.layout, this.blobs, model, variant, await this.states.read(model.id, variant), this.partialBytesOf);
  }

  private readonly partialBytesOf: PartialBytesOf = async (file: ManifestFile) => {
    if (this.options.partialBytesOf) return this.options.partialBytesOf(file);
    // The downloader's partial layout: <partialDir>/<sha256>.part plus a journal of synced ranges.
    return partialBytes(this.layout.partialDir, file.sha256, file.size);
  };

  private requireHashPool(): HashPool {
    if (!this.options.hashPool)
      throw new OrchestratorError('INVALID_CONFIG', 'verify: this orchestrator has no hash pool; build it with createOrchestrator().');
    return this.options.hashPool;
  }

  private assertOpen(): void {
    if (this.closed) throw new OrchestratorError('INVALID_CONFIG', 'This orchestrator was closed; create a new one.');
  }

  private async guard<T>(context: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toOrchestratorError(error, context);
    }
  }

  private emitStatus(id: string, variant: string): void {
    this.broadcaster.changed(id, variant);
  }
}
