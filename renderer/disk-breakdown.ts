/** Splits a volume into what the storage chart shows; shared files are counted once. */
import type { DiskUsage } from '../shared/results';

export interface DiskBreakdown {
  total: number;
  models: number;
  partial: number;
  other: number;
  free: number;
  /** Bytes saved because identical files are stored once (sum of model sizes minus stored bytes). */
  sharedSavings: number;
  quota: number | null;
  /** Share of the quota the models use (0..∞), null without quota. */
  quotaUse: number | null;
}

export function diskBreakdown(disk: DiskUsage): DiskBreakdown {
  const sumOfModels = disk.models.reduce((a, m) => a + m.bytes, 0);
  const models = disk.storedBytes ?? sumOfModels;
  const partial = Math.max(0, disk.partialBytes);
  const total = Math.max(disk.totalBytes, models + partial + disk.freeBytes);
  const free = Math.max(0, disk.freeBytes);
  const other = Math.max(0, total - free - models - partial);
  const quota = disk.quotaBytes ?? null;
  return {
    total,
    models,
    partial,
    other,
    free,
    sharedSavings: Math.max(0, sumOfModels - models),
    quota,
    quotaUse: quota ? models / quota : null,
  };
}
