/** Why the watchdog aborted a range: no byte for the stall timeout, slower than its siblings, or below the minimum speed. */
export type AbortReason = 'stalled' | 'slow' | 'too-slow';

/** One byte range of a file being fetched by one lane: [start, end), `written` bytes so far. */
export interface Piece {
  readonly start: number;
  /** Exclusive end; may shrink while in flight when the tail is split. */
  end: number;
  /** Next offset to write: [start, written) is on disk. */
  written: number;
  /** Next offset to receive (written plus buffered); splits happen beyond it. */
  received: number;
  attempts: number;
  /** Per-attempt bookkeeping for stall and slow-range detection. */
  attemptStartedAt: number;
  attemptBytes: number;
  lastByteAt: number;
  /** Start of the current minimum-speed window and attemptBytes then (see stall-watchdog.ts). */
  speedWindowAt: number;
  speedWindowBytes: number;
  /** True while the lane waits on purpose (rate limit, disk write): not a stall. */
  waiting: boolean;
  abort?: (reason: AbortReason) => void;
  slowRestarted: boolean;
}

export function newPiece(start: number, end: number): Piece {
  return {
    start,
    end,
    written: start,
    received: start,
    attempts: 0,
    attemptStartedAt: 0,
    attemptBytes: 0,
    lastByteAt: 0,
    speedWindowAt: 0,
    speedWindowBytes: 0,
    waiting: false,
    slowRestarted: false,
  };
}

/** Cuts the gaps into pieces of about `pieceSize` bytes, in file order. */
export function cutPieces(gaps: ReadonlyArray<readonly [number, number]>, pieceSize: number): Piece[] {
  const out: Piece[] = [];
  for (const [s, e] of gaps) {
    for (let at = s; at < e; at += pieceSize) out.push(newPiece(at, Math.min(e, at + pieceSize)));
  }
  return out;
}
