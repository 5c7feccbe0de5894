import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../main/core/download/token-bucket';
import type { Clock } from '../../../main/core/ports';

/** A clock whose sleep advances time instantly, so rate limits are checked without waiting. */
function fakeClock(): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

describe('bandwidth limit', () => {
  it('holds 10 s of transfer within 5% of the limit', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(clock, 1_000_000);
    let bytes = 0;
    while (clock.t < 10_000) {
      await bucket.take(64 * 1024);
      bytes += 64 * 1024;
      clock.t += 1; // time spent receiving
    }
    const rate = bytes / (clock.t / 1000);
    expect(rate).toBeGreaterThan(950_000);
    expect(rate).toBeLessThan(1_050_000);
  });

  it('applies a new limit at once and 0 removes it', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(clock, 1_000_000);
    await bucket.take(250_000);
    bucket.setRate(100_000);
    const before = clock.t;
    await bucket.take(100_000);
    expect(clock.t - before).toBeGreaterThanOrEqual(900);
    bucket.setRate(0);
    const t = clock.t;
    await bucket.take(10_000_000);
    expect(clock.t).toBe(t);
  });
});
