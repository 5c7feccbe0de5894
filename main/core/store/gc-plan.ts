/**
 * The garbage collector's decisions as one pure function, so a dry run and a real run cannot
 * disagree: the real run executes exactly the plan this returns. Bytes reclaimed count a blob
 * only when the last model using it goes (shared files are stored once).
 */
import type { GcOptions, GcRemoval } from '../../../shared/results';

export interface GcCandidate {
  id: string;
  variant: string;
  files: Array<{ sha256: string; size: number }>;
  pinned: boolean;
  /** Last ensure/verify/use, or when it was verified if never used since. */
  lastUsed: number | null;
  /** Held by a live process (an ensure, verify or removal is running). */
  locked: boolean;
}

export interface GcPlanInput {
  candidates: GcCandidate[];
  now: number;
  options: GcOptions;
  /** Free bytes on the volume now (for targetFreeBytes). */
  freeBytes: number;
}

export interface PlannedRemoval extends GcRemoval {
  /** Blobs no remaining model uses after this removal. */
  freedBlobs: string[];
}

export interface GcPlan {
  removals: PlannedRemoval[];
  bytesReclaimed: number;
}

export function planGarbageCollection(input: GcPlanInput): GcPlan {
  const { options, now } = input;
  const refs = new Map<string, { size: number; count: number }>();
  for (const c of input.candidates) {
    for (const f of uniqueFiles(c)) {
      const r = refs.get(f.sha256);
      if (r) r.count++;
      else refs.set(f.sha256, { size: f.size, count: 1 });
    }
  }
  let stored = 0;
  for (const r of refs.values()) stored += r.size;

  const removable = input.candidates
    .filter((c) => !c.pinned && !c.locked)
    // Least recently used first; never-used before used; ties broken by name so plans are stable.
    .sort(
      (a, b) => (a.lastUsed ?? -Infinity) - (b.lastUsed ?? -Infinity) || a.id.localeCompare(b.id) || a.variant.localeCompare(b.variant),
    );

  const removals: PlannedRemoval[] = [];
  let reclaimed = 0;
  const taken = new Set<GcCandidate>();
  const take = (c: GcCandidate, reason: GcRemoval['reason']) => {
    taken.add(c);
    const freedBlobs: string[] = [];
    let bytes = 0;
    for (const f of uniqueFiles(c)) {
      const r = refs.get(f.sha256);
      if (!r) continue;
      r.count--;
      if (r.count === 0) {
        freedBlobs.push(f.sha256);
        bytes += r.size;
        stored -= r.size;
      }
    }
    reclaimed += bytes;
    removals.push({ id: c.id, variant: c.variant, bytes, reason, lastUsed: c.lastUsed, freedBlobs });
  };

  if (options.maxAgeMs !== undefined) {
    const cutoff = now - options.maxAgeMs;
    for (const c of removable) if ((c.lastUsed ?? -Infinity) < cutoff) take(c, 'max-age');
  }
  if (options.maxSizeBytes !== undefined) {
    for (const c of removable) {
      if (stored <= options.maxSizeBytes) break;
      if (!taken.has(c)) take(c, 'quota');
    }
  }
  if (options.targetFreeBytes !== undefined) {
    for (const c of removable) {
      if (input.freeBytes + reclaimed >= options.targetFreeBytes) break;
      if (!taken.has(c)) take(c, 'quota');
    }
  }
  return { removals, bytesReclaimed: reclaimed };
}

function uniqueFiles(c: GcCandidate): Array<{ sha256: string; size: number }> {
  const seen = new Map<string, number>();
  for (const f of c.files) seen.set(f.sha256, f.size);
  return [...seen].map(([sha256, size]) => ({ sha256, size }));
}
