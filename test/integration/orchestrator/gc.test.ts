/** Garbage collection, removal and disk usage on a real models root. */
import { mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelLocks } from '../../../main/core/store/model-locks';
import { systemClock } from '../../../main/core/system/system-clock';
import { bytes, sha256, spec, TestBed, type TestFile } from './helpers/harness';
import { ManualClock } from './helpers/manual-clock';
import { filesIn } from './helpers/tree';

let bed: TestBed;
beforeEach(async () => {
  bed = await TestBed.create();
});
afterEach(async () => {
  await bed.dispose();
});

const HOUR = 3600_000;

/** Three 100 kB models used one hour apart: a (oldest), b, c (newest). */
async function threeModels(extra: { quotaBytes?: number } = {}) {
  const clock = new ManualClock();
  const models = ['a', 'b', 'c'].map((id) => {
    const fs: TestFile[] = [{ path: 'w.bin', data: bytes(100_000, id) }];
    return spec(id, fs, [bed.publish(id, fs)]);
  });
  const orch = bed.orchestrator(models, { clock, settings: extra.quotaBytes !== undefined ? { quotaBytes: extra.quotaBytes } : {} });
  for (const id of ['a', 'b', 'c']) {
    await orch.ensure(id);
    clock.advance(HOUR);
  }
  return { orch, clock };
}

const installed = async () => (await filesIn(bed.layout.modelsDir)).filter((f) => f.endsWith('.verified.json')).map((f) => f.split('/')[0]);

describe('gc (seed behaviours)', () => {
  it('evicts least recently used models down to the size quota', async () => {
    const { orch } = await threeModels();
    const result = await orch.gc({ maxSizeBytes: 150_000 });
    expect(result).toMatchObject({ dryRun: false, bytesReclaimed: 200_000 });
    expect(result.removed.map((r) => [r.id, r.variant, r.bytes, r.reason])).toEqual([
      ['a', 'fp16', 100_000, 'quota'],
      ['b', 'fp16', 100_000, 'quota'],
    ]);
    expect(await installed()).toEqual(['c']);
    expect((await filesIn(bed.layout.blobsDir)).length).toBe(1);
    expect((await orch.status('a')).status).toBe('NOT_PRESENT');
  });

  it('uses the quota from settings when gc is run without a size', async () => {
    const { orch } = await threeModels({ quotaBytes: 250_000 });
    expect((await orch.gc()).removed.map((r) => r.id)).toEqual(['a']);
  });

  it('evicts models unused for longer than the maximum age', async () => {
    const { orch } = await threeModels();
    const result = await orch.gc({ maxAgeMs: 2.5 * HOUR });
    expect(result.removed.map((r) => [r.id, r.reason])).toEqual([['a', 'max-age']]);
    expect(await installed()).toEqual(['b', 'c']);
  });

  it('never removes a pinned model', async () => {
    const { orch } = await threeModels();
    expect(await orch.pin('a')).toEqual({ id: 'a', variant: 'fp16', pinned: true });
    const result = await orch.gc({ maxSizeBytes: 0 });
    expect(result.removed.map((r) => r.id)).toEqual(['b', 'c']);
    expect(await installed()).toEqual(['a']);
    expect(await orch.unpin('a')).toEqual({ id: 'a', variant: 'fp16', pinned: false });
    expect((await orch.gc({ maxSizeBytes: 0 })).removed.map((r) => r.id)).toEqual(['a']);
  });

  it('never removes a model locked by a running job', async () => {
    const { orch } = await threeModels();
    const lock = await new ModelLocks(bed.layout.locksDir, systemClock).tryAcquire(bed.layout.key('a', 'fp16'), 'ensure');
    const result = await orch.gc({ maxSizeBytes: 0 });
    expect(result.removed.map((r) => r.id)).toEqual(['b', 'c']);
    expect(await installed()).toEqual(['a']);
    await lock?.release();
  });

  it('a dry run returns exactly the plan the real run then executes, and changes nothing', async () => {
    const { orch } = await threeModels();
    await orch.pin('b');
    const before = await filesIn(bed.root);
    const dry = await orch.gc({ dryRun: true, maxSizeBytes: 100_000, maxAgeMs: 1.5 * HOUR });
    expect(await filesIn(bed.root)).toEqual(before);
    const real = await orch.gc({ maxSizeBytes: 100_000, maxAgeMs: 1.5 * HOUR });
    expect({ ...dry, dryRun: false }).toEqual(real);
    expect(real.removed.map((r) => r.id)).toEqual(['a', 'c']);
  });

  it('removes orphan blobs, stale staging and old partial downloads, keeping blobs models use', async () => {
    const { orch, clock } = await threeModels();
    const orphan = bytes(5000, 'orphan');
    await writeFile(path.join(bed.layout.blobsDir, sha256(orphan)), orphan);
    await mkdir(path.join(bed.layout.tmpDir, 'x~fp16.staging-dead'), { recursive: true });
    await writeFile(path.join(bed.layout.tmpDir, 'x~fp16.staging-dead', 'half.bin'), bytes(700));
    const oldPartial = path.join(bed.layout.partialDir, `${'e'.repeat(64)}.part`);
    const newPartial = path.join(bed.layout.partialDir, `${'f'.repeat(64)}.part`);
    await writeFile(oldPartial, bytes(300));
    await writeFile(newPartial, bytes(300));
    const eightDaysAgo = new Date(clock.now() - 8 * 24 * HOUR);
    const anHourAgo = new Date(clock.now() - HOUR);
    await utimes(oldPartial, eightDaysAgo, eightDaysAgo);
    await utimes(newPartial, anHourAgo, anHourAgo);

    const result = await orch.gc();
    expect(result.removed).toEqual([]);
    expect(result.orphanBytes).toBe(5000 + 700 + 300);
    expect(await filesIn(bed.layout.tmpDir)).toEqual([]);
    expect(await filesIn(bed.layout.partialDir)).toEqual([path.basename(newPartial)]);
    expect((await filesIn(bed.layout.blobsDir)).sort()).toEqual(['a', 'b', 'c'].map((id) => sha256(bytes(100_000, id))).sort());
    for (const id of ['a', 'b', 'c']) expect((await orch.status(id)).status).toBe('COMPLETE');
  });
});

describe('remove and disk usage', () => {
  it('remove deletes the model dir and the blobs no other model uses', async () => {
    const shared = bytes(50_000, 'shared');
    const a: TestFile[] = [
      { path: 's.bin', data: shared },
      { path: 'a.bin', data: bytes(1000, 'a') },
    ];
    const b: TestFile[] = [{ path: 's.bin', data: shared }];
    const orch = bed.orchestrator([spec('a', a, [bed.publish('a', a)]), spec('b', b, [bed.publish('b', b)])]);
    await orch.ensure('a');
    await orch.ensure('b');
    expect(await orch.remove('a')).toEqual({ id: 'a', variant: 'fp16', bytesFreed: 1000 });
    expect((await orch.status('a')).status).toBe('PARTIAL'); // the shared blob is still stored
    expect(await orch.remove('b')).toEqual({ id: 'b', variant: 'fp16', bytesFreed: 50_000 });
    expect(await filesIn(bed.layout.blobsDir)).toEqual([]);
    expect(await filesIn(bed.layout.modelsDir)).toEqual([]);
    expect((await orch.status('a')).status).toBe('NOT_PRESENT');
  });

  it('disk usage lists each model, counts shared blobs once in storedBytes, and reports partial bytes, space and link mode', async () => {
    const shared = bytes(50_000, 'shared');
    const a: TestFile[] = [
      { path: 's.bin', data: shared },
      { path: 'a.bin', data: bytes(1000, 'a') },
    ];
    const b: TestFile[] = [{ path: 'other/s.bin', data: shared }];
    const orch = bed.orchestrator([spec('a', a, [bed.publish('a', a)]), spec('b', b, [bed.publish('b', b)])], {
      settings: { quotaBytes: 1e9 },
    });
    await orch.ensure('a');
    await orch.ensure('b');
    await orch.pin('b');
    await writeFile(path.join(bed.layout.partialDir, `${'9'.repeat(64)}.part`), bytes(123));
    const usage = await orch.diskUsage();
    expect(usage).toMatchObject({
      root: bed.layout.root,
      partialBytes: 123,
      storedBytes: 51_000,
      linkMode: 'hardlink',
      quotaBytes: 1e9,
      freeBytes: 1e13,
      totalBytes: 2e13,
    });
    expect(usage.models.map((m) => [m.id, m.variant, m.bytes, m.pinned])).toEqual([
      ['a', 'fp16', 51_000, false],
      ['b', 'fp16', 50_000, true],
    ]);
    expect(usage.models.every((m) => typeof m.lastUsed === 'number')).toBe(true);
    expect((await stat(bed.layout.modelFile('a', 'fp16', 's.bin'))).nlink).toBe(3);
  });
});
