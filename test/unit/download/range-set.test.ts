import { describe, expect, it } from 'vitest';
import { RangeSet } from '../../../main/core/download/range-set';

describe('RangeSet', () => {
  it('merges overlapping and touching ranges and reports the written prefix', () => {
    const r = new RangeSet();
    r.add(10, 20);
    r.add(0, 5);
    r.add(5, 10);
    r.add(30, 40);
    r.add(35, 50);
    expect(r.toJSON()).toEqual([
      [0, 20],
      [30, 50],
    ]);
    expect(r.prefix).toBe(20);
    expect(r.total).toBe(40);
    expect(r.missing(60)).toEqual([
      [20, 30],
      [50, 60],
    ]);
    expect(r.covers(60)).toBe(false);
    r.add(15, 60);
    expect(r.covers(60)).toBe(true);
  });
});
