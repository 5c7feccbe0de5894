import { describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../../shared/errors';
import { AttemptError } from '../../../main/core/download/attempt-error';
import { runLanes, type LaneRun } from '../../../main/core/download/lane-scheduler';
import { probeQueue } from '../../../main/core/download/lane-widening';
import { cutPieces, type Piece } from '../../../main/core/download/piece';
import { systemClock } from '../../../main/core/system/system-clock';

const tuning = { minPieceSize: 10, tailSplitMinMs: 20, stallTimeoutMs: 10_000, slowRangeFactor: 5 };

function lanes(over: Partial<LaneRun> & Pick<LaneRun, 'queue' | 'fetchPiece'>): Promise<'complete' | AttemptError> {
  return runLanes({
    laneCount: 3,
    splittable: false,
    tuning,
    clock: systemClock,
    limits: () => ({ rateLimited: false, minBytesPerSecond: 0 }),
    userSignal: new AbortController().signal,
    fatal: () => null,
    ...over,
  });
}

describe('lane scheduling', () => {
  it('fetches every queued piece with at most laneCount in flight', async () => {
    let running = 0;
    let peak = 0;
    const fetched: number[] = [];
    const outcome = await lanes({
      queue: cutPieces([[0, 100]], 10),
      fetchPiece: async (p) => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, 2));
        p.written = p.end;
        fetched.push(p.start);
        running--;
      },
    });
    expect(outcome).toBe('complete');
    expect(fetched.sort((x, y) => x - y)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(peak).toBe(3);
  });

  it('stops every lane on the first attempt failure and puts the unfinished rest back in the queue', async () => {
    const queue = cutPieces([[0, 100]], 50);
    const failure = new AttemptError('source', new OrchestratorError('AUTH_FAIL', 'denied'));
    let sawStop = false;
    const outcome = await lanes({
      queue,
      laneCount: 2,
      fetchPiece: async (p, stop) => {
        if (p.start === 0) {
          p.written = 20;
          throw failure;
        }
        await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
        sawStop = true;
        throw new DOMException('stopped', 'AbortError');
      },
    });
    expect(outcome).toBe(failure);
    expect(sawStop).toBe(true);
    expect(queue.map((p) => [p.start, p.end]).sort((x, y) => (x[0] as number) - (y[0] as number))).toEqual([
      [20, 50],
      [50, 100],
    ]);
  });

  it('lets an idle lane take the tail of a slow range when splitting is allowed', async () => {
    const seen: Array<[number, number]> = [];
    const outcome = await lanes({
      queue: cutPieces([[0, 1000]], 1000),
      laneCount: 2,
      splittable: true,
      fetchPiece: async (p: Piece) => {
        seen.push([p.start, p.end]);
        // A few bytes at a time, so the range is judged slow and split for the idle lane.
        while (p.written < p.end) {
          await new Promise((r) => setTimeout(r, 5));
          p.attemptBytes += 5;
          p.written = Math.min(p.end, p.written + 5);
          p.received = p.written;
        }
      },
    });
    expect(outcome).toBe('complete');
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[0]?.[0]).toBe(0);
  });

  it('throws the fatal error of the download rather than the lane failure it caused', async () => {
    const disk = new OrchestratorError('NO_SPACE', 'full');
    await expect(
      lanes({
        queue: cutPieces([[0, 10]], 10),
        fatal: () => disk,
        fetchPiece: async () => {
          throw new AttemptError('fatal', disk);
        },
      }),
    ).rejects.toBe(disk);
  });

  it('ends with the user abort when the user cancels', async () => {
    const user = new AbortController();
    const p = lanes({
      queue: cutPieces([[0, 10]], 10),
      userSignal: user.signal,
      fetchPiece: (_piece, stop) =>
        new Promise((_, reject) => stop.addEventListener('abort', () => reject(new DOMException('x', 'AbortError')), { once: true })),
    });
    user.abort(new DOMException('cancelled', 'AbortError'));
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
  it('with widening, leaves a fast first lane alone and lets a slow one be joined', async () => {
    const run = async (bytesPerTick: number) => {
      const pieces: Piece[] = [];
      let peak = 0;
      let running = 0;
      let received = 0;
      const queue = probeQueue([[0, 1000]], 200);
      const outcome = await lanes({
        queue,
        laneCount: 4,
        splittable: true,
        widen: { afterMs: 40, enoughBytesPerSecond: 10_000, pieceSize: 100, received: () => received },
        fetchPiece: async (p: Piece) => {
          pieces.push(p);
          peak = Math.max(peak, ++running);
          p.attemptStartedAt = Date.now();
          while (p.written < p.end) {
            await new Promise((r) => setTimeout(r, 5));
            const n = Math.min(bytesPerTick, p.end - p.written);
            p.attemptBytes += n;
            received += n;
            p.written += n;
            p.received = p.written;
          }
          running--;
        },
      });
      expect(outcome).toBe('complete');
      return { starts: pieces.map((p) => p.start), peak };
    };
    // 200 bytes a tick finishes the 200-byte window fast: the rest goes in one more request.
    const fast = await run(200);
    expect(fast.starts).toEqual([0, 200]);
    expect(fast.peak).toBe(1);
    // About 1,000 bytes/s: the window is not done when the time is up; the others join in file order.
    const slow = await run(5);
    expect(slow.peak).toBeGreaterThan(1);
    expect(slow.starts.slice(0, 4)).toEqual([0, 200, 300, 400]);
  });
});
