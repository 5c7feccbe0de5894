/** The disk-space preflight of ensure: NO_SPACE before any download, GC to make room. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { structuredErrorOf } from '../../helpers/structured-error';
import { bytes, spec, TestBed, type TestFile } from './helpers/harness';
import { filesIn } from './helpers/tree';
import { virtualDisk } from './helpers/virtual-disk';

let bed: TestBed;
beforeEach(async () => {
  bed = await TestBed.create();
});
afterEach(async () => {
  await bed.dispose();
});

const big = (name: string, size: number): TestFile[] => [{ path: `${name}.bin`, data: bytes(size, name) }];

describe('ensure preflight (seed ensurer behaviours)', () => {
  it('fails with NO_SPACE {bytesNeeded, bytesAvailable, path} before downloading anything', async () => {
    const fs = big('w', 300_000);
    const orch = bed.orchestrator([spec('m1', fs, [bed.publish('m', fs)])], {
      diskProbe: { space: async () => ({ free: 100_000, size: 1_000_000 }) },
      settings: { safetyMarginBytes: 10_000 },
    });
    const error = (await structuredErrorOf(orch.ensure('m1'))) as { code: string; details: Record<string, unknown>; message: string };
    expect(error.code).toBe('NO_SPACE');
    expect(error.details).toMatchObject({ bytesNeeded: 310_000, bytesAvailable: 100_000, path: bed.layout.root });
    expect(error.message).toMatch(/Free some space/);
    expect(bed.server.requests).toHaveLength(0);
    expect(await filesIn(bed.layout.modelsDir)).toEqual([]);
  });

  it('runs GC to make room (evicting the least recently used model) and then succeeds', async () => {
    const old = big('old', 400_000);
    const fresh = big('new', 400_000);
    const disk = virtualDisk(bed.root, 600_000);
    const orch = bed.orchestrator([spec('old', old, [bed.publish('o', old)]), spec('new', fresh, [bed.publish('n', fresh)])], {
      diskProbe: disk,
    });
    await orch.ensure('old');
    const result = await orch.ensure('new');
    expect(result.downloadedBytes).toBe(400_000);
    expect((await orch.status('old')).status).toBe('NOT_PRESENT');
    expect((await orch.status('new')).status).toBe('COMPLETE');
    expect(await filesIn(bed.layout.modelsDir)).toEqual(['new/fp16/.verified.json', 'new/fp16/new.bin']);
  });

  it('fails with NO_SPACE when GC cannot reclaim enough (a pinned model stays)', async () => {
    const kept = big('kept', 400_000);
    const fresh = big('new', 400_000);
    const disk = virtualDisk(bed.root, 600_000);
    const orch = bed.orchestrator([spec('kept', kept, [bed.publish('k', kept)]), spec('new', fresh, [bed.publish('n', fresh)])], {
      diskProbe: disk,
    });
    await orch.ensure('kept');
    await orch.pin('kept');
    bed.server.reset();
    const error = (await structuredErrorOf(orch.ensure('new'))) as { code: string; details: Record<string, unknown> };
    expect(error.code).toBe('NO_SPACE');
    expect(error.details).toMatchObject({ bytesNeeded: 400_000, bytesAvailable: 200_000 });
    expect(bed.server.requests).toHaveLength(0);
    expect((await orch.status('kept')).status).toBe('COMPLETE');
  });

  it('counts blobs already stored as not needed (a shared file does not need space again)', async () => {
    const shared = bytes(400_000, 'shared');
    const a: TestFile[] = [{ path: 's.bin', data: shared }];
    const b: TestFile[] = [
      { path: 'copy-of-s.bin', data: shared },
      { path: 'small.bin', data: bytes(1000) },
    ];
    const orch = bed.orchestrator([spec('a', a, [bed.publish('a', a)]), spec('b', b, [bed.publish('b', b)])], {
      diskProbe: virtualDisk(bed.root, 450_000),
    });
    await orch.ensure('a');
    expect(await orch.estimate('b')).toEqual({ id: 'b', variant: 'fp16', totalBytes: 401_000, bytesNeeded: 1000 });
    await orch.ensure('b');
    expect((await orch.status('a')).status).toBe('COMPLETE');
  });
});
