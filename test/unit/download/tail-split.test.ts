import { describe, expect, it } from 'vitest';
import { newPiece, type Piece } from '../../../main/core/download/piece';
import { splitTail } from '../../../main/core/download/tail-split';

const tuning = { minPieceSize: 100, tailSplitMinMs: 50 };

function inFlight(start: number, end: number, received: number, startedAt: number, bytes: number): Piece {
  const p = newPiece(start, end);
  p.received = received;
  p.written = received;
  p.attemptStartedAt = startedAt;
  p.attemptBytes = bytes;
  return p;
}

describe('tail re-splitting', () => {
  it('splits the range that will take longest and hands its second half to the idle lane', () => {
    const fast = inFlight(0, 1000, 500, 0, 500); // 1 byte/ms, 500 left
    const slow = inFlight(1000, 2000, 1100, 0, 100); // 0.1 byte/ms, 900 left
    const tail = splitTail([fast, slow], 1000, tuning);
    expect(tail).not.toBe('wait');
    expect(tail).toMatchObject({ start: 1550, end: 2000, written: 1550 });
    expect(slow.end).toBe(1550);
    expect(fast.end).toBe(1000);
  });

  it('waits while a range is too young to judge', () => {
    expect(splitTail([inFlight(0, 1000, 10, 990, 10)], 1000, tuning)).toBe('wait');
  });

  it('waits when the range is about to finish anyway', () => {
    expect(splitTail([inFlight(0, 10_000, 9_700, 0, 9_700)], 1000, tuning)).toBe('wait');
  });

  it('never splits a range whose halves would be smaller than the minimum piece', () => {
    const p = inFlight(0, 1000, 850, 0, 1);
    expect(splitTail([p], 1000, tuning)).toBeNull();
    expect(p.end).toBe(1000);
  });

  it('splits a range that has received nothing yet (it may never finish)', () => {
    const p = inFlight(0, 1000, 0, 0, 0);
    expect(splitTail([p], 1000, tuning)).toMatchObject({ start: 500, end: 1000 });
  });
});
