/**
 * Speed, ETA and throttling for progress reports. Downloads report bytes on every chunk; the
 * meter smooths them over a sliding window and the throttle forwards at most a few updates a
 * second (plus the final one) so terminals and UIs are never flooded.
 */

export interface Rate {
  /** Bytes per second over the recent window. */
  speed: number;
  /** Seconds left at that speed; null until a speed is known. */
  etaSeconds: number | null;
}

export class ProgressMeter {
  private samples: Array<{ at: number; bytes: number }> = [];

  constructor(
    private readonly now: () => number = Date.now,
    private readonly windowMs = 5_000,
  ) {}

  /** Records `bytesDone` (cumulative) and returns the current rate. */
  update(bytesDone: number, bytesTotal: number): Rate {
    const at = this.now();
    this.samples.push({ at, bytes: bytesDone });
    while (this.samples.length > 2 && at - (this.samples[1] as { at: number }).at >= this.windowMs) this.samples.shift();
    const first = this.samples[0] as { at: number; bytes: number };
    const elapsed = (at - first.at) / 1000;
    const speed = elapsed > 0.2 ? Math.max(0, (bytesDone - first.bytes) / elapsed) : 0;
    const left = Math.max(0, bytesTotal - bytesDone);
    const etaSeconds = left === 0 ? 0 : speed > 0 ? left / speed : null;
    return { speed, etaSeconds };
  }

  reset(): void {
    this.samples = [];
  }
}

/**
 * Calls `deliver` with the latest value at most once per `intervalMs`; `flush()` delivers a
 * pending value at once (call it when the work ends so the last state is never lost).
 */
export class Throttle<T> {
  private lastAt = -Infinity;
  private pending: { value: T } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly deliver: (value: T) => void,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  push(value: T): void {
    const at = this.now();
    if (at - this.lastAt >= this.intervalMs) {
      this.clearTimer();
      this.pending = null;
      this.lastAt = at;
      this.deliver(value);
      return;
    }
    this.pending = { value };
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs - (at - this.lastAt));
      this.timer.unref?.();
    }
  }

  flush(): void {
    this.clearTimer();
    if (!this.pending) return;
    const { value } = this.pending;
    this.pending = null;
    this.lastAt = this.now();
    this.deliver(value);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
