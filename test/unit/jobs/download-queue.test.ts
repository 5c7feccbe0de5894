import { describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../../shared/errors';
import type { EnsureResult, JobProgress } from '../../../shared/results';
import { DownloadQueue, type EnsureFn } from '../../../main/core/jobs/download-queue';
import type { EnsureOptions } from '../../../main/core/ports';

/** A hand-driven ensure: each call waits until the test finishes or fails it, and honours abort. */
function controllableEnsure() {
  const calls: Array<{ id: string; options: EnsureOptions; finish: () => void; fail: (e: unknown) => void }> = [];
  const ensure: EnsureFn = (id, options) =>
    new Promise<EnsureResult>((resolve, reject) => {
      const call = {
        id,
        options,
        finish: () =>
          resolve({ id, variant: options.variant ?? 'v', localPath: `/models/${id}`, downloadedBytes: 100, source: 'http://x' }),
        fail: (e: unknown) => reject(e),
      };
      options.signal?.addEventListener('abort', () => reject(new OrchestratorError('CANCELLED', 'ensure: cancelled by the user.')));
      calls.push(call);
    });
  return { ensure, calls };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

function lastOf(events: JobProgress[], jobId: string): JobProgress | undefined {
  return events.filter((e) => e.jobId === jobId).at(-1);
}

describe('download queue', () => {
  it('runs at most the parallel limit and starts the next job when one finishes', async () => {
    const { ensure, calls } = controllableEnsure();
    const queue = new DownloadQueue({ ensure, parallel: 2 });
    const a = queue.enqueue('a', 'v');
    const b = queue.enqueue('b', 'v');
    const c = queue.enqueue('c', 'v');
    expect(calls.map((x) => x.id)).toEqual(['a', 'b']);
    expect(queue.find(c.jobId)?.state).toBe('queued');
    calls[0]?.finish();
    await settle();
    expect(queue.find(a.jobId)?.state).toBe('done');
    expect(calls.map((x) => x.id)).toEqual(['a', 'b', 'c']);
    queue.setParallel(1);
    calls[1]?.finish();
    calls[2]?.finish();
    await settle();
    expect(queue.list().map((j) => j.state)).toEqual(['done', 'done', 'done']);
    expect(b.jobId).not.toBe(c.jobId);
  });

  it('returns the live job instead of downloading the same variant twice', () => {
    const { ensure, calls } = controllableEnsure();
    const queue = new DownloadQueue({ ensure });
    const first = queue.enqueue('a', 'fp16');
    const again = queue.enqueue('a', 'fp16');
    expect(again.jobId).toBe(first.jobId);
    expect(calls).toHaveLength(1);
    expect(queue.enqueue('a', 'bf16').jobId).not.toBe(first.jobId);
  });

  it('pauses by aborting the running ensure, and resumes with a new run', async () => {
    const { ensure, calls } = controllableEnsure();
    const events: JobProgress[] = [];
    const queue = new DownloadQueue({ ensure, onChange: (j) => events.push(j) });
    const job = queue.enqueue('a', 'v');
    expect(queue.pause(job.jobId).state).toBe('paused');
    expect(calls[0]?.options.signal?.aborted).toBe(true);
    await settle();
    expect(lastOf(events, job.jobId)?.state).toBe('paused');
    // A free slot: the resumed job starts again at once.
    expect(queue.resume(job.jobId).state).toBe('running');
    expect(calls).toHaveLength(2);
    expect(queue.find(job.jobId)?.state).toBe('running');
    calls[1]?.finish();
    await settle();
    expect(lastOf(events, job.jobId)).toMatchObject({ state: 'done', etaSeconds: 0 });
  });

  it('a job resumed before its aborted run unwound waits for the slot, then runs again', async () => {
    const calls: Array<{ reject: (e: unknown) => void }> = [];
    const queue = new DownloadQueue({
      parallel: 1,
      // This ensure ignores abort until the test rejects it, like a slow unwind.
      ensure: () => new Promise((_, reject) => calls.push({ reject })),
    });
    const job = queue.enqueue('a', 'v');
    queue.pause(job.jobId);
    queue.resume(job.jobId);
    expect(calls).toHaveLength(1);
    calls[0]?.reject(new OrchestratorError('CANCELLED', 'cancelled'));
    await settle();
    expect(calls).toHaveLength(2);
    expect(queue.find(job.jobId)?.state).toBe('running');
  });

  it('cancels queued and running jobs, and keeps the failure of a failed one', async () => {
    const { ensure, calls } = controllableEnsure();
    const settled: JobProgress[] = [];
    const queue = new DownloadQueue({ ensure, parallel: 1, onSettled: (j) => settled.push(j) });
    const a = queue.enqueue('a', 'v');
    const b = queue.enqueue('b', 'v');
    expect(queue.cancel(b.jobId).state).toBe('cancelled');
    expect(queue.cancel(a.jobId).state).toBe('cancelled');
    await settle();
    expect(settled.map((j) => j.state)).toEqual(['cancelled']);
    expect(calls).toHaveLength(1);

    const c = queue.enqueue('c', 'v');
    await settle();
    calls[1]?.fail(new OrchestratorError('SOURCE_UNAVAILABLE', 'No source could serve the file. Check your network.'));
    await settle();
    expect(queue.find(c.jobId)).toMatchObject({ state: 'failed', error: { code: 'SOURCE_UNAVAILABLE', retryable: true } });
    // A failed job can be retried, and dismissed once finished.
    queue.resume(c.jobId);
    await settle();
    expect(queue.find(c.jobId)?.error).toBeUndefined();
    expect(() => queue.dismiss(c.jobId)).toThrow(/still running/);
    queue.dismiss(a.jobId);
    expect(queue.find(a.jobId)).toBeUndefined();
  });

  it('pauseAll and resumeAll act on every job', async () => {
    const { ensure, calls } = controllableEnsure();
    const queue = new DownloadQueue({ ensure, parallel: 1 });
    queue.enqueue('a', 'v');
    queue.enqueue('b', 'v');
    expect(queue.pauseAll().map((j) => j.state)).toEqual(['paused', 'paused']);
    await settle();
    expect(queue.resumeAll().map((j) => j.state)).toEqual(['running', 'queued']);
    expect(calls).toHaveLength(2);
  });

  it('turns ensure progress into speed and ETA, throttled, with the final state always delivered', async () => {
    const { ensure, calls } = controllableEnsure();
    let now = 0;
    const events: JobProgress[] = [];
    const queue = new DownloadQueue({ ensure, now: () => now, progressIntervalMs: 100, onChange: (j) => events.push(j) });
    const job = queue.enqueue('a', 'v', { bytesTotal: 1000, files: [{ path: 'f', bytesDone: 0, bytesTotal: 1000, state: 'pending' }] });
    const report = (bytesDone: number) =>
      calls[0]?.options.onProgress?.({
        id: 'a',
        variant: 'v',
        bytesDone,
        bytesTotal: 1000,
        phase: 'downloading',
        files: [{ path: 'f', bytesDone, bytesTotal: 1000, state: 'downloading' }],
      });
    const before = events.length;
    // 50 chunk reports within 100 ms of simulated time: at most two get through the throttle.
    for (let i = 1; i <= 50; i++) {
      now = 1000 + i * 2;
      report(i * 2);
    }
    const during = events.slice(before);
    expect(during.length).toBeLessThanOrEqual(2);
    now = 2000;
    report(500);
    const latest = events.at(-1) as JobProgress;
    expect(latest.bytesDone).toBe(500);
    expect(latest.speed).toBeGreaterThan(0);
    expect(latest.etaSeconds).not.toBeNull();
    calls[0]?.finish();
    await settle();
    expect(lastOf(events, job.jobId)).toMatchObject({ state: 'done', bytesDone: 1000, files: [{ state: 'done', bytesDone: 1000 }] });
  });
});
