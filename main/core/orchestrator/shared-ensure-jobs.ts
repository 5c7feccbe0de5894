/**
 * One running ensure per model variant in this process, shared by every caller that asks for
 * it: each caller gets the same outcome and its own progress callback, and the download is
 * cancelled only when every caller has cancelled.
 */
import { setMaxListeners } from 'node:events';
import { OrchestratorError } from '../../../shared/errors';
import type { EnsureOptions, ModelProgress } from '../ports';
import type { EnsureOutcome } from '../store/ensure-model';

/** Starts the real work; `onProgress` fans out to every caller attached to the job. */
export type StartEnsure = (signal: AbortSignal, onProgress: (p: ModelProgress) => void) => Promise<EnsureOutcome>;

interface EnsureJob {
  promise: Promise<EnsureOutcome>;
  controller: AbortController;
  listeners: Set<(p: ModelProgress) => void>;
  /** Callers still waiting; when every caller cancelled, the job is cancelled. */
  waiting: number;
  force: boolean;
}

export class SharedEnsureJobs {
  private readonly jobs = new Map<string, EnsureJob>();

  /**
   * Joins the running job for `key`, or starts one with `start`. A forced ensure asked while a
   * normal one runs waits for it to finish, then forces.
   */
  async run(key: string, options: EnsureOptions, start: StartEnsure): Promise<EnsureOutcome> {
    let job = this.live(key);
    if (job && options.force && !job.force) {
      await job.promise.catch(() => undefined);
      job = this.live(key);
    }
    job ??= this.start(key, options.force === true, start);
    return this.attach(job, options);
  }

  /** Cancels every running job and waits for them to wind down. */
  async abortAll(): Promise<void> {
    const running = [...this.jobs.values()];
    for (const job of running) job.controller.abort();
    await Promise.allSettled(running.map((j) => j.promise));
  }

  /** A cancelled job still winding down is not joined. */
  private live(key: string): EnsureJob | undefined {
    const job = this.jobs.get(key);
    return job?.controller.signal.aborted ? undefined : job;
  }

  private start(key: string, force: boolean, start: StartEnsure): EnsureJob {
    const controller = new AbortController();
    setMaxListeners(1000, controller.signal);
    const listeners = new Set<(p: ModelProgress) => void>();
    const promise = start(controller.signal, (p) => {
      for (const listener of listeners) listener(p);
    }).finally(() => {
      if (this.jobs.get(key) === job) this.jobs.delete(key);
    });
    promise.catch(() => undefined); // every caller gets it through attach(); avoid unhandled noise
    const job: EnsureJob = { promise, controller, listeners, waiting: 0, force };
    this.jobs.set(key, job);
    return job;
  }

  private attach(job: EnsureJob, options: EnsureOptions): Promise<EnsureOutcome> {
    job.waiting++;
    const listener = options.onProgress;
    if (listener) job.listeners.add(listener);
    const signal = options.signal;
    if (!signal) return job.promise;
    return new Promise<EnsureOutcome>((resolve, reject) => {
      const onAbort = () => {
        if (listener) job.listeners.delete(listener);
        if (--job.waiting === 0) job.controller.abort();
        reject(new OrchestratorError('CANCELLED', 'ensure: cancelled; nothing was changed under models/.'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      job.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}
