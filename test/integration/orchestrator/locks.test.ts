/** Cross-process locking on one models root: real second processes, a real HTTP server. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { structuredErrorOf } from '../../helpers/structured-error';
import { bytes, spec, TestBed, type TestFile } from './helpers/harness';
import { startChild, type Child } from './helpers/child-process';
import { filesIn } from './helpers/tree';

let bed: TestBed;
const children: Child[] = [];
beforeEach(async () => {
  bed = await TestBed.create();
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
  await bed.dispose();
});

const files = (): TestFile[] => [
  { path: 'a.bin', data: bytes(150_000, 'a') },
  { path: 'b.bin', data: bytes(150_000, 'b') },
];

describe('locks across processes (seed ensurer behaviours)', () => {
  it('two processes ensuring one model: one downloads, the other waits on the lock; every file is fetched exactly once', async () => {
    const fs = files();
    // Slow enough (~2 s) that both processes are inside ensure at the same time.
    for (const f of fs) bed.server.serve(`/m/${f.path}`, f.data, { bytesPerSecond: 30_000 });
    const model = spec('m1', fs, [`${bed.server.url}/m`]);
    const orch = bed.orchestrator([model]);
    const child = startChild({ action: 'ensure', root: bed.root, models: [model], id: 'm1' });
    children.push(child);
    expect(await child.firstLine).toBe('ready');
    const [mine, theirs] = await Promise.all([orch.ensure('m1'), child.exited]);
    expect(theirs.code, theirs.stderr).toBe(0);
    const childResult = JSON.parse(theirs.stdout.trim().split('\n').at(-1) as string) as { downloadedBytes: number; localPath: string };
    expect(childResult.localPath).toBe(mine.localPath);
    expect([mine.downloadedBytes, childResult.downloadedBytes].sort((a, b) => a - b)).toEqual([0, 300_000]); // one did it all, the other nothing
    for (const f of fs) expect(bed.sent('m', f)).toBe(f.data.length);
    expect((await orch.verify('m1')).success).toBe(true);
  });

  it('recovers the lock left by a killed process and ensures the model', async () => {
    const fs = files();
    const model = spec('m1', fs, [bed.publish('m', fs)]);
    const holder = startChild({ action: 'hold-lock', root: bed.root, key: bed.layout.key('m1', 'fp16'), purpose: 'ensure' });
    children.push(holder);
    expect(await holder.firstLine).toBe('locked');
    holder.process.kill('SIGKILL');
    await holder.exited;
    expect(await filesIn(bed.layout.locksDir)).toContain('m1~fp16.owner.json'); // the dead holder's leftovers
    const orch = bed.orchestrator([model], { settings: { lockTimeoutMs: 60_000 } });
    const result = await orch.ensure('m1');
    expect(result.downloadedBytes).toBe(300_000);
    expect((await orch.status('m1')).status).toBe('COMPLETE');
  });

  it('fails with LOCK_TIMEOUT naming the holding process when the lock stays taken', async () => {
    const fs = files();
    const model = spec('m1', fs, [bed.publish('m', fs)]);
    const holder = startChild({ action: 'hold-lock', root: bed.root, key: bed.layout.key('m1', 'fp16'), purpose: 'ensure' });
    children.push(holder);
    expect(await holder.firstLine).toBe('locked');
    const orch = bed.orchestrator([model], { settings: { lockTimeoutMs: 300 } });
    const error = (await structuredErrorOf(orch.ensure('m1'))) as { code: string; message: string; details: Record<string, unknown> };
    expect(error.code).toBe('LOCK_TIMEOUT');
    expect(error.message).toContain(`process ${holder.process.pid}`);
    expect(error.message).toMatch(/Wait for that process to finish/);
    expect(error.details.holderPid).toBe(holder.process.pid);
    expect(bed.server.requests).toHaveLength(0);
  });

  it('shows VERIFYING for a verification running in another process', async () => {
    const fs = files();
    const model = spec('m1', fs, [bed.publish('m', fs)]);
    const orch = bed.orchestrator([model]);
    await orch.ensure('m1');
    const verifier = startChild({ action: 'hold-lock', root: bed.root, key: bed.layout.key('m1', 'fp16'), purpose: 'verify' });
    children.push(verifier);
    expect(await verifier.firstLine).toBe('locked');
    expect((await orch.status('m1')).status).toBe('VERIFYING');
    verifier.process.kill('SIGKILL');
    await verifier.exited;
    expect((await orch.status('m1')).status).toBe('COMPLETE'); // a dead verifier's lock is ignored
  });
});
