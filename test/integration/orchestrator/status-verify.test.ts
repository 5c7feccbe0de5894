/** status (a stat, never a hash), verify (hashes on the pool), estimate, and structured errors. */
import { mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../../shared/errors';
import type { HashPool } from '../../../main/core/ports';
import { createHashPool } from '../../../main/core/hash/hash-pool';
import { ModelLocks } from '../../../main/core/store/model-locks';
import { systemClock } from '../../../main/core/system/system-clock';
import { structuredErrorOf } from '../../helpers/structured-error';
import { bytes, spec, TestBed, type TestFile } from './helpers/harness';

let bed: TestBed;
beforeEach(async () => {
  bed = await TestBed.create();
});
afterEach(async () => {
  await bed.dispose();
});

const files = (): TestFile[] => [
  { path: 'config.json', data: bytes(100, 'c') },
  { path: 'weights/a.bin', data: bytes(40_000, 'a') },
  { path: 'weights/b.bin', data: bytes(60_000, 'b') },
];

async function installed() {
  const fs = files();
  const orch = bed.orchestrator([spec('m1', fs, [bed.publish('m', fs)], ['fp16', 'bf16'])]);
  const { localPath } = await orch.ensure('m1');
  return { fs, orch, localPath };
}

describe('status (seed ensurer behaviours)', () => {
  it('is NOT_PRESENT when nothing is on disk', async () => {
    const fs = files();
    const orch = bed.orchestrator([spec('m1', fs, ['http://127.0.0.1:9/none'])]);
    expect(await orch.status('m1')).toMatchObject({
      status: 'NOT_PRESENT',
      bytesPresent: 0,
      bytesNeeded: 100_100,
      missingFiles: ['config.json', 'weights/a.bin', 'weights/b.bin'],
    });
  });

  it('is PARTIAL with bytes present and needed when some required files are stored', async () => {
    const fs = files();
    const base = bed.publish('m', fs);
    // One file at a time, so config.json and a.bin are stored before b.bin fails.
    const orch = bed.orchestrator([spec('m1', fs, [base])], { settings: { fileConcurrency: 1 } });
    bed.server.fault('/m/weights/b.bin', { type: 'status', status: 404 }, { times: 100 });
    await orch.ensure('m1').catch(() => undefined);
    expect(await orch.status('m1')).toMatchObject({
      status: 'PARTIAL',
      bytesPresent: 40_100,
      bytesNeeded: 60_000,
      missingFiles: ['weights/b.bin'],
    });
  });

  it('is COMPLETE with the marker and every file at its size', async () => {
    const { orch, localPath } = await installed();
    expect(await orch.status('m1')).toMatchObject({
      status: 'COMPLETE',
      localPath,
      bytesPresent: 100_100,
      bytesNeeded: 0,
      missingFiles: [],
    });
  });

  it('is CORRUPT when a file is missing or has the wrong size', async () => {
    const { orch, localPath } = await installed();
    await truncate(path.join(localPath, 'weights/a.bin'), 10);
    expect(await orch.status('m1')).toMatchObject({ status: 'CORRUPT', missingFiles: ['weights/a.bin'] });
    await rm(path.join(localPath, 'weights/a.bin'));
    expect((await orch.status('m1')).status).toBe('CORRUPT');
  });

  it('is CORRUPT after a failed verification, until a later one succeeds', async () => {
    const { orch, localPath, fs } = await installed();
    const target = path.join(localPath, 'config.json');
    await rm(target);
    await writeFile(target, Buffer.alloc(100, 1)); // same size, other bytes: only a hash can tell
    expect((await orch.status('m1')).status).toBe('COMPLETE');
    expect((await orch.verify('m1')).success).toBe(false);
    expect((await orch.status('m1')).status).toBe('CORRUPT');
    await rm(target);
    await writeFile(target, fs[0]?.data as Buffer);
    expect((await orch.verify('m1')).success).toBe(true);
    expect((await orch.status('m1')).status).toBe('COMPLETE');
  });

  it('is VERIFYING while a verification runs, in this process or in another one', async () => {
    const { orch } = await installed();
    // Another process verifying: its lock (with owner record) is what other processes see.
    const locks = new ModelLocks(bed.layout.locksDir, systemClock);
    const other = await locks.tryAcquire(bed.layout.key('m1', 'fp16'), 'verify');
    expect((await orch.status('m1')).status).toBe('VERIFYING');
    await other?.release();
    expect((await orch.status('m1')).status).toBe('COMPLETE');

    // In this process: hold the hash pool until the test has looked.
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const real = createHashPool(1);
    const slowPool: HashPool = { size: 1, close: () => real.close(), hashFile: async (p, o) => (await gate, real.hashFile(p, o)) };
    const fs = files();
    const orch2 = bed.orchestrator([spec('m1', fs, [])], { hashPool: slowPool });
    const events: string[] = [];
    const sawVerifying = new Promise<void>((resolve) =>
      orch2.onStatusChange((report) => {
        events.push(report.status);
        if (report.status === 'VERIFYING') resolve();
      }),
    );
    const verifying = orch2.verify('m1');
    await sawVerifying; // announced through onStatusChange
    expect((await orch2.status('m1')).status).toBe('VERIFYING');
    open();
    expect((await verifying).success).toBe(true);
    expect((await orch2.status('m1')).status).toBe('COMPLETE');
    await expect.poll(() => events).toEqual(['VERIFYING', 'COMPLETE']);
    await real.close();
  });

  it('reports each status for the asked variant', async () => {
    const { orch } = await installed();
    expect((await orch.status('m1', { variant: 'fp16' })).status).toBe('COMPLETE');
    expect((await orch.status('m1', { variant: 'bf16' })).status).toBe('PARTIAL'); // same files, in blobs, not assembled
  });
});

describe('verify (seed ensurer behaviours)', () => {
  it('succeeds on an intact model, listing every verified file', async () => {
    const { orch } = await installed();
    expect(await orch.verify('m1')).toEqual({
      id: 'm1',
      variant: 'fp16',
      success: true,
      verifiedFiles: ['config.json', 'weights/a.bin', 'weights/b.bin'],
      failedFiles: [],
      missingFiles: [],
      problems: [],
    });
  });

  it('reports a missing file', async () => {
    const { orch, localPath } = await installed();
    await rm(path.join(localPath, 'weights/b.bin'));
    const result = await orch.verify('m1');
    expect(result).toMatchObject({ success: false, missingFiles: ['weights/b.bin'], failedFiles: [] });
    expect(result.problems).toEqual([expect.objectContaining({ path: 'weights/b.bin', code: 'MISSING' })]);
  });

  it('reports a checksum mismatch with expected and actual hashes', async () => {
    const { orch, localPath, fs } = await installed();
    const target = path.join(localPath, 'weights/a.bin');
    await rm(target);
    await writeFile(target, Buffer.alloc(40_000, 7));
    const result = await orch.verify('m1');
    expect(result.failedFiles).toEqual(['weights/a.bin']);
    expect(result.problems[0]).toMatchObject({ code: 'CHECKSUM_FAIL', expected: spec('x', fs, []).files[1]?.sha256 });
    expect(result.problems[0]?.actual).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports a size mismatch with expected and actual sizes', async () => {
    const { orch, localPath } = await installed();
    await truncate(path.join(localPath, 'weights/b.bin'), 123);
    const result = await orch.verify('m1');
    expect(result.problems).toEqual([
      expect.objectContaining({ path: 'weights/b.bin', code: 'SIZE_MISMATCH', expected: 60_000, actual: 123 }),
    ]);
  });

  it('returns success false with every file missing when there is no model directory', async () => {
    const fs = files();
    const orch = bed.orchestrator([spec('m1', fs, [])]);
    const result = await orch.verify('m1');
    expect(result).toMatchObject({
      success: false,
      verifiedFiles: [],
      failedFiles: [],
      missingFiles: ['config.json', 'weights/a.bin', 'weights/b.bin'],
    });
    expect((await orch.status('m1')).status).toBe('NOT_PRESENT');
  });
});

describe('estimate (seed ensurer behaviours)', () => {
  it('gives total bytes and what ensure would download now', async () => {
    const fs = files();
    const orch = bed.orchestrator([spec('m1', fs, [bed.publish('m', fs)])]);
    expect(await orch.estimate('m1')).toEqual({ id: 'm1', variant: 'fp16', totalBytes: 100_100, bytesNeeded: 100_100 });
    await orch.ensure('m1');
    expect(await orch.estimate('m1')).toEqual({ id: 'm1', variant: 'fp16', totalBytes: 100_100, bytesNeeded: 0 });
  });
});

describe('structured errors on every API (seed ensurer behaviours)', () => {
  it('answers an unknown model, an unknown variant and a bad id with their codes', async () => {
    const fs = files();
    const orch = bed.orchestrator([spec('m1', fs, [], ['fp16'])]);
    const calls: Array<[string, (id: string, variant?: string) => Promise<unknown>]> = [
      ['ensure', (id, variant) => orch.ensure(id, variant ? { variant } : {})],
      ['status', (id, variant) => orch.status(id, variant ? { variant } : {})],
      ['verify', (id, variant) => orch.verify(id, variant ? { variant } : {})],
      ['estimate', (id, variant) => orch.estimate(id, variant ? { variant } : {})],
      ['pin', (id, variant) => orch.pin(id, variant ? { variant } : {})],
      ['unpin', (id, variant) => orch.unpin(id, variant ? { variant } : {})],
      ['remove', (id, variant) => orch.remove(id, variant ? { variant } : {})],
    ];
    for (const [name, call] of calls) {
      for (const [id, variant, code] of [
        ['nope', undefined, 'MODEL_NOT_FOUND'],
        ['m1', 'int8', 'VARIANT_NOT_FOUND'],
        ['../etc', undefined, 'INVALID_MODEL_ID'],
      ] as const) {
        const error = await structuredErrorOf(call(id, variant));
        expect(error, `${name}(${id}, ${variant})`).toBeInstanceOf(OrchestratorError);
        expect((error as OrchestratorError).code, `${name}(${id}, ${variant})`).toBe(code);
        expect((error as OrchestratorError).message.length).toBeGreaterThan(10);
      }
    }
    expect(() => orch.getModel('nope')).toThrow(expect.objectContaining({ code: 'MODEL_NOT_FOUND' }));
  });

  it('turns filesystem failures into codes (an unwritable root is PERMISSION_DENIED or FILESYSTEM_ERROR, not a raw error)', async () => {
    const fs = files();
    await mkdir(bed.dir, { recursive: true });
    await writeFile(path.join(bed.dir, 'a-file'), 'x');
    const orch = bed.orchestrator([spec('m1', fs, [bed.publish('m', fs)])], { root: path.join(bed.dir, 'a-file', 'root') });
    const error = await structuredErrorOf(orch.ensure('m1'));
    expect(error).toBeInstanceOf(OrchestratorError);
    expect(['FILESYSTEM_ERROR', 'PERMISSION_DENIED']).toContain((error as OrchestratorError).code);
    const usage = await structuredErrorOf(orch.diskUsage());
    expect(usage).toBeInstanceOf(OrchestratorError);
  });
});

describe('verify progress and cancellation', () => {
  it('reports hashing progress up to every byte of the model', async () => {
    const { orch } = await installed();
    const seen: Array<{ bytesDone: number; bytesTotal: number }> = [];
    await orch.verify('m1', { onProgress: (p) => seen.push(p) });
    expect(seen.at(-1)).toMatchObject({ bytesDone: 100_100, bytesTotal: 100_100 });
  });

  it('a cancelled verification fails with CANCELLED and leaves the status as it was', async () => {
    const { orch } = await installed();
    const controller = new AbortController();
    controller.abort();
    await expect(orch.verify('m1', { signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await orch.status('m1')).status).toBe('COMPLETE');
  });
});

describe('manifest updates', () => {
  it('a changed file in the manifest makes the model PARTIAL and ensure fetches only that file', async () => {
    const fs = files();
    const base = bed.publish('m', fs);
    let models = [spec('m1', fs, [base])];
    const orch = bed.orchestrator(() => models);
    await orch.ensure('m1');
    const updated = fs.map((f) => (f.path === 'weights/a.bin' ? { ...f, data: bytes(41_000, 'a2') } : f));
    bed.publish('m', updated);
    models = [{ ...spec('m1', updated, [base]), version: '1.1.0' }];
    expect(await orch.status('m1')).toMatchObject({ status: 'PARTIAL', missingFiles: ['weights/a.bin'], bytesNeeded: 41_000 });
    bed.server.reset();
    const result = await orch.ensure('m1');
    expect(result.downloadedBytes).toBe(41_000);
    expect(new Set(bed.server.requests.map((r) => r.path))).toEqual(new Set(['/m/weights/a.bin']));
    expect((await orch.verify('m1')).success).toBe(true);
    const gc = await orch.gc();
    expect(gc.orphanBytes).toBe(40_000); // the old a.bin blob nobody uses any more
  });
});
