/**
 * The stall watchdog over the ranges in flight: a range that received nothing for the stall
 * timeout is aborted as stalled; under no bandwidth limit, a range far slower than the median
 * of its siblings is restarted once on a new connection.
 */
import type { Piece } from './piece';

export interface StallTuning {
  stallTimeoutMs: number;
  slowRangeFactor: number;
  minPieceSize: number;
}

/** One check of `active` at `now`; aborts (through `piece.abort`) what is stalled or slow. */
export function checkStalls(active: Iterable<Piece>, now: number, tuning: StallTuning, rateLimited: boolean): void {
  const speeds: number[] = [];
  const live: Piece[] = [];
  for (const p of active) {
    if (!p.abort) continue;
    if (!p.waiting && now - p.lastByteAt > tuning.stallTimeoutMs) {
      p.abort('stalled');
      continue;
    }
    live.push(p);
    const elapsed = now - p.attemptStartedAt;
    if (elapsed > tuning.stallTimeoutMs) speeds.push(p.attemptBytes / elapsed);
  }
  // Under a bandwidth limit every range is slow on purpose.
  if (speeds.length < 3 || rateLimited) return;
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
export function startStallWatchdog(
  active: Iterable<Piece>,
  now: () => number,
  tuning: StallTuning,
  rateLimited: () => boolean,
): () => void {
  const timer = setInterval(
    () => checkStalls(active, now(), tuning, rateLimited()),
    Math.max(10, Math.min(1000, tuning.stallTimeoutMs / 4)),
  );
  timer.unref();
  return () => clearInterval(timer);
}
