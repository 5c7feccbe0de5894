/**
 * The download queue behind the UI: one job per (model, variant), at most `parallel` running
 * at once. Pausing aborts the running ensure (its partial data stays on disk and the next run
 * resumes from it); cancelling aborts and marks the job cancelled. Progress from the
 * orchestrator becomes `JobProgress` with smoothed speed and ETA, throttled to a few updates a
 * second per job; the final state of every run is always delivered.
 */
import { randomUUID } from 'node:crypto';
import { OrchestratorError, toStructuredError, type StructuredError } from '../../../shared/errors';
import type { EnsureResult, FileProgress, JobProgress, JobState } from '../../../shared/results';
import type { EnsureOptions, ModelProgress } from '../ports';
import { ProgressMeter, Throttle } from '../progress-meter';

export type EnsureFn = (id: string, options: EnsureOptions) => Promise<EnsureResult>;

export interface JobOutcome {
  result?: EnsureResult;
  error?: StructuredError;
}

export interface DownloadQueueOptions {
  ensure: EnsureFn;
  /** How many jobs may download at once (default 2). */
  parallel?: number;
  now?: () => number;
  /** Minimum time between two progress events of one job (default 100 ms, i.e. ≤ 10/s). */
  progressIntervalMs?: number;
  /** Every change of a job (throttled while it downloads). Receives a copy. */
  onChange?: (job: JobProgress) => void;
  /** A dismissed job disappeared. */
  onRemoved?: (jobId: string) => void;
  /** A run ended: done, failed, paused or cancelled. */
  onSettled?: (job: JobProgress, outcome: JobOutcome) => void;
}

/** What the queue shows for a job before its first progress report arrives. */
export interface JobPreview {
  bytesDone?: number;
  bytesTotal: number;
  files: FileProgress[];
}

interface Job {
  progress: JobProgress;
  controller: AbortController | null;
  /** The in-flight ensure; non-null until it has fully unwound (it still holds its slot). */
  running: Promise<void> | null;
  stopReason: 'pause' | 'cancel' | null;
  meter: ProgressMeter;
  throttle: Throttle<JobProgress>;
}

const LIVE: ReadonlySet<JobState> = new Set(['queued', 'running', 'verifying', 'paused']);
const FINISHED: ReadonlySet<JobState> = new Set(['done', 'failed', 'cancelled']);

export class DownloadQueue {
  private readonly jobs = new Map<string, Job>();
  private parallel: number;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private closed = false;

  constructor(private readonly options: DownloadQueueOptions) {
    this.parallel = clampParallel(options.parallel ?? 2);
    this.now = options.now ?? Date.now;
    this.intervalMs = options.progressIntervalMs ?? 100;
  }

  get parallelLimit(): number {
    return this.parallel;
  }

  setParallel(parallel: number): void {
    this.parallel = clampParallel(parallel);
    this.pump();
  }

  /**
   * Adds a job for (id, variant), or returns the live one for the same pair (resuming it if it
   * was paused): one model variant never downloads twice at once.
   */
  enqueue(id: string, variant: string, preview: JobPreview = { bytesTotal: 0, files: [] }): JobProgress {
    this.assertOpen();
    const live = [...this.jobs.values()].find((j) => j.progress.id === id && j.progress.variant === variant && LIVE.has(j.progress.state));
    if (live) {
      if (live.progress.state === 'paused') return this.resume(live.progress.jobId);
      return copy(live.progress);
    }
    const jobId = `job-${randomUUID().slice(0, 8)}`;
    const job: Job = {
      progress: {
        jobId,
        id,
        variant,
        state: 'queued',
        bytesDone: preview.bytesDone ?? 0,
        bytesTotal: preview.bytesTotal,
        speed: 0,
        etaSeconds: null,
        files: preview.files.map((f) => ({ ...f })),
      },
      controller: null,
      running: null,
      stopReason: null,
      meter: new ProgressMeter(this.now),
      throttle: new Throttle<JobProgress>((p) => this.options.onChange?.(p), this.intervalMs, this.now),
    };
    this.jobs.set(jobId, job);
    this.emit(job);
    this.pump();
    return copy(job.progress);
  }

  pause(jobId: string): JobProgress {
    const job = this.get(jobId);
    const state = job.progress.state;
    if (state === 'queued' || state === 'running' || state === 'verifying') {
      if (job.running) {
        job.stopReason = 'pause';
        job.controller?.abort();
      }
      this.setState(job, 'paused');
    }
    return copy(job.progress);
  }

  /** Paused, failed or cancelled jobs go back in the queue; partial data on disk is reused. */
  resume(jobId: string): JobProgress {
    this.assertOpen();
    const job = this.get(jobId);
    const state = job.progress.state;
    if (state === 'paused' || state === 'failed' || state === 'cancelled') {
      delete job.progress.error;
      this.setState(job, 'queued');
      this.pump();
    }
    return copy(job.progress);
  }

  cancel(jobId: string): JobProgress {
    const job = this.get(jobId);
    if (LIVE.has(job.progress.state)) {
      if (job.running) {
        job.stopReason = 'cancel';
        job.controller?.abort();
      }
      job.progress.speed = 0;
      job.progress.etaSeconds = null;
      this.setState(job, 'cancelled');
    }
    return copy(job.progress);
  }

  /** Forgets a finished job; live jobs must be cancelled first. */
  dismiss(jobId: string): void {
    const job = this.get(jobId);
    if (!FINISHED.has(job.progress.state)) {
      throw new OrchestratorError('INVALID_CONFIG', `Job ${jobId} is still ${job.progress.state}; cancel it before dismissing it.`, {
        jobId,
      });
    }
    this.jobs.delete(jobId);
    this.options.onRemoved?.(jobId);
  }

  pauseAll(): JobProgress[] {
    for (const job of this.jobs.values())
      if (['queued', 'running', 'verifying'].includes(job.progress.state)) this.pause(job.progress.jobId);
    return this.list();
  }

  resumeAll(): JobProgress[] {
    for (const job of this.jobs.values()) if (job.progress.state === 'paused') this.resume(job.progress.jobId);
    return this.list();
  }

  list(): JobProgress[] {
    return [...this.jobs.values()].map((j) => copy(j.progress));
  }

  find(jobId: string): JobProgress | undefined {
    const job = this.jobs.get(jobId);
    return job ? copy(job.progress) : undefined;
  }

  /** True while any job of this model variant is queued, running or paused. */
  isLive(id: string, variant: string): boolean {
    return [...this.jobs.values()].some((j) => j.progress.id === id && j.progress.variant === variant && LIVE.has(j.progress.state));
  }

  /** Stops every running job (as a pause: partial data stays) and waits for them to unwind. */
  async close(): Promise<void> {
    this.closed = true;
    const running: Promise<void>[] = [];
    for (const job of this.jobs.values()) {
      if (job.running) {
        job.stopReason = 'pause';
        job.controller?.abort();
        running.push(job.running);
      }
    }
    await Promise.allSettled(running);
  }

  private get(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job)
      throw new OrchestratorError('INVALID_CONFIG', `No download job ${jobId}. It may have been dismissed; start the download again.`, {
        jobId,
      });
    return job;
  }

  private assertOpen(): void {
    if (this.closed) throw new OrchestratorError('CANCELLED', 'The download queue is shutting down.');
  }

  private pump(): void {
    if (this.closed) return;
    let slots = this.parallel - [...this.jobs.values()].filter((j) => j.running !== null).length;
    for (const job of this.jobs.values()) {
      if (slots <= 0) break;
      if (job.progress.state === 'queued' && !job.running) {
        this.start(job);
        slots--;
      }
    }
  }

  private start(job: Job): void {
    const controller = new AbortController();
    job.controller = controller;
    job.stopReason = null;
    job.meter.reset();
    job.progress.speed = 0;
    job.progress.etaSeconds = null;
    this.setState(job, 'running');
    const { id, variant } = job.progress;
    job.running = (async () => {
      const outcome: JobOutcome = {};
      try {
        const result = await this.options.ensure(id, {
          variant,
          signal: controller.signal,
          onProgress: (p) => this.onProgress(job, p),
        });
        outcome.result = result;
        job.progress.bytesDone = job.progress.bytesTotal;
        job.progress.files = job.progress.files.map((f) => ({ ...f, bytesDone: f.bytesTotal, state: 'done' }));
        job.progress.source = result.source;
        job.progress.state = 'done';
      } catch (error) {
        const structured = toStructuredError(error);
        outcome.error = structured;
        // pause()/cancel() already set the state (and resume() may have queued it again).
        if (!job.stopReason) {
          job.progress.state = 'failed';
          job.progress.error = structured;
        }
      } finally {
        job.running = null;
        job.controller = null;
        job.progress.speed = 0;
        job.progress.etaSeconds = job.progress.state === 'done' ? 0 : null;
        // A throttled progress report must never land after the final state.
        job.throttle.flush();
        this.emit(job);
        if (this.jobs.has(job.progress.jobId)) this.options.onSettled?.(copy(job.progress), outcome);
        this.pump();
      }
    })();
  }

  private onProgress(job: Job, p: ModelProgress): void {
    if (job.stopReason || !job.running) return;
    const progress = job.progress;
    progress.bytesDone = p.bytesDone;
    progress.bytesTotal = p.bytesTotal;
    if (p.files.length) progress.files = p.files.map((f) => ({ ...f }));
    if (p.source !== undefined) progress.source = p.source;
    progress.state = p.phase === 'verifying' || p.phase === 'assembling' ? 'verifying' : 'running';
    const rate = job.meter.update(p.bytesDone, p.bytesTotal);
    progress.speed = rate.speed;
    progress.etaSeconds = rate.etaSeconds;
    job.throttle.push(copy(progress));
  }

  private setState(job: Job, state: JobState): void {
    job.throttle.flush();
    job.progress.state = state;
    if (state !== 'running' && state !== 'verifying') {
      job.progress.speed = 0;
      job.progress.etaSeconds = null;
    }
    this.emit(job);
  }

  private emit(job: Job): void {
    this.options.onChange?.(copy(job.progress));
  }
}

function clampParallel(n: number): number {
  return Number.isFinite(n) ? Math.min(16, Math.max(1, Math.floor(n))) : 2;
}

function copy(p: JobProgress): JobProgress {
  return { ...p, files: p.files.map((f) => ({ ...f })) };
}
