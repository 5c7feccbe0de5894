/**
 * Runs garbage collection: gathers what is installed (markers, pins, last use, locks), asks
 * `planGarbageCollection` what to evict, and executes exactly that plan (or only returns it for
 * a dry run). Also removes what nobody uses any more: blobs no marker references, leftover
 * staging in .tmp and resumable partial data older than `partialMaxAgeMs`. Never touches a
 * pinned model or one locked by a live process.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { GcOptions, GcResult } from '../../../shared/results';
import type { Clock, DiskProbe } from '../ports';
import type { GcTrigger, OrchestratorObserver } from '../ports';
import type { BlobStore } from './blob-store';
import { planGarbageCollection, type GcCandidate, type GcPlan } from './gc-plan';
import { listInstalledModels, removeModelDir } from './installed-models';
import { ModelLinkStore } from './model-links';
import type { ModelLocks } from './model-locks';
import type { ModelStateStore } from './model-state';
import type { ModelsRoot } from './models-root';

export interface GcRunOptions extends GcOptions {
  /** Locks the caller itself holds (the ensure that asked for space); they do not block cleanup. */
  ownLocks?: string[];
  /** Why it runs, for metrics (default 'manual'). */
  trigger?: GcTrigger;
}

interface Leftovers {
  blobs: Array<{ sha256: string; size: number }>;
  tmpEntries: Array<{ path: string; size: number }>;
  partialFiles: Array<{ path: string; size: number }>;
}

export interface GcDeps {
  layout: ModelsRoot;
  blobs: BlobStore;
  locks: ModelLocks;
  states: ModelStateStore;
  clock: Clock;
  diskProbe: DiskProbe;
  partialMaxAgeMs: number;
  /** Called after a model was evicted (for status events). */
  onRemoved?: (id: string, variant: string) => void;
  /** Metrics and logs: told about every real (not dry) run. */
  onEvent?: OrchestratorObserver;
}

export class GarbageCollector {
  constructor(private readonly deps: GcDeps) {}

  async run(options: GcRunOptions = {}): Promise<GcResult> {
    const { layout, blobs, locks, states, clock } = this.deps;
    const own = new Set(options.ownLocks ?? []);
    const installed = await listInstalledModels(layout);
    const allStates = await states.all();
    const held = new Set(await locks.heldKeys());
    // A model exported to an HF cache or an app folder is in use there: GC keeps it like a pinned one.
    const linkStore = new ModelLinkStore(layout);
    const linked = new Set<string>();
    for (const m of installed) if ((await linkStore.list(m.id, m.variant)).length > 0) linked.add(layout.key(m.id, m.variant));
    const candidates: Array<GcCandidate & { key: string }> = installed.map((m) => {
      const key = layout.key(m.id, m.variant);
      const state = allStates.get(key);
      return {
        key,
        id: m.id,
        variant: m.variant,
        files: m.marker.files.map((f) => ({ sha256: f.sha256, size: f.size })),
        pinned: (state?.pinned ?? false) || linked.has(key),
        lastUsed: state?.lastUsed ?? (Date.parse(m.marker.verified_at) || null),
        locked: held.has(key),
      };
    });
    const space = options.targetFreeBytes !== undefined ? await this.deps.diskProbe.space(layout.root) : { free: 0 };
    const plan: GcPlan = planGarbageCollection({ candidates, now: clock.now(), options, freeBytes: space.free });

    // Staging and freshly promoted blobs of a running job look like leftovers; only clean up
    // when no other job holds a lock on this root.
    const othersBusy = [...held].some((k) => !own.has(k));
    const referenced = new Set(installed.flatMap((m) => m.marker.files.map((f) => f.sha256)));
    const leftovers = await this.findLeftovers(referenced, othersBusy);
    const orphanBytes = [...leftovers.blobs, ...leftovers.tmpEntries, ...leftovers.partialFiles].reduce((s, e) => s + e.size, 0);

    if (options.dryRun) {
      return { dryRun: true, removed: plan.removals.map(stripFreed), bytesReclaimed: plan.bytesReclaimed, orphanBytes };
    }

    const removed = [];
    let bytesReclaimed = 0;
    for (const removal of plan.removals) {
      const key = layout.key(removal.id, removal.variant);
      const lock = await locks.tryAcquire(key, 'gc');
      if (!lock) continue; // taken by another process since planning: leave it alone
      try {
        await removeModelDir(layout, removal.id, removal.variant);
        await states.forget(removal.id, removal.variant);
      } finally {
        await lock.release();
      }
      this.deps.onRemoved?.(removal.id, removal.variant);
      removed.push(stripFreed(removal));
      bytesReclaimed += removal.bytes;
    }
    // A blob freed here may be the very one another process's ensure just found in place and is
    // about to link into its model (shared files): leave freed and orphaned blobs and staging to
    // a later run while another process holds a lock on this root.
    const busyNow = othersBusy || (await locks.heldKeys()).some((k) => !own.has(k));
    if (busyNow) leftovers.blobs.length = leftovers.tmpEntries.length = 0;
    const stillReferenced = new Set((await listInstalledModels(layout)).flatMap((m) => m.marker.files.map((f) => f.sha256)));
    for (const removal of busyNow ? [] : plan.removals) {
      for (const sha of removal.freedBlobs) {
        const info = await blobs.info(sha);
        if (info && !stillReferenced.has(sha) && info.links <= 1) await blobs.remove(sha);
      }
    }
    for (const blob of leftovers.blobs) await blobs.remove(blob.sha256);
    for (const entry of [...leftovers.tmpEntries, ...leftovers.partialFiles]) await rm(entry.path, { recursive: true, force: true });
    this.deps.onEvent?.({
      type: 'gc-finished',
      trigger: options.trigger ?? 'manual',
      removed: removed.length,
      bytesReclaimed: bytesReclaimed + orphanBytes,
    });
    return { dryRun: false, removed, bytesReclaimed, orphanBytes };
  }

  private async findLeftovers(referenced: Set<string>, othersBusy: boolean): Promise<Leftovers> {
    const { layout, blobs, clock, partialMaxAgeMs } = this.deps;
    const out: Leftovers = { blobs: [], tmpEntries: [], partialFiles: [] };
    if (!othersBusy) {
      for (const blob of await blobs.list()) {
        if (!referenced.has(blob.sha256) && blob.links <= 1) out.blobs.push({ sha256: blob.sha256, size: blob.size });
      }
      for (const name of await names(layout.tmpDir)) {
        const p = path.join(layout.tmpDir, name);
        out.tmpEntries.push({ path: p, size: await treeSize(p) });
      }
    }
    const cutoff = clock.now() - partialMaxAgeMs;
    for (const file of await filesUnder(layout.partialDir)) {
      if (file.mtimeMs < cutoff) out.partialFiles.push({ path: file.path, size: file.size });
    }
    return out;
  }
}

function stripFreed<T extends { freedBlobs: string[] }>(removal: T): Omit<T, 'freedBlobs'> {
  const { freedBlobs: _freed, ...rest } = removal;
  return rest;
}

async function names(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

export async function filesUnder(dir: string): Promise<Array<{ path: string; size: number; mtimeMs: number }>> {
  const out: Array<{ path: string; size: number; mtimeMs: number }> = [];
  for (const name of await names(dir)) {
    const p = path.join(dir, name);
    try {
      const s = await lstat(p);
      if (s.isDirectory()) out.push(...(await filesUnder(p)));
      else if (s.isFile()) out.push({ path: p, size: s.size, mtimeMs: s.mtimeMs });
    } catch {
      // removed meanwhile
    }
  }
  return out;
}

export async function treeSize(p: string): Promise<number> {
  try {
    const s = await lstat(p);
    if (!s.isDirectory()) return s.isFile() ? s.size : 0;
  } catch {
    return 0;
  }
  return (await filesUnder(p)).reduce((sum, f) => sum + f.size, 0);
}
