/**
 * Lane scheduling: `laneCount` lanes take pieces from a queue and fetch them in parallel from one
 * source; an idle lane splits the slowest tail, the stall watchdog watches every range in flight,
 * and the first failure that a lane cannot handle stops all of them.
 */
import { setMaxListeners } from 'node:events';
import type { OrchestratorError } from '../../../shared/errors';
import type { Clock } from '../ports';
import { AttemptError } from './attempt-error';
import { newPiece, type Piece } from './piece';
import { startWidenGate, type WidenTuning } from './lane-widening';
import { startStallWatchdog, type StallTuning, type WatchLimits } from './stall-watchdog';
import { splitTail, type TailSplitTuning } from './tail-split';

export interface LaneRun {
  queue: Piece[];
  laneCount: number;
  /** Whether idle lanes may split ranges in flight (ranged HTTP sources). */
  splittable: boolean;
  /** Start with the first lane alone and let the others join only if it is too slow (lane-widening.ts). */
  widen?: WidenTuning & { received: () => number };
  tuning: TailSplitTuning & StallTuning;
  clock: Clock;
  /** What the stall watchdog enforces now (a bandwidth limit, the minimum speed). */
  limits: () => WatchLimits;
  /** The user's cancel signal. */
  userSignal: AbortSignal;
  /** Fetches one piece (with its own retries); a lane stops on what it throws. */
  fetchPiece: (piece: Piece, stop: AbortSignal) => Promise<void>;
  /** A failure that ends the whole download (disk full), once one happened. */
  fatal: () => OrchestratorError | null;
}

class LaneStop extends Error {}

/**
 * Runs the lanes until the queue is done ('complete') or a piece failed with an AttemptError
 * (returned; the unfinished rest of its piece is back in the queue). Throws the fatal error,
 * the user's abort, or any other error a lane hit.
 */
export async function runLanes(run: LaneRun): Promise<'complete' | AttemptError> {
  const { queue, tuning, clock, userSignal } = run;
  const stop = new AbortController();
  // Every lane of every piece listens to this signal while it waits or retries: many
  // listeners are expected here, not a leak.
  setMaxListeners(1000, stop.signal);
  const onUserAbort = () => stop.abort(userSignal.reason);
  userSignal.addEventListener('abort', onUserAbort, { once: true });
  const active = new Set<Piece>();
  let failure: AttemptError | null = null;
  let laneError: unknown = null;

  /** The next piece; 'wait' when a range in flight may become worth splitting soon. */
  const take = (): Piece | 'wait' | null => {
    const next = queue.shift();
    if (next) return next;
    if (!run.splittable) return null;
    return splitTail(active, clock.now(), tuning);
  };

  const stopWatchdog = startStallWatchdog(active, clock.now, tuning, run.limits);
  const gate = run.widen && run.laneCount > 1 ? startWidenGate(run.widen, run.widen.received, queue) : null;
  const onStop = () => gate?.settle();
  stop.signal.addEventListener('abort', onStop, { once: true });

  const lane = async (index: number) => {
    if (index > 0 && gate && !(await gate.decided)) return;
    for (;;) {
      if (stop.signal.aborted) return;
      const piece = take();
      if (!piece) {
        // The first lane ran out of work before the probe ended: nobody needs to join.
        if (index === 0) gate?.settle();
        return;
      }
      if (piece === 'wait') {
        await new Promise((r) => setTimeout(r, Math.max(10, Math.min(250, tuning.tailSplitMinMs / 2))));
        continue;
      }
      active.add(piece);
      try {
        await run.fetchPiece(piece, stop.signal);
        // The first lane finished a piece (the probe window first): judge its speed now.
        if (index === 0) gate?.decide();
      } catch (error) {
        if (piece.written < piece.end) queue.unshift(newPiece(piece.written, piece.end));
        if (error instanceof AttemptError) failure ??= error;
        else if (!stop.signal.aborted || run.fatal()) laneError ??= error;
        stop.abort(new LaneStop('stop'));
        return;
      } finally {
        active.delete(piece);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: run.laneCount }, (_, index) => lane(index)));
  } finally {
    gate?.settle();
    stop.signal.removeEventListener('abort', onStop);
    stopWatchdog();
    userSignal.removeEventListener('abort', onUserAbort);
  }
  const fatal = run.fatal();
  if (fatal) throw fatal;
  userSignal.throwIfAborted();
  if (failure) return failure;
  if (laneError) throw laneError;
  return 'complete';
}
