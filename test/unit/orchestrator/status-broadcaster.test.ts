import { describe, expect, it } from 'vitest';
import type { StatusReport } from '../../../shared/results';
import { StatusBroadcaster } from '../../../main/core/orchestrator/status-broadcaster';

const report = (status: StatusReport['status'], bytesPresent: number, pinned = false): StatusReport => ({
  id: 'm',
  variant: 'fp16',
  status,
  localPath: '/models/m/fp16',
  missingFiles: [],
  bytesPresent,
  bytesNeeded: 0,
  pinned,
  lastUsed: null,
});

const settle = () => new Promise((r) => setImmediate(r));

describe('StatusBroadcaster', () => {
  it('sends a status once per change: the same status, bytes and pin are not sent twice in a row', async () => {
    let current = report('PARTIAL', 10);
    const broadcaster = new StatusBroadcaster(async () => current);
    const seen: StatusReport[] = [];
    broadcaster.subscribe((s) => seen.push(s));
    broadcaster.changed('m', 'fp16');
    await settle();
    broadcaster.changed('m', 'fp16');
    await settle();
    current = report('COMPLETE', 20);
    broadcaster.changed('m', 'fp16');
    await settle();
    current = report('COMPLETE', 20, true);
    broadcaster.changed('m', 'fp16');
    await settle();
    expect(seen.map((s) => [s.status, s.bytesPresent, s.pinned])).toEqual([
      ['PARTIAL', 10, false],
      ['COMPLETE', 20, false],
      ['COMPLETE', 20, true],
    ]);
  });

  it('sends nothing for a variant gone from the manifest, nor after unsubscribe or a failed status read', async () => {
    let mode: 'gone' | 'fails' | 'ok' = 'gone';
    const broadcaster = new StatusBroadcaster((): Promise<StatusReport> | null =>
      mode === 'gone' ? null : mode === 'fails' ? Promise.reject(new Error('disk went away')) : Promise.resolve(report('PARTIAL', 1)),
    );
    const seen: StatusReport[] = [];
    const unsubscribe = broadcaster.subscribe((s) => seen.push(s));
    broadcaster.changed('m', 'fp16');
    mode = 'fails';
    broadcaster.changed('m', 'fp16');
    await settle();
    expect(seen).toEqual([]);
    unsubscribe();
    mode = 'ok';
    broadcaster.changed('m', 'fp16');
    await settle();
    expect(seen).toEqual([]);
  });
});
