/**
 * The metrics the core feeds through its observer, over a real models root: a verify that finds
 * a damaged byte, a garbage collection, a lock that times out, and a failed operation.
 */
import { open } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrchestratorMetrics } from '../../../main/core/health/orchestrator-metrics';
import { ModelLocks } from '../../../main/core/store/model-locks';
import { systemClock } from '../../../main/core/system/system-clock';
import { parsePrometheusText, type Exposition } from '../../helpers/prometheus-text';
import { bytes, spec, TestBed } from '../orchestrator/helpers/harness';

let bed: TestBed;
let metrics: OrchestratorMetrics;
const scrape = async (): Promise<Exposition> => parsePrometheusText(await metrics.text());

beforeEach(async () => {
  bed = await TestBed.create();
  metrics = new OrchestratorMetrics({ root: () => bed.root });
});
afterEach(async () => {
  await bed.dispose();
});

describe('core metrics', () => {
  it('count integrity failures found by verify, gc runs with the bytes they reclaim, and failures by code', async () => {
    const file = { path: 'w.bin', data: bytes(10_000) };
    const orchestrator = bed.orchestrator([spec('m@1', [file], [bed.publish('m', [file])])], { onEvent: metrics.observe });
    await orchestrator.ensure('m@1');
    const handle = await open(bed.layout.modelFile('m@1', 'fp16', 'w.bin'), 'r+');
    await handle.write(Buffer.from([file.data[0]! ^ 0xff]), 0, 1, 0);
    await handle.close();
    expect((await orchestrator.verify('m@1')).success).toBe(false);
    let m = await scrape();
    expect(m.value('model_integrity_failures_total', { model_id: 'm@1' })).toBe(1);
    expect(m.value('model_storage_bytes_used')).toBe(10_000);

    await orchestrator.gc({ maxSizeBytes: 0 });
    await orchestrator.gc({ dryRun: true, maxSizeBytes: 0 });
    m = await scrape();
    expect(m.value('model_gc_runs_total', { trigger: 'manual' })).toBe(1); // the dry run is not a run
    expect(m.value('model_gc_bytes_reclaimed_total')).toBe(10_000);
    expect(m.value('model_storage_bytes_used')).toBe(0);

    await expect(orchestrator.status('missing@1')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    expect((await scrape()).value('model_errors_total', { error_code: 'MODEL_NOT_FOUND' })).toBe(1);
  });

  it('count a lock wait that times out', async () => {
    const file = { path: 'a.bin', data: bytes(100) };
    const models = [spec('m@1', [file], [bed.publish('m', [file])])];
    const holder = bed.orchestrator(models);
    const waiter = bed.orchestrator(models, { onEvent: metrics.observe, settings: { lockTimeoutMs: 300 } });
    await holder.ensure('m@1');
    // Another holder (a verify in this process, standing in for another process) keeps the lock.
    const lock = await new ModelLocks(bed.layout.locksDir, systemClock).acquire(bed.layout.key('m@1', 'fp16'), 'verify', {
      timeoutMs: 1000,
    });
    try {
      await expect(waiter.verify('m@1')).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
    } finally {
      await lock.release();
    }
    const m = await scrape();
    expect(m.value('model_lock_timeouts_total')).toBe(1);
    expect(m.value('model_errors_total', { error_code: 'LOCK_TIMEOUT' })).toBe(1);
  });
});
