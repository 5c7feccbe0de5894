/** A Clock the test moves by hand; sleep() advances time at once so waits never take real time. */
import type { Clock } from '../../../../main/core/ports';

export class ManualClock implements Clock {
  constructor(public time = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    this.time += ms;
    await new Promise((r) => setImmediate(r));
  }
}
