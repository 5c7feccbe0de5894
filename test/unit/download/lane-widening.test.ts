import { describe, expect, it } from 'vitest';
import { probeQueue, probeWindowBytes, startWidenGate } from '../../../main/core/download/lane-widening';
import { cutPieces, type Piece } from '../../../main/core/download/piece';

const tuning = { afterMs: 20, enoughBytesPerSecond: 10_000, pieceSize: 100 };
const ranges = (q: Piece[]) => q.map((p) => [p.start, p.end]);

describe('lane widening', () => {
  it('probes with what a fast enough connection delivers in the probe time, then one piece per gap', () => {
    expect(probeWindowBytes({ afterMs: 300, enoughBytesPerSecond: 256 * 1024 * 1024 })).toBe(80_530_636);
    expect(ranges(probeQueue([[0, 1000]], 200))).toEqual([
      [0, 200],
      [200, 1000],
    ]);
    // A resumed file: the window spans the first gaps, the rest of each gap stays whole.
    expect(
      ranges(
        probeQueue(
          [
            [0, 50],
            [100, 400],
            [600, 900],
          ],
          200,
        ),
      ),
    ).toEqual([
      [0, 50],
      [100, 250],
      [250, 400],
      [600, 900],
    ]);
  });

  it('keeps the file to the first lane when it finished the window fast enough', async () => {
    let bytes = 0;
    const queue = cutPieces([[200, 1000]], Number.MAX_SAFE_INTEGER);
    const gate = startWidenGate({ ...tuning, afterMs: 60_000 }, () => bytes, queue);
    bytes = 200; // the window, at once
    gate.decide();
    expect(await gate.decided).toBe(false);
    expect(ranges(queue)).toEqual([[200, 1000]]);
  });

  it('lets the others join when the time is up, on the rest cut into pieces in file order', async () => {
    const queue = cutPieces([[200, 1000]], Number.MAX_SAFE_INTEGER);
    const gate = startWidenGate(tuning, () => 0, queue);
    expect(await gate.decided).toBe(true);
    expect(ranges(queue)).toEqual([
      [200, 300],
      [300, 400],
      [400, 500],
      [500, 600],
      [600, 700],
      [700, 800],
      [800, 900],
      [900, 1000],
    ]);
  });

  it('stops waiting at once when the first lane is out of work before the probe ends', async () => {
    const gate = startWidenGate({ ...tuning, afterMs: 60_000 }, () => 0, []);
    const started = Date.now();
    gate.settle();
    expect(await gate.decided).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
