/**
 * Tells subscribers when this process changed the status of a model variant. A change is
 * reported once: the same status, byte count and pin state are not sent twice in a row.
 */
import type { StatusReport } from '../../../shared/results';

export type StatusListener = (status: StatusReport) => void;

export class StatusBroadcaster {
  private readonly listeners = new Set<StatusListener>();
  private readonly lastSent = new Map<string, string>();

  /** @param statusOf the current report, or null when the variant is not in the manifest (any more). */
  constructor(private readonly statusOf: (id: string, variant: string) => Promise<StatusReport> | null) {}

  /** Returns the unsubscribe function. */
  subscribe(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads the variant's status and sends it if it differs from the last one sent. */
  changed(id: string, variant: string): void {
    if (this.listeners.size === 0) return;
    const pending = this.statusOf(id, variant);
    if (!pending) return;
    pending.then(
      (report) => {
        const key = `${id}\u0000${variant}`;
        const fingerprint = JSON.stringify([report.status, report.bytesPresent, report.pinned]);
        if (this.lastSent.get(key) === fingerprint) return;
        this.lastSent.set(key, fingerprint);
        for (const listener of this.listeners) listener(report);
      },
      () => undefined,
    );
  }

  clear(): void {
    this.listeners.clear();
  }
}
