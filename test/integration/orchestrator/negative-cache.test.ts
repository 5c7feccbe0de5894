/** The per-(model, source) negative cache as ensure uses it, driven by a manual clock. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes, spec, TestBed, type TestFile } from './helpers/harness';
import { ManualClock } from './helpers/manual-clock';

let bed: TestBed;
beforeEach(async () => {
  bed = await TestBed.create();
});
afterEach(async () => {
  await bed.dispose();
});

const fs: TestFile[] = [{ path: 'w.bin', data: bytes(5000, 'w') }];

describe('negative cache of failed sources (seed ensurer behaviours)', () => {
  function setup() {
    const clock = new ManualClock();
    const primary = bed.publish('primary', fs);
    const secondary = bed.publish('secondary', fs);
    const orch = bed.orchestrator([spec('m1', fs, [primary, secondary])], { clock, settings: { negativeCacheTtlMs: 60_000 } });
    return { clock, primary, secondary, orch };
  }
  const primaryRequests = () => bed.server.requests.filter((r) => r.path.startsWith('/primary/')).length;

  it('skips a source that failed recently for this model', async () => {
    const { orch, primary } = setup();
    bed.server.fault('/primary/w.bin', { type: 'status', status: 503 }, { times: 10 });
    await orch.ensure('m1');
    expect(orch.skippedSources().map((e) => [e.modelId, e.source])).toEqual([['m1', primary]]);
    bed.server.reset();
    const again = await orch.ensure('m1', { force: true });
    expect(primaryRequests()).toBe(0);
    expect(again.source).not.toBe(primary);
  });

  it('tries the source again once the entry expired, and drops expired entries', async () => {
    const { orch, clock, primary } = setup();
    bed.server.fault('/primary/w.bin', { type: 'status', status: 503 }, { times: 10 });
    await orch.ensure('m1');
    bed.server.reset();
    clock.advance(60_001);
    expect(orch.skippedSources()).toEqual([]);
    const again = await orch.ensure('m1', { force: true });
    expect(primaryRequests()).toBeGreaterThan(0);
    expect(again.source).toBe(primary);
  });

  it('forgets a failure as soon as the source serves the model again', async () => {
    const clock = new ManualClock();
    const only = bed.publish('primary', fs);
    const orch = bed.orchestrator([spec('m1', fs, [only])], { clock, settings: { negativeCacheTtlMs: 60_000 } });
    bed.server.fault('/primary/w.bin', { type: 'status', status: 404 }, { times: 10 });
    await expect(orch.ensure('m1')).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
    expect(orch.skippedSources()).toHaveLength(1);
    bed.server.reset(); // the source is back
    await orch.ensure('m1'); // every source is cached as failed: they are tried anyway, not given up on
    expect(orch.skippedSources()).toEqual([]);
  });
});
