import { describe, expect, it } from 'vitest';
import { recut, startWidenGate } from '../../../main/core/download/lane-widening';
import { cutPieces, newPiece, type Piece } from '../../../main/core/download/piece';

const tuning = { afterMs: 20, enoughBytesPerSecond: 1000, pieceSize: 100, minPieceSize: 10 };

function running(start: number, end: number, received: number, bytesPerSecond: number, now: number): Piece {
  const p = newPiece(start, end);
  p.received = received;
  p.written = received;
  p.attemptStartedAt = now - 1000;
  p.attemptBytes = bytesPerSecond;
  return p;
}

describe('lane widening', () => {
  it('keeps the file on one connection that is fast enough', async () => {
    const now = Date.now();
    const active = new Set([running(0, 1000, 400, 5000, now)]);
    const queue: Piece[] = [];
    const gate = startWidenGate(tuning, active, queue, () => now);
    expect(await gate.decided).toBe(false);
    expect([...active][0]?.end).toBe(1000);
    expect(queue).toEqual([]);
  });

  it('lets the other lanes join a slow connection, on the next bytes of the file in order', async () => {
    const now = Date.now();
    const first = running(0, 1000, 250, 250, now);
    const active = new Set([first]);
    const queue = cutPieces([[2000, 2150]], Number.MAX_SAFE_INTEGER);
    const gate = startWidenGate(tuning, active, queue, () => now);
    expect(await gate.decided).toBe(true);
    // The range in flight keeps one piece past what it received; the rest is cut in file order.
    expect(first.end).toBe(350);
    expect(queue.map((p) => [p.start, p.end])).toEqual([
      [350, 450],
      [450, 550],
      [550, 650],
      [650, 750],
      [750, 850],
      [850, 950],
      [950, 1000],
      [2000, 2100],
      [2100, 2150],
    ]);
  });

  it('joins when the first connection has not received a byte yet (a slow start)', async () => {
    const now = Date.now();
    const active = new Set([running(0, 1000, 0, 0, now)]);
    const gate = startWidenGate(tuning, active, [], () => now);
    expect(await gate.decided).toBe(true);
  });

  it('stops waiting at once when the first lane has finished before the probe ends', async () => {
    const gate = startWidenGate({ ...tuning, afterMs: 60_000 }, new Set(), [], Date.now);
    const started = Date.now();
    gate.settle();
    expect(await gate.decided).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('leaves a range alone when cutting it would leave a tail below the minimum piece size', () => {
    const p = newPiece(0, 105);
    const queue: Piece[] = [];
    recut(new Set([p]), queue, { pieceSize: 100, minPieceSize: 10 });
    expect(p.end).toBe(105);
    expect(queue).toEqual([]);
  });
});
