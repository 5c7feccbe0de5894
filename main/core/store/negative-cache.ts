/**
 * Remembers, per (model, source base), that a source failed recently so the next ensure does
 * not wait on it again; entries expire after a TTL and are dropped as soon as the source
 * serves that model successfully. With a `file`, entries are kept in `.state/` so the CLI (a
 * new process per command) benefits too; the file is small and rewritten whole on each change.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { StructuredError } from '../../../shared/errors';
import { isErrorCode } from '../../../shared/errors';
import type { Clock } from '../ports';

export interface NegativeEntry {
  modelId: string;
  source: string;
  failedAt: number;
  expiresAt: number;
  error: StructuredError;
}

const fileSchema = z.array(
  z.object({
    modelId: z.string(),
    source: z.string(),
    failedAt: z.number(),
    expiresAt: z.number(),
    error: z.object({
      code: z.string().refine(isErrorCode),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
      retryable: z.boolean(),
    }),
  }),
);

export class NegativeCache {
  private readonly entries = new Map<string, NegativeEntry>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly file?: string,
  ) {
    if (file) this.load(file);
  }

  /** The live entry for (model, source), or null; expired entries are removed on the way. */
  blocked(modelId: string, source: string): NegativeEntry | null {
    this.prune();
    return this.entries.get(keyOf(modelId, source)) ?? null;
  }

  record(modelId: string, source: string, error: StructuredError): void {
    if (this.ttlMs <= 0) return;
    const failedAt = this.clock.now();
    this.entries.set(keyOf(modelId, source), { modelId, source, failedAt, expiresAt: failedAt + this.ttlMs, error });
    this.save();
  }

  clear(modelId: string, source: string): void {
    if (this.entries.delete(keyOf(modelId, source))) this.save();
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
    if (removed > 0) this.save();
    return removed;
  }

  list(): NegativeEntry[] {
    return [...this.entries.values()];
  }

  private load(file: string): void {
    try {
      const parsed = fileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')) as unknown);
      if (!parsed.success) return;
      for (const e of parsed.data) this.entries.set(keyOf(e.modelId, e.source), e as NegativeEntry);
    } catch {
      // no file yet, or unreadable: start empty
    }
  }

  private save(): void {
    if (!this.file) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(this.list()));
      renameSync(temp, this.file);
    } catch {
      // Persisting is a convenience; the in-memory cache still works.
    }
  }
}

function keyOf(modelId: string, source: string): string {
  return `${modelId}\n${source}`;
}
