/**
 * Remembers, per (model, source base), that a source failed recently so the next ensure does
 * not wait on it again; entries expire after a TTL and are dropped as soon as the source
 * serves that model successfully.
 */
import type { StructuredError } from '../../../shared/errors';
import type { Clock } from '../ports';

export interface NegativeEntry {
  modelId: string;
  source: string;
  failedAt: number;
  expiresAt: number;
  error: StructuredError;
}

export class NegativeCache {
  private readonly entries = new Map<string, NegativeEntry>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** The live entry for (model, source), or null; expired entries are removed on the way. */
  blocked(modelId: string, source: string): NegativeEntry | null {
    this.prune();
    return this.entries.get(keyOf(modelId, source)) ?? null;
  }

  record(modelId: string, source: string, error: StructuredError): void {
    if (this.ttlMs <= 0) return;
    const failedAt = this.clock.now();
    this.entries.set(keyOf(modelId, source), { modelId, source, failedAt, expiresAt: failedAt + this.ttlMs, error });
  }

  clear(modelId: string, source: string): void {
    this.entries.delete(keyOf(modelId, source));
  }

  /** Removes expired entries; returns how many. */
  prune(): number {
    const now = this.clock.now();
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        removed++;
      }
    }
    return removed;
  }

  list(): NegativeEntry[] {
    return [...this.entries.values()];
  }
}

function keyOf(modelId: string, source: string): string {
  return `${modelId}\n${source}`;
}
