/**
 * `ensure` for one model variant: fast path (marker + sizes), cross-process lock, re-check,
 * disk preflight with GC, download of what is missing (sources in priority order, recently
 * failed ones skipped), promotion of each verified file into blobs/, then the model directory
 * assembled in .tmp/ from hard links and renamed into models/ in one step. Nothing unverified
 * or half-built is ever visible under models/.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { OrchestratorError, toOrchestratorError, toStructuredError, type StructuredError } from '../../../shared/errors';
import type { ModelSpec } from '../../../shared/manifest';
import type { EnsureResult, FileProgress } from '../../../shared/results';
import type { Clock, DiskProbe, EnsureOptions, FileDownloader, ModelProgress, ResolvedSource, SourceFailure } from '../ports';
import type { OrchestratorObserver } from '../ports';
import { Throttle } from '../progress-meter';
import type { BlobStore, LinkMode } from './blob-store';
import { EnsureEvents } from './ensure-events';
import { syncDir } from './durable-write';
import type { GarbageCollector } from './garbage-collector';
import type { ModelLocks } from './model-locks';
import { inspectModel, type FileOnDisk, type ModelInspection, type PartialBytesOf } from './model-inspection';
import type { ModelStateStore } from './model-state';
import type { ModelsRoot } from './models-root';
import type { NegativeCache } from './negative-cache';
import { MARKER_NAME, writeMarker } from './verified-marker';
import { FileSlots } from './file-slots';
import { failureMessage } from '../download/failure-summary';
import { pathExists } from '../system/path-exists';
import { formatBinaryBytes } from '../../../shared/byte-sizes';

export interface SourceResolverLike {
  /** `sha256` lets content-addressed sources (team mirrors) serve the file too. */
  resolve(model: ModelSpec, filePath: string, sha256?: string): ResolvedSource[];
  resolveWithProblems?(model: ModelSpec, filePath: string, sha256?: string): { sources: ResolvedSource[]; problems: SourceFailure[] };
}

export interface EnsureDeps {
  layout: ModelsRoot;
  blobs: BlobStore;
  locks: ModelLocks;
  states: ModelStateStore;
  negativeCache: NegativeCache;
  downloader: FileDownloader;
  sourceResolver: SourceResolverLike;
  diskProbe: DiskProbe;
  clock: Clock;
  gc: GarbageCollector;
  partialBytesOf: PartialBytesOf;
  safetyMarginBytes: number;
  lockTimeoutMs: number;
  /** Files fetched at the same time for one model. */
  fileConcurrency: number;
  /** Called when this job changed what status would report. */
  onChange: () => void;
  /** Metrics and logs (ports.ts OrchestratorEvent). */
  onEvent?: OrchestratorObserver;
}

export interface EnsureOutcome extends EnsureResult {
  /** Optional files that could not be fetched (they never block COMPLETE). */
  skippedOptional?: Array<{ path: string; error: StructuredError }>;
}

/** One download unit: a sha256 and every path of the variant that has that content. */
interface FetchUnit {
  sha256: string;
  size: number;
  paths: string[];
  optional: boolean;
  partialBytes: number;
  /** The stored blob must be replaced, not reused (forced, or found bad by verification). */
  replace: boolean;
}

export async function ensureModel(
  deps: EnsureDeps,
  model: ModelSpec,
  variant: string,
  options: EnsureOptions = {},
): Promise<EnsureOutcome> {
  const { layout, locks, states, clock } = deps;
  const what = `${model.id} (${variant})`;
  const inspect = async () => inspectModel(layout, deps.blobs, model, variant, await states.read(model.id, variant), deps.partialBytesOf);
  const done = async (inspection: ModelInspection): Promise<EnsureOutcome> => {
    await states.update(model.id, variant, { lastUsed: clock.now() });
    options.onProgress?.(buildProgress(inspection, new Map(), 'done', null));
    return { id: model.id, variant, localPath: inspection.localPath, downloadedBytes: 0, source: null };
  };
  if (options.signal?.aborted) throw cancelled(what);

  if (!options.force) {
    const quick = await inspect();
    if (quick.complete) return done(quick);
  }

  await layout.prepare();
  const key = layout.key(model.id, variant);
  const lock = await locks.acquire(key, 'ensure', {
    timeoutMs: deps.lockTimeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    what,
  });
  const staging = path.join(layout.tmpDir, `${key}.staging-${randomBytes(4).toString('hex')}`);
  const throttle = new Throttle<ModelProgress>((p) => options.onProgress?.(p), 100);
  const events = new EnsureEvents(deps.onEvent, model.id, variant, clock);
  try {
    // Another process may have finished this model while we waited for the lock.
    let inspection = await inspect();
    if (!options.force && inspection.complete) return await done(inspection);
    inspection = await adoptOrphanedModelFiles(deps, inspection);

    let units = fetchUnits(inspection.files, options.force === true);
    if (options.storedOnly) {
      // Adopt assembles what it stored; nothing is fetched, optional files not stored are left out.
      const missing = units.filter((u) => !u.optional);
      if (missing.length > 0) {
        throw new OrchestratorError(
          'INCOMPLETE_DOWNLOAD',
          `${what}: ${missing.flatMap((u) => u.paths).join(', ')} not stored yet; run ensure to download ${missing.length === 1 ? 'it' : 'them'}.`,
          { id: model.id, variant, missing: missing.flatMap((u) => u.paths) },
        );
      }
      units = [];
      inspection = { ...inspection, files: inspection.files.filter((f) => !f.file.optional || f.inBlobs) };
    }
    events.started(units);
    const fetching = new Set(units.flatMap((u) => u.paths));
    let skippedOptional: Array<{ path: string; error: StructuredError }> = [];
    const progress = new Map<string, number>();
    const report = (phase: ModelProgress['phase'], source: string | null = null) => {
      const p = buildProgress(inspection, progress, phase, source, fetching);
      if (phase === 'downloading') throttle.push(p);
      else {
        throttle.flush();
        options.onProgress?.(p);
      }
    };
    report('preflight');

    const skipForSpace = await preflight(deps, model, variant, units, key);
    for (const unit of skipForSpace) {
      const error = new OrchestratorError('NO_SPACE', `Not enough disk space for the optional file(s) ${unit.paths.join(', ')}; skipped.`, {
        bytesNeeded: unit.size,
      });
      skippedOptional.push(...unit.paths.map((p) => ({ path: p, error: toStructuredError(error) })));
    }
    const toFetch = units.filter((u) => !skipForSpace.includes(u));
    for (const unit of skipForSpace) for (const p of unit.paths) fetching.delete(p);
    deps.onChange();

    const fetched = await fetchAll(deps, model, variant, toFetch, options.signal, (unit, bytes) => {
      for (const p of unit.paths) progress.set(p, bytes);
      report('downloading');
    });
    skippedOptional = [...skippedOptional, ...fetched.skippedOptional];
    throttle.flush();

    if (options.signal?.aborted) throw cancelled(what);
    report('assembling');
    const skippedPaths = new Set(skippedOptional.map((s) => s.path));
    const present = inspection.files.filter(
      (f) => !skippedPaths.has(f.file.path) && (f.file.optional ? f.inBlobs || fetched.fetchedShas.has(f.file.sha256) : true),
    );
    await assemble(deps, model, variant, present, staging, options.signal, lock.compromised);

    const previous = await states.read(model.id, variant);
    const fileSources = { ...(options.force ? {} : previous.fileSources), ...Object.fromEntries(fetched.fileSources) };
    const kept: Record<string, string> = {};
    for (const f of present) {
      const source = fileSources[f.file.path];
      if (source) kept[f.file.path] = source;
    }
    await states.update(model.id, variant, {
      corrupt: false,
      badFiles: [],
      lastUsed: clock.now(),
      lastVerifiedAt: clock.now(),
      fileSources: kept,
    });
    events.finished(fetched, present);
    options.onProgress?.(buildProgress(await inspect(), new Map(), 'done', fetched.source));
    return {
      id: model.id,
      variant,
      localPath: inspection.localPath,
      downloadedBytes: fetched.bytesFetched,
      source: fetched.source,
      fileSources: [...fetched.fileSources].map(([p, source]) => ({ path: p, source })),
      ...(skippedOptional.length ? { skippedOptional } : {}),
    };
  } catch (error) {
    events.failed(error, options.signal?.aborted === true);
    if (options.signal?.aborted) throw cancelled(what);
    throw toOrchestratorError(error, `ensure ${what}`);
  } finally {
    throttle.flush(); // never let a late 'downloading' report arrive after the job ended
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    await lock.release();
    deps.onChange();
  }
}

/** A model file whose blob went missing (deleted by hand) is put back rather than downloaded again. */
async function adoptOrphanedModelFiles(deps: EnsureDeps, inspection: ModelInspection): Promise<ModelInspection> {
  const files: FileOnDisk[] = [];
  for (const f of inspection.files) {
    if (!f.inBlobs && !f.knownBad && f.inModelDir === 'ok') {
      const adopted = await deps.blobs.adopt(deps.layout.modelFile(inspection.model.id, inspection.variant, f.file.path), f.file.sha256);
      files.push({ ...f, inBlobs: adopted });
    } else files.push(f);
  }
  return { ...inspection, files };
}

function fetchUnits(files: FileOnDisk[], force: boolean): FetchUnit[] {
  const bySha = new Map<string, FetchUnit>();
  for (const f of files) {
    if (!force && f.inBlobs) continue;
    const unit = bySha.get(f.file.sha256);
    if (unit) {
      unit.paths.push(f.file.path);
      unit.optional &&= f.file.optional;
      unit.replace ||= f.knownBad;
    } else {
      bySha.set(f.file.sha256, {
        sha256: f.file.sha256,
        size: f.file.size,
        paths: [f.file.path],
        optional: f.file.optional,
        partialBytes: f.partialBytes,
        replace: force || f.knownBad,
      });
    }
  }
  // Required files first, so optional ones never delay what COMPLETE depends on.
  return [...bySha.values()].sort((a, b) => Number(a.optional) - Number(b.optional));
}

/**
 * Checks the volume can hold what is still to fetch plus the safety margin; if not, asks GC for
 * the shortfall and checks again. Fails with NO_SPACE before a single byte is downloaded.
 * Returns optional units to skip when only the required files fit.
 */
async function preflight(deps: EnsureDeps, model: ModelSpec, variant: string, units: FetchUnit[], ownKey: string): Promise<FetchUnit[]> {
  const need = (list: FetchUnit[]) => list.reduce((sum, u) => sum + Math.max(0, u.size - u.partialBytes), 0);
  const all = need(units);
  const required = need(units.filter((u) => !u.optional));
  if (all === 0) return [];
  const root = deps.layout.root;
  let free = (await deps.diskProbe.space(root)).free;
  if (free >= all + deps.safetyMarginBytes) return [];
  await deps.gc.run({ targetFreeBytes: all + deps.safetyMarginBytes, ownLocks: [ownKey], trigger: 'disk-space' });
  free = (await deps.diskProbe.space(root)).free;
  if (free >= all + deps.safetyMarginBytes) return [];
  if (free >= required + deps.safetyMarginBytes) return units.filter((u) => u.optional);
  throw new OrchestratorError(
    'NO_SPACE',
    `Not enough disk space for ${model.id} (${variant}): ${formatBinaryBytes(required)} still to download plus a safety margin of ${formatBinaryBytes(deps.safetyMarginBytes)}, but only ${formatBinaryBytes(free)} free in ${root} after garbage collection. Free some space, unpin models you no longer need, choose another models folder, or lower the margin (--min-free SIZE, MODELS_MIN_FREE, or "Keep free on disk" in Settings).`,
    {
      id: model.id,
      variant,
      bytesNeeded: required + deps.safetyMarginBytes,
      bytesAvailable: free,
      path: root,
      safetyMarginBytes: deps.safetyMarginBytes,
    },
  );
}

/** Files below this size are fetched over one connection (the downloader's minPieceSize). */
const SMALL_FILE_BYTES = 4 * 1024 * 1024;
/** Small files fetched at once per slot of fileConcurrency. */
const SMALL_FILES_PER_SLOT = 4;

interface FetchAllResult {
  bytesFetched: number;
  source: string | null;
  /** The source that served each fetched path. */
  fileSources: Map<string, string>;
  fetchedShas: Set<string>;
  skippedOptional: Array<{ path: string; error: StructuredError }>;
}

async function fetchAll(
  deps: EnsureDeps,
  model: ModelSpec,
  variant: string,
  units: FetchUnit[],
  signal: AbortSignal | undefined,
  onUnitProgress: (unit: FetchUnit, bytes: number) => void,
): Promise<FetchAllResult> {
  const controller = new AbortController();
  setMaxListeners(1000, controller.signal); // every piece of every file listens to it
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const queue = [...units];
  const result: FetchAllResult = { bytesFetched: 0, source: null, fileSources: new Map(), fetchedShas: new Set(), skippedOptional: [] };
  const bytesBySource = new Map<string, number>();
  let firstError: unknown = null;

  const largeSlots = new FileSlots(deps.fileConcurrency);
  const worker = async () => {
    for (let unit = queue.shift(); unit && firstError === null && !controller.signal.aborted; unit = queue.shift()) {
      const release = unit.size >= SMALL_FILE_BYTES ? await largeSlots.acquire() : () => undefined;
      try {
        if (firstError !== null || controller.signal.aborted) break;
        const outcome = await fetchUnit(deps, model, variant, unit, controller.signal, (bytes) => onUnitProgress(unit as FetchUnit, bytes));
        result.bytesFetched += outcome.bytesFetched;
        bytesBySource.set(outcome.source, (bytesBySource.get(outcome.source) ?? 0) + outcome.bytesFetched);
        result.fetchedShas.add(unit.sha256);
        for (const p of unit.paths) result.fileSources.set(p, outcome.source);
      } catch (error) {
        if (controller.signal.aborted && signal?.aborted) return;
        if (unit.optional && !controller.signal.aborted) {
          const structured = toStructuredError(error);
          result.skippedOptional.push(...unit.paths.map((p) => ({ path: p, error: structured })));
          continue;
        }
        if (firstError === null) firstError = error;
        controller.abort(); // one required file failed: the model cannot complete, stop the others
      } finally {
        release();
      }
    }
  };
  try {
    // Small files cost a request and a few file operations each, so more of them run at once
    // (their latency overlaps); large ones stay within fileConcurrency. A fileConcurrency of 1
    // keeps its plain meaning: one file at a time, in order.
    const perSlot = deps.fileConcurrency > 1 ? SMALL_FILES_PER_SLOT : 1;
    const workers = Math.min(deps.fileConcurrency * perSlot, units.length);
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted) throw cancelled(`${model.id} (${variant})`);
  if (firstError !== null) throw firstError;
  let best = -1;
  for (const [source, bytes] of bytesBySource) {
    if (bytes > best) {
      best = bytes;
      result.source = source;
    }
  }
  return result;
}

async function fetchUnit(
  deps: EnsureDeps,
  model: ModelSpec,
  variant: string,
  unit: FetchUnit,
  signal: AbortSignal,
  onProgress: (bytes: number) => void,
): Promise<{ bytesFetched: number; source: string }> {
  const filePath = unit.paths[0] as string;
  const resolved = deps.sourceResolver.resolveWithProblems
    ? deps.sourceResolver.resolveWithProblems(model, filePath, unit.sha256)
    : { sources: deps.sourceResolver.resolve(model, filePath, unit.sha256), problems: [] as SourceFailure[] };
  const skipped: SourceFailure[] = [];
  const usable: ResolvedSource[] = [];
  const cacheKeyOf = (base: string): string => {
    const source = resolved.sources.find((s) => s.base === base);
    return source?.kind === 'http' && source.cacheKey ? source.cacheKey : base;
  };
  for (const source of resolved.sources) {
    const entry = deps.negativeCache.blocked(model.id, cacheKeyOf(source.base));
    if (entry) {
      skipped.push({
        source: source.base,
        error: {
          ...entry.error,
          message: `skipped: failed ${Math.round((deps.clock.now() - entry.failedAt) / 1000)} s ago (${entry.error.message})`,
        },
      });
    } else usable.push(source);
  }
  // When every source failed recently, trying them again beats failing without a try.
  const candidates = usable.length > 0 ? usable : resolved.sources;
  if (candidates.length === 0) throw sourceUnavailable(model, variant, filePath, [...resolved.problems, ...skipped]);

  // Two processes ensuring models that share this file would download it into the same partial
  // file, and the first to promote it would pull it from under the other (ENOENT): one at a
  // time per content, and whoever comes second finds the blob in place.
  const contentLock = await deps.locks.acquire(`content-${unit.sha256}`, 'ensure', {
    timeoutMs: deps.lockTimeoutMs,
    signal,
    what: filePath,
  });
  try {
    if (!unit.replace && (await deps.blobs.has(unit.sha256, unit.size)))
      return { bytesFetched: 0, source: (candidates[0] as ResolvedSource).base };
    return await downloadUnit(
      deps,
      model,
      variant,
      unit,
      filePath,
      candidates,
      { usable, skipped, problems: resolved.problems, cacheKeyOf },
      signal,
      onProgress,
    );
  } finally {
    await contentLock.release();
  }
}

async function downloadUnit(
  deps: EnsureDeps,
  model: ModelSpec,
  variant: string,
  unit: FetchUnit,
  filePath: string,
  candidates: ResolvedSource[],
  tried: { usable: ResolvedSource[]; skipped: SourceFailure[]; problems: SourceFailure[]; cacheKeyOf: (base: string) => string },
  signal: AbortSignal,
  onProgress: (bytes: number) => void,
): Promise<{ bytesFetched: number; source: string }> {
  const { usable, skipped, cacheKeyOf } = tried;
  try {
    const outcome = await deps.downloader.download({
      file: { path: filePath, size: unit.size, sha256: unit.sha256 },
      sources: candidates,
      signal,
      onProgress,
    });
    for (const failure of outcome.failures) deps.negativeCache.record(model.id, cacheKeyOf(failure.source), failure.error);
    deps.negativeCache.clear(model.id, cacheKeyOf(outcome.source));
    await deps.blobs.promote(outcome.filePath, unit.sha256, unit.size, unit.replace);
    deps.onEvent?.({ type: 'file-fetched', id: model.id, variant, path: filePath, source: outcome.source, bytes: outcome.bytesFetched });
    return { bytesFetched: outcome.bytesFetched, source: outcome.source };
  } catch (error) {
    const e = toOrchestratorError(error);
    if (e.code === 'CANCELLED') throw e;
    const failures = Array.isArray(e.details.failures) ? (e.details.failures as SourceFailure[]) : [];
    for (const failure of failures) deps.negativeCache.record(model.id, cacheKeyOf(failure.source), failure.error);
    if (e.code !== 'SOURCE_UNAVAILABLE') throw e;
    throw sourceUnavailable(model, variant, filePath, [...failures, ...(usable.length > 0 ? skipped : []), ...tried.problems]);
  }
}

function sourceUnavailable(model: ModelSpec, variant: string, filePath: string, failures: SourceFailure[]): OrchestratorError {
  return new OrchestratorError(
    'SOURCE_UNAVAILABLE',
    failureMessage(
      `No source could provide ${filePath} of ${model.id} (${variant})`,
      failures,
      "Check the network and the manifest's sources, then try again.",
    ),
    { id: model.id, variant, file: filePath, failures },
  );
}

/** Builds the model dir in staging from blobs, writes the marker, then swaps it into models/. */
async function assemble(
  deps: EnsureDeps,
  model: ModelSpec,
  variant: string,
  files: FileOnDisk[],
  staging: string,
  signal: AbortSignal | undefined,
  compromised: Error | null,
): Promise<void> {
  const { layout, blobs } = deps;
  await mkdir(staging, { recursive: true });
  let linkMode: LinkMode = 'hardlink';
  const made = new Set<string>([staging]); // one mkdir per folder, not per file
  for (const f of files) {
    const dest = layout.inside(staging, f.file.path);
    const dir = path.dirname(dest);
    if (!made.has(dir)) await mkdir(dir, { recursive: true });
    made.add(dir);
    if ((await blobs.materialize(f.file.sha256, dest)) === 'copy') linkMode = 'copy';
  }
  await writeMarker(path.join(staging, MARKER_NAME), {
    id: model.id,
    variant,
    version: model.version,
    verified_at: new Date(deps.clock.now()).toISOString(),
    linkMode,
    files: files.map((f) => ({ path: f.file.path, size: f.file.size, sha256: f.file.sha256 })),
  });
  await syncDir(staging);
  if (signal?.aborted) throw cancelled(`${model.id} (${variant})`);
  if (compromised) {
    throw new OrchestratorError(
      'CONCURRENT_MODIFICATION',
      `ensure ${model.id} (${variant}): another process took over this model's lock; nothing was changed. Try again.`,
      { id: model.id, variant },
    );
  }
  const target = layout.modelDir(model.id, variant);
  await mkdir(path.dirname(target), { recursive: true });
  let old: string | null = null;
  if (await pathExists(target)) {
    old = path.join(layout.tmpDir, `${path.basename(staging)}.old`);
    await rename(target, old);
  }
  try {
    await rename(staging, target);
  } catch (error) {
    if (old) await rename(old, target).catch(() => undefined);
    throw error;
  }
  await syncDir(path.dirname(target));
  if (old) await rm(old, { recursive: true, force: true });
}

/**
 * Progress of the whole model: files already stored count as done, files being fetched count
 * their bytes on disk (resumed partial bytes included). When done, optional files that were
 * skipped are left out so the total matches what is on disk.
 */
function buildProgress(
  inspection: ModelInspection,
  progress: Map<string, number>,
  phase: ModelProgress['phase'],
  source: string | null,
  fetching: ReadonlySet<string> = new Set(),
): ModelProgress {
  const relevant = phase === 'done' ? inspection.files.filter((f) => !f.file.optional || f.inModelDir === 'ok') : inspection.files;
  const files: FileProgress[] = relevant.map((f) => {
    const size = f.file.size;
    const bytesDone = fetching.has(f.file.path) ? Math.min(size, progress.get(f.file.path) ?? f.partialBytes) : size;
    return {
      path: f.file.path,
      bytesDone,
      bytesTotal: size,
      state: bytesDone >= size ? 'done' : progress.has(f.file.path) ? 'downloading' : 'pending',
    };
  });
  return {
    id: inspection.model.id,
    variant: inspection.variant,
    bytesDone: files.reduce((s, f) => s + f.bytesDone, 0),
    bytesTotal: files.reduce((s, f) => s + f.bytesTotal, 0),
    files,
    phase,
    source,
  };
}

function cancelled(what: string): OrchestratorError {
  return new OrchestratorError('CANCELLED', `ensure ${what}: cancelled; nothing was changed under models/.`, {});
}
