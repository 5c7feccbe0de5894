/**
 * The orchestrator: keeps the models of a manifest present, verified and within budget in one
 * models root. It implements `ModelService`, which the CLI, the web host and the Electron app
 * drive. Collaborators (downloader, hash pool, disk probe, clock, source resolver) come in
 * through the constructor; `createOrchestrator` supplies the real ones.
 *
 * Every public method resolves with a result or fails with an OrchestratorError (a code from
 * shared/errors.ts), never a raw exception.
 */
import { setMaxListeners } from 'node:events';
import path from 'node:path';
import { OrchestratorError, toOrchestratorError } from '../../shared/errors';
import { filesForVariant, type ManifestFile, type ModelSpec } from '../../shared/manifest';
import type {
  DiskUsage,
  EstimateResult,
  GcOptions,
  GcResult,
  ModelSummary,
  PinResult,
  StatusReport,
  VerificationResult,
} from '../../shared/results';
import type { Clock, DiskProbe, EnsureOptions, FileDownloader, HashPool, ModelProgress, ModelService, VerifyOptions } from './ports';
import { BlobStore } from './store/blob-store';
import { ensureModel, type EnsureDeps, type EnsureOutcome, type SourceResolverLike } from './store/ensure-model';
import { GarbageCollector, treeSize } from './store/garbage-collector';
import { listInstalledModels, removeModelDir } from './store/installed-models';
import { inspectModel, isPresent, type ModelInspection, type PartialBytesOf } from './store/model-inspection';
import { ModelLocks } from './store/model-locks';
import { ModelStateStore } from './store/model-state';
import { verifyModelFiles } from './store/model-verifier';
import { ModelsRoot } from './store/models-root';
import { NegativeCache, type NegativeEntry } from './store/negative-cache';
import { readMarker } from './store/verified-marker';
import { Downloader, partialBytes } from './download/downloader';
import { createHashPool } from './hash/hash-pool';
import { createSourceResolver, type SourceResolverOptions } from './sources/index';
import { createDiskProbe } from './system/disk-probe';
import { systemClock } from './system/system-clock';
import { pathExists } from './system/path-exists';
import type { NetworkOptions } from './net/http-dispatcher';

export interface OrchestratorSettings {
  /** Free space kept in reserve beyond what a download needs. */
  safetyMarginBytes: number;
  /** How long ensure/verify wait for another process holding a model's lock. */
  lockTimeoutMs: number;
  /** How long a failed source is skipped for a model. */
  negativeCacheTtlMs: number;
  /** Download speed limit (passed to the downloader); undefined = unlimited. */
  maxBytesPerSecond?: number;
  /** Retries per source (passed to the downloader). */
  retries?: number;
  /** Models may use at most this many bytes (GC evicts LRU down to it); null = no quota. */
  quotaBytes?: number | null;
  /** Resumable partial data older than this is removed by GC. */
  partialMaxAgeMs: number;
  /** Files of one model downloaded at the same time. */
  fileConcurrency: number;
  /** A lock not refreshed for this long is treated as abandoned (min 2 s). */
  lockStaleMs: number;
}

export const DEFAULT_SETTINGS: OrchestratorSettings = {
  safetyMarginBytes: 1024 ** 3,
  lockTimeoutMs: 300_000,
  negativeCacheTtlMs: 300_000,
  quotaBytes: null,
  partialMaxAgeMs: 7 * 24 * 3600_000,
  fileConcurrency: 4,
  lockStaleMs: 10_000,
};

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

export type StatusListener = (status: StatusReport) => void;

interface EnsureJob {
  promise: Promise<EnsureOutcome>;
  controller: AbortController;
  listeners: Set<(p: ModelProgress) => void>;
  /** Callers still waiting; when every caller cancelled, the job is cancelled. */
  waiting: number;
  force: boolean;
}

const MODEL_ID = /^[A-Za-z0-9._@+-]{1,128}$/;

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
  private readonly jobs = new Map<string, EnsureJob>();
  private readonly verifying = new Set<string>();
  private readonly listeners = new Set<StatusListener>();
  private readonly lastEmitted = new Map<string, string>();
  private closed = false;

  constructor(private readonly options: OrchestratorOptions) {
    this.settings = { ...DEFAULT_SETTINGS, ...definedOnly(options.settings ?? {}) };
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
    return this.models().map((m) => ({
      id: m.id,
      ...(m.description !== undefined ? { description: m.description } : {}),
      version: m.version,
      variants: [...m.variants],
      defaultVariant: m.defaultVariant,
      totalBytes: sumSizes(filesForVariant(m, m.defaultVariant)),
      sources: [...m.sources],
    }));
  }

  getModel(id: string): ModelSpec {
    if (typeof id !== 'string' || !MODEL_ID.test(id)) {
      throw new OrchestratorError(
        'INVALID_MODEL_ID',
        `"${String(id)}" is not a valid model id (letters, digits and . _ - @ + only, at most 128 characters).`,
        { id },
      );
    }
    const models = this.models();
    const model = models.find((m) => m.id === id);
    if (!model) {
      const known = models.map((m) => m.id);
      throw new OrchestratorError(
        'MODEL_NOT_FOUND',
        `Model "${id}" is not in the manifest. Known models: ${known.length ? known.join(', ') : '(none)'}. Run "modelctl list" to see them.`,
        { id, known },
      );
    }
    return model;
  }

  // ---- ensure ----------------------------------------------------------------------------

  async ensure(id: string, options: EnsureOptions = {}): Promise<EnsureOutcome> {
    return this.guard(`ensure ${id}`, async () => {
      this.assertOpen();
      const { model, variant } = this.resolve(id, options.variant);
      const key = this.layout.key(model.id, variant);
      let job = this.jobs.get(key);
      if (job?.controller.signal.aborted) job = undefined; // a cancelled job still winding down is not joined
      if (job && options.force && !job.force) {
        // A forced re-download asked while a normal ensure runs: let it finish, then force.
        await job.promise.catch(() => undefined);
        job = this.jobs.get(key);
        if (job?.controller.signal.aborted) job = undefined;
      }
      if (!job) job = this.startJob(key, model, variant, options.force === true);
      return this.attach(job, options);
    });
  }

  private startJob(key: string, model: ModelSpec, variant: string, force: boolean): EnsureJob {
    const controller = new AbortController();
    setMaxListeners(1000, controller.signal);
    const listeners = new Set<(p: ModelProgress) => void>();
    const promise = ensureModel(this.ensureDeps(model.id, variant), model, variant, {
      force,
      signal: controller.signal,
      onProgress: (p) => {
        for (const listener of listeners) listener(p);
      },
    }).finally(() => {
      if (this.jobs.get(key) === job) this.jobs.delete(key);
      this.emitStatus(model.id, variant);
    });
    promise.catch(() => undefined); // every caller gets it through attach(); avoid unhandled noise
    const job: EnsureJob = { promise, controller, listeners, waiting: 0, force };
    this.jobs.set(key, job);
    return job;
  }

  private attach(job: EnsureJob, options: EnsureOptions): Promise<EnsureOutcome> {
    job.waiting++;
    const listener = options.onProgress;
    if (listener) job.listeners.add(listener);
    const signal = options.signal;
    if (!signal) return job.promise;
    return new Promise<EnsureOutcome>((resolve, reject) => {
      const onAbort = () => {
        if (listener) job.listeners.delete(listener);
        if (--job.waiting === 0) job.controller.abort();
        reject(new OrchestratorError('CANCELLED', 'ensure: cancelled; nothing was changed under models/.'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      job.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
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
    const holder = this.verifying.has(key) ? { purpose: 'verify' } : await this.locks.holder(key);
    const status: StatusReport['status'] =
      holder?.purpose === 'verify'
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
    };
  }

  async verify(id: string, options: VerifyOptions = {}): Promise<VerificationResult> {
    return this.guard(`verify ${id}`, async () => {
      this.assertOpen();
      const { model, variant } = this.resolve(id, options.variant);
      const key = this.layout.key(model.id, variant);
      await this.layout.prepare();
      const lock = await this.locks.acquire(key, 'verify', {
        timeoutMs: this.settings.lockTimeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
        what: `${model.id} (${variant})`,
      });
      this.verifying.add(key);
      this.emitStatus(model.id, variant);
      try {
        const marker = await readMarker(this.layout.markerPath(model.id, variant));
        const result = await verifyModelFiles(this.layout, this.requireHashPool(), model, variant, marker, options);
        const hasDir = await pathExists(this.layout.modelDir(model.id, variant));
        await this.states.update(model.id, variant, {
          corrupt: hasDir && !result.success,
          badFiles: result.success ? [] : [...result.failedFiles, ...result.missingFiles],
          lastVerifiedAt: this.clock.now(),
          ...(hasDir ? { lastUsed: this.clock.now() } : {}),
        });
        return result;
      } finally {
        this.verifying.delete(key);
        await lock.release();
        this.emitStatus(model.id, variant);
      }
    });
  }

  async estimate(id: string, options: { variant?: string } = {}): Promise<EstimateResult> {
    return this.guard(`estimate ${id}`, async () => {
      const { model, variant } = this.resolve(id, options.variant);
      const inspection = await this.inspect(model, variant);
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
      const key = this.layout.key(model.id, variant);
      await this.layout.prepare();
      const lock = await this.locks.acquire(key, 'remove', { timeoutMs: this.settings.lockTimeoutMs, what: `${model.id} (${variant})` });
      let bytesFreed = 0;
      try {
        const marker = await readMarker(this.layout.markerPath(model.id, variant));
        const copies = marker?.linkMode === 'copy' ? sumSizes(marker.files) : 0;
        if (await removeModelDir(this.layout, model.id, variant)) bytesFreed += copies;
        await this.states.forget(model.id, variant);
        const stillUsed = new Set((await listInstalledModels(this.layout)).flatMap((m) => m.marker.files.map((f) => f.sha256)));
        for (const sha of new Set((marker?.files ?? []).map((f) => f.sha256))) {
          const info = await this.blobs.info(sha);
          if (info && !stillUsed.has(sha) && info.links <= 1) {
            await this.blobs.remove(sha);
            bytesFreed += info.size;
          }
        }
      } finally {
        await lock.release();
        this.emitStatus(model.id, variant);
      }
      return { id: model.id, variant, bytesFreed };
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
    return this.guard('diskUsage', async () => {
      await this.layout.prepare();
      const installed = await listInstalledModels(this.layout);
      const states = await this.states.all();
      const blobs = await this.blobs.list();
      const space = await this.diskProbe.space(this.layout.root);
      let copies = 0;
      for (const m of installed) if (m.marker.linkMode === 'copy') copies += sumSizes(m.marker.files);
      return {
        root: this.layout.root,
        models: installed.map((m) => {
          const state = states.get(this.layout.key(m.id, m.variant));
          return {
            id: m.id,
            variant: m.variant,
            bytes: sumSizes(m.marker.files),
            pinned: state?.pinned ?? false,
            lastUsed: state?.lastUsed ?? null,
          };
        }),
        partialBytes: await treeSize(this.layout.partialDir),
        freeBytes: space.free,
        totalBytes: space.size,
        storedBytes: blobs.reduce((s, b) => s + b.size, 0) + copies,
        linkMode: installed.some((m) => m.marker.linkMode === 'copy') ? 'copy' : 'hardlink',
        quotaBytes: this.settings.quotaBytes ?? null,
      };
    });
  }

  /** Sources skipped for now because they failed recently, per model (expired entries dropped). */
  skippedSources(): NegativeEntry[] {
    this.negativeCache.prune();
    return this.negativeCache.list();
  }

  // ---- events and lifecycle ---------------------------------------------------------------

  /** Calls `listener` whenever this process changes the status of a model variant. Returns unsubscribe. */
  onStatusChange(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels running ensures, waits for them to wind down, and releases owned resources. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const running = [...this.jobs.values()];
    for (const job of running) job.controller.abort();
    await Promise.allSettled(running.map((j) => j.promise));
    this.listeners.clear();
    await this.options.onClose?.().catch(() => undefined);
    if (this.options.ownsHashPool) await this.options.hashPool?.close();
  }

  // ---- helpers -----------------------------------------------------------------------------

  private models(): ModelSpec[] {
    const m = this.options.models;
    return typeof m === 'function' ? m() : m;
  }

  private resolve(id: string, requested?: string): { model: ModelSpec; variant: string } {
    const model = this.getModel(id);
    const variant = requested ?? model.defaultVariant;
    if (!model.variants.includes(variant)) {
      throw new OrchestratorError(
        'VARIANT_NOT_FOUND',
        `Model "${model.id}" has no variant "${variant}". Available: ${model.variants.join(', ')}.`,
        { id: model.id, variant, variants: [...model.variants] },
      );
    }
    return { model, variant };
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
    if (this.listeners.size === 0) return;
    const model = this.models().find((m) => m.id === id);
    if (!model || !model.variants.includes(variant)) return;
    const key = this.layout.key(id, variant);
    this.statusOf(model, variant).then(
      (report) => {
        const fingerprint = JSON.stringify([report.status, report.bytesPresent, report.pinned]);
        if (this.lastEmitted.get(key) === fingerprint) return;
        this.lastEmitted.set(key, fingerprint);
        for (const listener of this.listeners) listener(report);
      },
      () => undefined,
    );
  }
}

function sumSizes(files: Array<{ size: number }>): number {
  return files.reduce((s, f) => s + f.size, 0);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface CreateOrchestratorOptions extends OrchestratorOptions {
  /** How the default source resolver reaches local mirrors, S3 and the Hugging Face Hub. */
  sources?: SourceResolverOptions;
  /** Proxy and CA file for the downloader's requests (default: HTTP(S)_PROXY, NO_PROXY, the default roots). */
  network?: NetworkOptions;
}

/**
 * An Orchestrator with the real collaborators filled in where the caller gave none: a worker
 * hash pool sized to the machine, the segmented resumable Downloader (with the speed limit and
 * retries from settings), the source resolver, the system clock and the disk probe.
 */
export function createOrchestrator(options: CreateOrchestratorOptions): Orchestrator {
  const settings = { ...DEFAULT_SETTINGS, ...definedOnly(options.settings ?? {}) };
  const clock = options.clock ?? systemClock;
  const ownsHashPool = !options.hashPool;
  const hashPool = options.hashPool ?? createHashPool();
  let ownedDownloader: Downloader | null = null;
  const downloader =
    options.downloader ??
    (ownedDownloader = new Downloader({
      partialDir: new ModelsRoot(options.root).partialDir,
      hashPool,
      clock,
      ...(settings.maxBytesPerSecond !== undefined ? { maxBytesPerSecond: settings.maxBytesPerSecond } : {}),
      ...(settings.retries !== undefined ? { retries: settings.retries } : {}),
      ...(options.network ? { network: options.network } : {}),
    }));
  const previousClose = options.onClose;
  return new Orchestrator({
    ...options,
    clock,
    hashPool,
    downloader,
    sourceResolver: options.sourceResolver ?? createSourceResolver(options.sources ?? {}),
    diskProbe: options.diskProbe ?? createDiskProbe(),
    ownsHashPool: options.ownsHashPool ?? ownsHashPool,
    onClose: async () => {
      await previousClose?.();
      await ownedDownloader?.close();
    },
  });
}
