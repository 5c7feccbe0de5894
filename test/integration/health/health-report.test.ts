/**
 * The health report over a real models root: statuses from the quick check, the overall state
 * as the seed defines it, the time budget (a model it had no time for is UNCHECKED, never
 * healthy), and a root of a thousand installed models answered well inside the budget.
 */
import { link, mkdir, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkHealth } from '../../../main/core/health/health-report';
import { ModelsRoot } from '../../../main/core/store/models-root';
import { writeMarker } from '../../../main/core/store/verified-marker';
import { bytes, sha256, spec, TestBed } from '../orchestrator/helpers/harness';

let bed: TestBed;
beforeEach(async () => {
  bed = await TestBed.create();
});
afterEach(async () => {
  await bed.dispose();
});

describe('health report', () => {
  it('is degraded with the partial and the corrupt model listed, each with the action that fixes it', async () => {
    const shared = { path: 'shared.bin', data: bytes(4096) };
    const own = { path: 'own.bin', data: bytes(2048) };
    const weights = { path: 'weights.bin', data: bytes(8192) };
    const okBase = bed.publish('ok', [shared]);
    const badBase = bed.publish('bad', [weights]);
    const models = [
      spec('complete@1', [shared], [okBase]),
      // Shares shared.bin with the complete model; own.bin is nowhere to be had.
      spec('partial@1', [shared, own], [`${bed.server.url}/nothing`]),
      spec('corrupt@1', [weights], [badBase]),
    ];
    const orchestrator = bed.orchestrator(models);
    await orchestrator.ensure('complete@1');
    await orchestrator.ensure('corrupt@1');
    await truncate(bed.layout.modelFile('corrupt@1', 'fp16', 'weights.bin'), 100);

    const report = await checkHealth(orchestrator, { root: bed.root });
    expect(report.health).toBe('degraded');
    const byId = Object.fromEntries(report.models.map((m) => [m.id, m]));
    expect(byId['complete@1']).toMatchObject({ status: 'COMPLETE', bytesNeeded: 0, problem: null, action: null });
    expect(byId['partial@1']).toMatchObject({ status: 'PARTIAL', bytesNeeded: 2048, missingFiles: ['own.bin'], action: 'download' });
    expect(byId['corrupt@1']).toMatchObject({ status: 'CORRUPT', missingFiles: ['weights.bin'], action: 'repair' });
    expect(byId['corrupt@1']?.problem).toContain('weights.bin');
    expect(report.counts).toMatchObject({ models: 3, complete: 1, partial: 1, corrupt: 1, unchecked: 0 });

    // Only the complete one, named: healthy.
    expect((await checkHealth(orchestrator, { root: bed.root, ids: ['complete@1'] })).health).toBe('healthy');
  });

  it('reports a model the budget did not reach as UNCHECKED, and the root as degraded, not healthy', async () => {
    const file = { path: 'a.bin', data: bytes(100) };
    const base = bed.publish('m', [file]);
    const models = Array.from({ length: 6 }, (_, i) => spec(`m${i}@1`, [file], [base]));
    const orchestrator = bed.orchestrator(models);
    for (const m of models) await orchestrator.ensure(m.id);
    // Each reading of the clock moves it 100 ms: the 250 ms budget runs out after a few models.
    let t = 0;
    const report = await checkHealth(orchestrator, { root: bed.root, budgetMs: 250, concurrency: 1, now: () => (t += 100) });
    const unchecked = report.models.filter((m) => m.status === 'UNCHECKED');
    expect(unchecked.length).toBeGreaterThan(0);
    expect(report.models.filter((m) => m.status === 'COMPLETE').length).toBeGreaterThan(0);
    expect(unchecked[0]).toMatchObject({ bytesNeeded: null, action: 'check-again' });
    expect(report.health).toBe('degraded');
    expect(report.problem).toMatch(/not checked within the time budget/);
  });

  it('is error when the manifest has no models or the root cannot be read', async () => {
    const empty = bed.orchestrator([]);
    const none = await checkHealth(empty, { root: bed.root });
    expect(none).toMatchObject({ health: 'error', models: [] });
    expect(none.problem).toMatch(/no models/);

    const file = { path: 'a.bin', data: bytes(10) };
    const notADir = path.join(bed.dir, 'a-file');
    await writeFile(notADir, 'not a folder');
    const orchestrator = bed.orchestrator([spec('m@1', [file], [bed.publish('m', [file])])], { root: notADir });
    const unreadable = await checkHealth(orchestrator, { root: notADir });
    expect(unreadable.health).toBe('error');
    expect(unreadable.problem).toContain(notADir);
  });

  it('refuses an id that is not in the manifest with MODEL_NOT_FOUND', async () => {
    const orchestrator = bed.orchestrator([spec('m@1', [{ path: 'a', data: bytes(1) }], ['https://example.com/m'])]);
    await expect(checkHealth(orchestrator, { root: bed.root, ids: ['nope@1'] })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('checks a root of 1000 installed models within the default budget', async () => {
    const layout = new ModelsRoot(bed.root);
    const data = bytes(64);
    const sha = sha256(data);
    await mkdir(path.dirname(layout.blobPath(sha)), { recursive: true });
    await writeFile(layout.blobPath(sha), data);
    const models = Array.from({ length: 1000 }, (_, i) => spec(`gen-${i}@1`, [{ path: `w/${i}.bin`, data }], ['https://example.com/x']));
    // Installed as ensure leaves them: a hard link to the blob and the marker, written directly for speed.
    for (const m of models) {
      const file = m.files[0]!;
      await mkdir(path.dirname(layout.modelFile(m.id, 'fp16', file.path)), { recursive: true });
      await link(layout.blobPath(sha), layout.modelFile(m.id, 'fp16', file.path));
      await writeMarker(layout.markerPath(m.id, 'fp16'), {
        id: m.id,
        variant: 'fp16',
        version: m.version,
        verified_at: new Date().toISOString(),
        files: [{ path: file.path, size: file.size, sha256: file.sha256 }],
      });
    }
    const orchestrator = bed.orchestrator(models);
    const started = Date.now();
    const report = await checkHealth(orchestrator, { root: bed.root });
    const seconds = (Date.now() - started) / 1000;
    expect(report.counts).toMatchObject({ models: 1000, complete: 1000, unchecked: 0 });
    expect(report.health).toBe('healthy');
    // A generous sanity bound (the default budget is 10 s); a single run takes well under a second unloaded.
    expect(seconds).toBeLessThan(10);
  }, 60_000);
});
