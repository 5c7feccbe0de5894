/**
 * The observer events of one ensure (see OrchestratorEvent in ports.ts), kept out of
 * ensure-model.ts so that file only says when something happened, not how it is reported.
 */
import { toStructuredError } from '../../../shared/errors';
import type { Clock, OrchestratorObserver } from '../ports';
import type { FileOnDisk } from './model-inspection';

export class EnsureEvents {
  private readonly startedAt: number;

  constructor(
    private readonly onEvent: OrchestratorObserver | undefined,
    private readonly id: string,
    private readonly variant: string,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.now();
  }

  started(units: Array<{ size: number; partialBytes: number }>): void {
    const bytesToFetch = units.reduce((sum, u) => sum + Math.max(0, u.size - u.partialBytes), 0);
    this.emit({ type: 'download-started', id: this.id, variant: this.variant, bytesToFetch });
  }

  /**
   * `placed`: the files now in the model dir. Those whose content this run did not fetch (or
   * fetched once for several paths) came from blobs already stored: bytes not stored again.
   */
  finished(fetched: { bytesFetched: number; source: string | null; fetchedShas: ReadonlySet<string> }, placed: FileOnDisk[]): void {
    const counted = new Set<string>();
    let dedupBytesSaved = 0;
    for (const f of placed) {
      if (fetched.fetchedShas.has(f.file.sha256) && !counted.has(f.file.sha256)) counted.add(f.file.sha256);
      else dedupBytesSaved += f.file.size;
    }
    this.finish('success', fetched.source, fetched.bytesFetched, dedupBytesSaved);
  }

  failed(error: unknown, cancelled: boolean): void {
    this.finish(cancelled ? 'cancelled' : 'failure', null, 0, 0, cancelled ? undefined : error);
  }

  private finish(
    status: 'success' | 'failure' | 'cancelled',
    source: string | null,
    bytesDownloaded: number,
    dedupBytesSaved: number,
    error?: unknown,
  ): void {
    this.emit({
      type: 'download-finished',
      id: this.id,
      variant: this.variant,
      status,
      source,
      bytesDownloaded,
      dedupBytesSaved,
      durationSeconds: Math.max(0, (this.clock.now() - this.startedAt) / 1000),
      ...(error !== undefined ? { error: toStructuredError(error) } : {}),
    });
  }

  private emit(event: Parameters<OrchestratorObserver>[0]): void {
    try {
      this.onEvent?.(event);
    } catch {
      // Metrics and logs must never break a download.
    }
  }
}
