import { describe, expect, it } from 'vitest';
import { newPiece, type Piece } from '../../../main/core/download/piece';
import { checkStalls, startStallWatchdog } from '../../../main/core/download/stall-watchdog';

const tuning = { stallTimeoutMs: 1000, slowRangeFactor: 5, minPieceSize: 10 };

function watched(lastByteAt: number, startedAt: number, bytes: number, end = 100_000): Piece & { aborted: string[] } {
  const aborted: string[] = [];
  const p = Object.assign(newPiece(0, end), { aborted });
  p.lastByteAt = lastByteAt;
  p.attemptStartedAt = startedAt;
  p.attemptBytes = bytes;
  p.abort = (why) => aborted.push(why);
  return p;
}

describe('stall watchdog', () => {
  it('aborts a range that received nothing for the stall timeout', () => {
    const silent = watched(0, 0, 0);
    const live = watched(4900, 0, 5000);
    checkStalls([silent, live], 5000, tuning, { rateLimited: false, minBytesPerSecond: 0 });
    expect(silent.aborted).toEqual(['stalled']);
    expect(live.aborted).toEqual([]);
  });

  it('leaves a range alone while it waits on purpose (rate limit, disk write)', () => {
    const p = watched(0, 0, 0);
    p.waiting = true;
    checkStalls([p], 5000, tuning, { rateLimited: false, minBytesPerSecond: 0 });
    expect(p.aborted).toEqual([]);
  });

  it('restarts once a range far slower than its siblings, and only when no bandwidth limit is set', () => {
    const sibs = [watched(4999, 0, 50_000), watched(4999, 0, 50_000), watched(4999, 0, 50_000)];
    const slow = watched(4999, 0, 1_000);
    checkStalls([...sibs, slow], 5000, tuning, { rateLimited: true, minBytesPerSecond: 0 });
    expect(slow.aborted).toEqual([]);
    checkStalls([...sibs, slow], 5000, tuning, { rateLimited: false, minBytesPerSecond: 0 });
    expect(slow.aborted).toEqual(['slow']);
    checkStalls([...sibs, slow], 5000, tuning, { rateLimited: false, minBytesPerSecond: 0 });
    expect(slow.aborted).toEqual(['slow']);
    expect(sibs.every((s) => s.aborted.length === 0)).toBe(true);
  });

  it('does not also call a stalled range slow', () => {
    const sibs = [watched(4999, 0, 50_000), watched(4999, 0, 50_000), watched(4999, 0, 50_000)];
    const stalled = watched(100, 0, 10);
    checkStalls([...sibs, stalled], 5000, tuning, { rateLimited: false, minBytesPerSecond: 0 });
    expect(stalled.aborted).toEqual(['stalled']);
  });

  it('aborts a trickling range as too slow once it stayed below the minimum speed for a stall timeout', () => {
    const trickle = watched(4999, 0, 5); // 1 byte/s, but never silent for long
    const young = watched(4999, 4500, 1);
    young.speedWindowAt = 4500;
    checkStalls([trickle, young], 5000, tuning, { rateLimited: false, minBytesPerSecond: 1024 });
    expect(trickle.aborted).toEqual(['too-slow']);
    expect(young.aborted).toEqual([]);
  });

  it('judges the speed of the last stall timeout, not the average since the range started', () => {
    const limits = { rateLimited: false, minBytesPerSecond: 1024 };
    const p = watched(1000, 0, 100_000); // fast for its first second
    checkStalls([p], 1000, tuning, limits);
    expect([p.aborted, p.speedWindowAt]).toEqual([[], 1000]);
    p.attemptBytes += 10; // then a trickle: the average is still high, the last second is not
    p.lastByteAt = 1990;
    checkStalls([p], 2000, tuning, limits);
    expect(p.aborted).toEqual(['too-slow']);
  });

  it('lets a trickle go on without a minimum speed (last source) or under a bandwidth limit', () => {
    const trickle = watched(4999, 0, 5);
    checkStalls([trickle], 5000, tuning, { rateLimited: false, minBytesPerSecond: 0 });
    checkStalls([trickle], 5000, tuning, { rateLimited: true, minBytesPerSecond: 1024 });
    expect(trickle.aborted).toEqual([]);
  });

  it('runs on a timer until stopped', async () => {
    const p = watched(0, 0, 0);
    const stop = startStallWatchdog(
      [p],
      () => 5000,
      { ...tuning, stallTimeoutMs: 40 },
      () => ({ rateLimited: false, minBytesPerSecond: 0 }),
    );
    await new Promise((r) => setTimeout(r, 100));
    stop();
    const seen = p.aborted.length;
    expect(seen).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(p.aborted.length).toBe(seen);
  });
});
