/** The Orchestrator as the CLI, web host and app use it: factory defaults, events, path safety. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../../../main/core/orchestrator';
import type { StatusReport } from '../../../shared/results';
import { bytes, spec, TestBed, type TestFile } from './helpers/harness';
import { filesIn } from './helpers/tree';

let bed: TestBed;
beforeEach(async () => {
  bed = await TestBed.create();
});
afterEach(async () => {
  await bed.dispose();
});

describe('Orchestrator API', () => {
  it('createOrchestrator supplies real collaborators: ensure from a local mirror, then verify', async () => {
    const fs: TestFile[] = [
      { path: 'config.json', data: bytes(500, 'cfg') },
      { path: 'sub/w.bin', data: bytes(70_000, 'w') },
    ];
    const mirror = path.join(bed.dir, 'mirror');
    for (const f of fs) {
      await mkdir(path.dirname(path.join(mirror, 'm1', f.path)), { recursive: true });
      await writeFile(path.join(mirror, 'm1', f.path), f.data);
    }
    const orch = createOrchestrator({
      root: bed.root,
      models: [spec('m1', fs, ['local://m1'])],
      sources: { localMirrorRoot: mirror },
      settings: { safetyMarginBytes: 0 },
    });
    try {
      const result = await orch.ensure('m1');
      expect(result).toMatchObject({ downloadedBytes: 70_500, source: 'local://m1' });
      expect((await orch.verify('m1')).success).toBe(true);
      const usage = await orch.diskUsage();
      expect(usage.totalBytes).toBeGreaterThan(0); // the real disk probe
      expect(usage.freeBytes).toBeGreaterThan(0);
    } finally {
      await orch.close();
    }
  });

  it('lists models with the bytes of their default variant', async () => {
    const fs: TestFile[] = [
      { path: 'a', data: bytes(10) },
      { path: 'b', data: bytes(20), variants: ['bf16'] },
      { path: 'c', data: bytes(5), optional: true },
    ];
    const orch = bed.orchestrator([spec('m1', fs, ['http://127.0.0.1:9/x'], ['fp16', 'bf16'])]);
    expect(orch.listModels()).toEqual([
      { id: 'm1', version: '1.0.0', variants: ['fp16', 'bf16'], defaultVariant: 'fp16', totalBytes: 15, sources: ['http://127.0.0.1:9/x'] },
    ]);
  });

  it('announces status changes of ensure, pin and remove through onStatusChange', async () => {
    const fs: TestFile[] = [{ path: 'w.bin', data: bytes(30_000) }];
    const orch = bed.orchestrator([spec('m1', fs, [bed.publish('m', fs)])]);
    const seen: StatusReport[] = [];
    orch.onStatusChange((s) => seen.push(s));
    await orch.ensure('m1');
    await expect.poll(() => seen.at(-1)?.status).toBe('COMPLETE');
    await orch.pin('m1');
    await expect.poll(() => seen.at(-1)?.pinned).toBe(true);
    await orch.remove('m1');
    await expect.poll(() => seen.at(-1)?.status).toBe('NOT_PRESENT');
    expect(seen.every((s) => s.id === 'm1' && s.variant === 'fp16')).toBe(true);
  });

  it('refuses a manifest path that escapes the model folder with PATH_TRAVERSAL_DETECTED, before any download', async () => {
    const evil = bytes(100);
    const model = spec('m1', [{ path: '../../escape.bin', data: evil }], [bed.publish('m', [{ path: 'escape.bin', data: evil }])]);
    const orch = bed.orchestrator([model]);
    for (const call of [() => orch.ensure('m1'), () => orch.status('m1'), () => orch.verify('m1'), () => orch.estimate('m1')]) {
      await expect(call()).rejects.toMatchObject({ code: 'PATH_TRAVERSAL_DETECTED' });
    }
    expect(bed.server.requests).toHaveLength(0);
    expect((await filesIn(bed.dir)).filter((f) => f.endsWith('escape.bin'))).toEqual([]);
  });

  it('skips optional files when only the required ones fit on the disk', async () => {
    const fs: TestFile[] = [
      { path: 'req.bin', data: bytes(10_000, 'r') },
      { path: 'opt.bin', data: bytes(50_000, 'o'), optional: true },
    ];
    const orch = bed.orchestrator([spec('m1', fs, [bed.publish('m', fs)])], {
      diskProbe: { space: async () => ({ free: 30_000, size: 100_000 }) },
    });
    const result = await orch.ensure('m1');
    expect(result.skippedOptional).toEqual([
      expect.objectContaining({ path: 'opt.bin', error: expect.objectContaining({ code: 'NO_SPACE' }) }),
    ]);
    expect(await filesIn(result.localPath)).toEqual(['.verified.json', 'req.bin']);
    expect(bed.sent('m', fs[1] as TestFile)).toBe(0);
  });

  it('fails with INVALID_CONFIG after close()', async () => {
    const fs: TestFile[] = [{ path: 'w.bin', data: bytes(10) }];
    const orch = bed.orchestrator([spec('m1', fs, [bed.publish('m', fs)])]);
    await orch.close();
    await expect(orch.ensure('m1')).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });
});
