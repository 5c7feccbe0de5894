/**
 * Tail re-splitting: when a lane runs out of queued pieces, the in-flight range that will take
 * longest is cut in half so no lane idles while one range crawls to the end of the file.
 */
import { newPiece, type Piece } from './piece';

export interface TailSplitTuning {
  /** A piece is split only when both halves reach this size. */
  minPieceSize: number;
  /** A range is judged only after running this long, and split only when it needs longer than this. */
  tailSplitMinMs: number;
}

/**
 * Splits the slowest-finishing range of `active` and returns its second half (the range in flight
 * keeps the first); 'wait' when a range may become worth splitting soon; null when none will.
 */
export function splitTail(active: Iterable<Piece>, now: number, tuning: TailSplitTuning): Piece | 'wait' | null {
  let waiting = false;
  let best: Piece | null = null;
  let bestEta = 0;
  for (const p of active) {
    const left = p.end - p.received;
    if (left < 2 * tuning.minPieceSize) continue;
    const elapsed = now - p.attemptStartedAt;
    // A range that just started has no speed yet; judge it only after a while.
    if (elapsed < tuning.tailSplitMinMs) {
      waiting = true;
      continue;
    }
    const speed = p.attemptBytes / elapsed;
    const eta = speed > 0 ? left / speed : Number.POSITIVE_INFINITY;
    if (eta < tuning.tailSplitMinMs) {
      waiting = true;
      continue;
    }
    if (!best || eta > bestEta) [best, bestEta] = [p, eta];
  }
  if (!best) return waiting ? 'wait' : null;
  const mid = best.received + Math.floor((best.end - best.received) / 2);
  const tail = newPiece(mid, best.end);
  best.end = mid;
  return tail;
}
