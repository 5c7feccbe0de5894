import { describe, expect, it, vi } from 'vitest';
import { ProgressMeter, Throttle } from '../../main/core/progress-meter';

describe('ProgressMeter', () => {
  it('reports speed and ETA from the recent window', () => {
    let t = 0;
    const meter = new ProgressMeter(() => t);
    meter.update(0, 1000);
    t = 1000;
    const rate = meter.update(100, 1000);
    expect(rate.speed).toBeCloseTo(100);
    expect(rate.etaSeconds).toBeCloseTo(9);
  });
  it('says the ETA is unknown before any speed is measured and zero when done', () => {
    const meter = new ProgressMeter(() => 0);
    expect(meter.update(0, 10).etaSeconds).toBeNull();
    expect(meter.update(10, 10).etaSeconds).toBe(0);
  });
});

describe('Throttle', () => {
  it('delivers at most one update per interval and flushes the last one', () => {
    vi.useFakeTimers();
    try {
      const seen: number[] = [];
      const throttle = new Throttle<number>(
        (v) => seen.push(v),
        100,
        () => Date.now(),
      );
      for (let i = 1; i <= 50; i++) throttle.push(i);
      expect(seen).toEqual([1]);
      vi.advanceTimersByTime(100);
      expect(seen).toEqual([1, 50]);
      throttle.push(51);
      throttle.flush();
      expect(seen).toEqual([1, 50, 51]);
    } finally {
      vi.useRealTimers();
    }
  });
});
