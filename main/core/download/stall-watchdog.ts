/**
 * The stall watchdog over the ranges in flight: a range that received nothing for the stall
 * timeout is aborted as stalled, one below the minimum speed over a whole stall timeout as too
 * slow (so a trickling source gives way to the next); under no bandwidth limit, a range far slower
 * than the median of its siblings is restarted once on a new connection.
 */
import type { Piece } from './piece';

export interface StallTuning {
  stallTimeoutMs: number;
  slowRangeFactor: number;
  minPieceSize: number;
}

export interface WatchLimits {
  /** A bandwidth limit is set: ranges are slow on purpose, only silence counts. */
  rateLimited: boolean;
  /** Below this speed over a whole stall timeout a range is too slow; 0: no minimum. */
  minBytesPerSecond: number;
}

/** One check of `active` at `now`; aborts (through `piece.abort`) what is stalled or slow. */
export function checkStalls(active: Iterable<Piece>, now: number, tuning: StallTuning, limits: WatchLimits): void {
  const speeds: number[] = [];
  const live: Piece[] = [];
  for (const p of active) {
    if (!p.abort) continue;
    if (!p.waiting && now - p.lastByteAt > tuning.stallTimeoutMs) {
      p.abort('stalled');
      continue;
    }
    if (p.waiting || limits.rateLimited) {
      // Slow on purpose (bandwidth limit, a disk write): the speed window starts over afterwards.
      p.speedWindowAt = now;
      p.speedWindowBytes = p.attemptBytes;
    } else if (now - p.speedWindowAt >= tuning.stallTimeoutMs) {
      const speed = ((p.attemptBytes - p.speedWindowBytes) * 1000) / (now - p.speedWindowAt);
      if (speed < limits.minBytesPerSecond) {
        p.abort('too-slow');
        continue;
      }
      p.speedWindowAt = now;
      p.speedWindowBytes = p.attemptBytes;
    }
    live.push(p);
    const elapsed = now - p.attemptStartedAt;
    if (elapsed > tuning.stallTimeoutMs) speeds.push(p.attemptBytes / elapsed);
  }
  if (speeds.length < 3 || limits.rateLimited) return;
  const sorted = [...speeds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  for (const p of live) {
    const elapsed = now - p.attemptStartedAt;
    if (!p.abort || p.slowRestarted || elapsed <= tuning.stallTimeoutMs) continue;
    if (p.attemptBytes / elapsed < median / tuning.slowRangeFactor && p.end - p.received > tuning.minPieceSize) {
      p.slowRestarted = true;
      p.abort('slow');
    }
  }
}

/** Runs checkStalls a few times per stall timeout until the returned stop function is called. */
export function startStallWatchdog(active: Iterable<Piece>, now: () => number, tuning: StallTuning, limits: () => WatchLimits): () => void {
  const timer = setInterval(() => checkStalls(active, now(), tuning, limits()), Math.max(10, Math.min(1000, tuning.stallTimeoutMs / 4)));
  timer.unref();
  return () => clearInterval(timer);
}
