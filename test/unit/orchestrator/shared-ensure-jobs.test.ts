import { describe, expect, it } from 'vitest';
import type { ModelProgress } from '../../../main/core/ports';
import { SharedEnsureJobs, type StartEnsure } from '../../../main/core/orchestrator/shared-ensure-jobs';
import type { EnsureOutcome } from '../../../main/core/store/ensure-model';

const outcome = (downloadedBytes: number): EnsureOutcome => ({ id: 'm', variant: 'fp16', localPath: '/x', downloadedBytes, source: null });

/** A start function whose runs the test finishes by hand; it records every signal it was given. */
function controllableStart() {
  const runs: Array<{ signal: AbortSignal; progress: (p: ModelProgress) => void; finish: (o: EnsureOutcome) => void }> = [];
  const start: StartEnsure = (signal, progress) =>
    new Promise<EnsureOutcome>((resolve, reject) => {
      runs.push({ signal, progress, finish: resolve });
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  return { start, runs };
}

const progress = { bytesDone: 5, bytesTotal: 10 } as unknown as ModelProgress;

describe('SharedEnsureJobs', () => {
  it('runs one download for two callers of the same variant; both get its outcome and its progress', async () => {
    const jobs = new SharedEnsureJobs();
    const { start, runs } = controllableStart();
    const seen: string[] = [];
    const a = jobs.run('m~fp16', { onProgress: () => seen.push('a') }, start);
    const b = jobs.run('m~fp16', { onProgress: () => seen.push('b') }, start);
    await Promise.resolve();
    expect(runs).toHaveLength(1);
    runs[0]!.progress(progress);
    runs[0]!.finish(outcome(7));
    await expect(a).resolves.toEqual(outcome(7));
    await expect(b).resolves.toEqual(outcome(7));
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  it('keeps downloading while one caller is still waiting, and cancels when the last caller cancels', async () => {
    const jobs = new SharedEnsureJobs();
    const { start, runs } = controllableStart();
    const first = new AbortController();
    const second = new AbortController();
    const a = jobs.run('m~fp16', { signal: first.signal }, start);
    const b = jobs.run('m~fp16', { signal: second.signal }, start);
    await Promise.resolve();
    first.abort();
    await expect(a).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(runs[0]!.signal.aborted).toBe(false);
    second.abort();
    await expect(b).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(runs[0]!.signal.aborted).toBe(true);
  });

  it('starts a forced run only after the normal run in progress has finished', async () => {
    const jobs = new SharedEnsureJobs();
    const { start, runs } = controllableStart();
    const normal = jobs.run('m~fp16', {}, start);
    const forced = jobs.run('m~fp16', { force: true }, start);
    await Promise.resolve();
    expect(runs).toHaveLength(1);
    runs[0]!.finish(outcome(1));
    await expect(normal).resolves.toEqual(outcome(1));
    await new Promise((r) => setImmediate(r));
    expect(runs).toHaveLength(2);
    runs[1]!.finish(outcome(2));
    await expect(forced).resolves.toEqual(outcome(2));
  });

  it('does not join a cancelled run still winding down, and abortAll stops every run', async () => {
    const jobs = new SharedEnsureJobs();
    const runs: AbortSignal[] = [];
    // A run that takes a moment to wind down after its abort, as a real download does.
    const slowToStop: StartEnsure = (signal) =>
      new Promise<EnsureOutcome>((_, reject) => {
        runs.push(signal);
        signal.addEventListener('abort', () => setImmediate(() => reject(new Error('aborted'))), { once: true });
      });
    const cancel = new AbortController();
    const first = jobs.run('m~fp16', { signal: cancel.signal }, slowToStop);
    await Promise.resolve();
    cancel.abort();
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    const both = Promise.allSettled([jobs.run('m~fp16', {}, slowToStop), jobs.run('n~fp16', {}, slowToStop)]);
    await Promise.resolve();
    expect(runs).toHaveLength(3);
    await jobs.abortAll();
    expect(runs.every((s) => s.aborted)).toBe(true);
    expect((await both).map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
