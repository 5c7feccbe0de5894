/**
 * The Downloader's connection budget: a global cap across every file being fetched and a cap
 * per host. A lane holds one slot for each range request, so several files of a model share
 * the budget fairly instead of the first file taking every connection.
 */
export class ConnectionBudget {
  private inUse = 0;
  private readonly perHost = new Map<string, number>();
  private readonly waiters: Array<{ host: string; grant: () => void; signal?: AbortSignal; onAbort?: () => void }> = [];

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerHost: number,
  ) {}

  async acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.canGrant(host)) return this.grant(host);
    return new Promise<() => void>((resolve, reject) => {
      const waiter: (typeof this.waiters)[number] = { host, grant: () => resolve(this.grant(host)) };
      if (signal) {
        waiter.signal = signal;
        waiter.onAbort = () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
    });
  }

  private canGrant(host: string): boolean {
    return this.inUse < this.maxTotal && (this.perHost.get(host) ?? 0) < this.maxPerHost;
  }

  private grant(host: string): () => void {
    this.inUse++;
    this.perHost.set(host, (this.perHost.get(host) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse--;
      const n = (this.perHost.get(host) ?? 1) - 1;
      if (n === 0) this.perHost.delete(host);
      else this.perHost.set(host, n);
      this.wake();
    };
  }

  private wake(): void {
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i] as (typeof this.waiters)[number];
      if (!this.canGrant(w.host)) continue;
      this.waiters.splice(i, 1);
      i--;
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      w.grant();
    }
  }
}
