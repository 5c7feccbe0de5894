/**
 * A shared bandwidth limit. Every receiver takes tokens for the bytes it got; when the bucket
 * is in debt the receiver sleeps, which stops reading the socket and lets TCP slow the sender.
 * The burst is a quarter second of rate so the average over 10 s stays within a few percent.
 */
import type { Clock } from '../ports';

export class TokenBucket {
  private tokens = 0;
  private last: number;

  constructor(
    private readonly clock: Clock,
    private rate: number,
    private readonly burstSeconds = 0.25,
  ) {
    this.last = clock.now();
    this.tokens = this.burst;
  }

  get bytesPerSecond(): number {
    return this.rate;
  }

  /** 0 or a non-finite value removes the limit; takes effect at once for every download. */
  setRate(bytesPerSecond: number): void {
    this.refill();
    this.rate = Number.isFinite(bytesPerSecond) && bytesPerSecond > 0 ? bytesPerSecond : 0;
    this.tokens = Math.min(this.tokens, this.burst);
  }

  /** Accounts for `bytes` received and waits until the average rate is back under the limit. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.rate <= 0) return;
    this.refill();
    this.tokens -= bytes;
    if (this.tokens >= 0) return;
    const waitMs = (-this.tokens / this.rate) * 1000;
    await this.clock.sleep(Math.ceil(waitMs), signal);
  }

  private get burst(): number {
    return this.rate * this.burstSeconds;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    if (this.rate > 0) this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rate);
  }
}
