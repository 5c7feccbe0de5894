import { describe, expect, it } from 'vitest';
import { planGarbageCollection, type GcCandidate } from '../../../main/core/store/gc-plan';

const sha = (c: string) => c.repeat(64);
const model = (id: string, lastUsed: number | null, files: Array<[string, number]>, extra: Partial<GcCandidate> = {}): GcCandidate => ({
  id,
  variant: 'fp16',
  files: files.map(([s, size]) => ({ sha256: sha(s), size })),
  pinned: false,
  lastUsed,
  locked: false,
  ...extra,
});

describe('planGarbageCollection', () => {
  it('evicts least recently used models until the quota is met', () => {
    const plan = planGarbageCollection({
      candidates: [model('new', 300, [['a', 100]]), model('old', 100, [['b', 100]]), model('mid', 200, [['c', 100]])],
      now: 1000,
      options: { maxSizeBytes: 150 },
      freeBytes: 0,
    });
    expect(plan.removals.map((r) => r.id)).toEqual(['old', 'mid']);
    expect(plan.bytesReclaimed).toBe(200);
    expect(plan.removals.every((r) => r.reason === 'quota')).toBe(true);
  });

  it('evicts models unused for longer than the maximum age', () => {
    const plan = planGarbageCollection({
      candidates: [model('fresh', 900, [['a', 10]]), model('stale', 100, [['b', 10]])],
      now: 1000,
      options: { maxAgeMs: 500 },
      freeBytes: 0,
    });
    expect(plan.removals).toMatchObject([{ id: 'stale', reason: 'max-age', bytes: 10 }]);
  });

  it('never plans to remove a pinned or locked model', () => {
    const plan = planGarbageCollection({
      candidates: [
        model('pinned', 1, [['a', 100]], { pinned: true }),
        model('locked', 2, [['b', 100]], { locked: true }),
        model('free', 3, [['c', 100]]),
      ],
      now: 1000,
      options: { maxSizeBytes: 0, maxAgeMs: 0 },
      freeBytes: 0,
    });
    expect(plan.removals.map((r) => r.id)).toEqual(['free']);
  });

  it('counts a blob shared by two models only when the last of them goes', () => {
    const plan = planGarbageCollection({
      candidates: [
        model('one', 1, [
          ['s', 100],
          ['a', 10],
        ]),
        model('two', 2, [
          ['s', 100],
          ['b', 10],
        ]),
      ],
      now: 1000,
      options: { maxSizeBytes: 0 },
      freeBytes: 0,
    });
    expect(plan.removals.map((r) => [r.id, r.bytes])).toEqual([
      ['one', 10],
      ['two', 110],
    ]);
    expect(plan.bytesReclaimed).toBe(120);
  });

  it('frees just enough for a target amount of free space', () => {
    const plan = planGarbageCollection({
      candidates: [model('a', 1, [['a', 100]]), model('b', 2, [['b', 100]]), model('c', 3, [['c', 100]])],
      now: 1000,
      options: { targetFreeBytes: 250 },
      freeBytes: 100,
    });
    expect(plan.removals.map((r) => r.id)).toEqual(['a', 'b']);
  });
});
