/** A set of byte ranges [start, end) kept sorted and merged: what of a file is already written. */
export type ByteRange = [start: number, end: number];

export class RangeSet {
  private ranges: ByteRange[] = [];

  constructor(initial: readonly ByteRange[] = []) {
    for (const [s, e] of initial) this.add(s, e);
  }

  add(start: number, end: number): void {
    if (end <= start) return;
    const out: ByteRange[] = [];
    let s = start;
    let e = end;
    let placed = false;
    for (const r of this.ranges) {
      if (r[1] < s) out.push(r);
      else if (r[0] > e) {
        if (!placed) {
          out.push([s, e]);
          placed = true;
        }
        out.push(r);
      } else {
        s = Math.min(s, r[0]);
        e = Math.max(e, r[1]);
      }
    }
    if (!placed) out.push([s, e]);
    this.ranges = out;
  }

  /** Bytes covered. */
  get total(): number {
    let n = 0;
    for (const [s, e] of this.ranges) n += e - s;
    return n;
  }

  /** Length of the covered prefix starting at byte 0. */
  get prefix(): number {
    const first = this.ranges[0];
    return first && first[0] === 0 ? first[1] : 0;
  }

  /** The gaps of [0, size) not covered. */
  missing(size: number): ByteRange[] {
    const gaps: ByteRange[] = [];
    let at = 0;
    for (const [s, e] of this.ranges) {
      if (s > at) gaps.push([at, Math.min(s, size)]);
      at = Math.max(at, e);
      if (at >= size) break;
    }
    if (at < size) gaps.push([at, size]);
    return gaps.filter(([s, e]) => e > s);
  }

  covers(size: number): boolean {
    return this.prefix >= size;
  }

  toJSON(): ByteRange[] {
    return this.ranges.map(([s, e]) => [s, e] as ByteRange);
  }

  clear(): void {
    this.ranges = [];
  }
}
