/**
 * sha256 on worker threads so the main thread never hashes. A pool of workers (sized to the
 * machine) runs whole-file hashes one per worker, queued FIFO beyond that, plus "followers"
 * that hash a file while it is being written: the downloader reports how many leading bytes
 * are on disk and the worker reads just those from the page cache, so the digest is ready
 * moments after the last byte lands, without a second full read.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HashPool, HashProgress } from '../ports';
import { HASH_WORKER_SOURCE } from './hash-worker-source';

/** Hashes a file that is still growing: feed it the length of the written prefix. */
export interface FileFollower {
  /** The first `contiguousBytes` bytes of the file are written; hash up to there. */
  advance(contiguousBytes: number): void;
  /** All `expectedSize` bytes are written: resolves with the sha256 (hex) of exactly that many bytes. */
  finish(expectedSize: number): Promise<string>;
  /** Stops following; a pending finish() rejects with an AbortError. */
  cancel(): void;
}

export interface FollowingHashPool extends HashPool {
  /** Starts hashing `path` from byte 0 as it grows. */
  follow(path: string): FileFollower;
}

type WorkerReply =
  | { id: number; type: 'progress'; bytes: number }
  | { id: number; type: 'done'; digest: string; bytes: number }
  | { id: number; type: 'cancelled' }
  | { id: number; type: 'error'; message: string; code?: string; path?: string };

interface Job {
  id: number;
  kind: 'hash' | 'follow';
  path: string;
  resolve: (digest: string) => void;
  reject: (error: unknown) => void;
  onProgress?: HashProgress;
  slot?: Slot;
  settled: boolean;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Job>;
  hashing: number;
  following: number;
}

function abortError(): Error {
  return new DOMException('The hash was cancelled.', 'AbortError');
}

export function createHashPool(size: number = availableParallelism()): FollowingHashPool {
  return new WorkerHashPool(Math.max(1, Math.floor(size)));
}

class WorkerHashPool implements FollowingHashPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {}

  hashFile(path: string, options: { signal?: AbortSignal; onProgress?: HashProgress } = {}): Promise<string> {
    const { signal, onProgress } = options;
    if (this.closed) return Promise.reject(new Error('hashFile: the hash pool is closed.'));
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<string>((resolve, reject) => {
      const job: Job = { id: this.nextId++, kind: 'hash', path, resolve, reject, settled: false };
      if (onProgress) job.onProgress = onProgress;
      if (signal) {
        const onAbort = () => {
          this.cancelJob(job);
          this.settle(job, abortError());
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const clean = () => signal.removeEventListener('abort', onAbort);
        job.resolve = (d) => (clean(), resolve(d));
        job.reject = (e) => (clean(), reject(e));
      }
      this.queue.push(job);
      this.drain();
    });
  }

  follow(path: string): FileFollower {
    if (this.closed) throw new Error('follow: the hash pool is closed.');
    let resolveDigest!: (d: string) => void;
    let rejectDigest!: (e: unknown) => void;
    const digest = new Promise<string>((res, rej) => {
      resolveDigest = res;
      rejectDigest = rej;
    });
    // Errors surface through finish(); keep an early failure from being reported as unhandled.
    digest.catch(() => undefined);
    const job: Job = { id: this.nextId++, kind: 'follow', path, resolve: resolveDigest, reject: rejectDigest, settled: false };
    const slot = this.pickFollowSlot();
    this.attach(slot, job);
    slot.worker.postMessage({ op: 'follow', id: job.id, path });
    let last = 0;
    return {
      advance: (contiguousBytes) => {
        if (job.settled || contiguousBytes <= last) return;
        last = contiguousBytes;
        slot.worker.postMessage({ op: 'advance', id: job.id, upTo: contiguousBytes });
      },
      finish: (expectedSize) => {
        if (!job.settled) slot.worker.postMessage({ op: 'finish', id: job.id, size: expectedSize });
        return digest;
      },
      cancel: () => {
        if (job.settled) return;
        slot.worker.postMessage({ op: 'cancel', id: job.id });
        this.settle(job, abortError());
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new Error('The hash pool was closed before the hash finished.');
    for (const job of this.queue.splice(0)) this.settle(job, error);
    const slots = this.slots.splice(0);
    for (const slot of slots) for (const job of slot.jobs.values()) this.settle(job, error);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private drain(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.hashing === 0);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift() as Job;
      if (job.settled) continue;
      this.attach(slot, job);
      slot.worker.postMessage({ op: 'hash', id: job.id, path: job.path });
    }
  }

  private pickFollowSlot(): Slot {
    if (this.slots.length < this.size) {
      const idle = this.slots.find((s) => s.jobs.size === 0);
      return idle ?? this.spawn();
    }
    return this.slots.reduce((best, s) => (s.following + s.hashing < best.following + best.hashing ? s : best));
  }

  private attach(slot: Slot, job: Job): void {
    job.slot = slot;
    slot.jobs.set(job.id, job);
    if (job.kind === 'hash') slot.hashing++;
    else slot.following++;
    slot.worker.ref();
  }

  private detach(job: Job): void {
    const slot = job.slot;
    if (!slot || !slot.jobs.delete(job.id)) return;
    if (job.kind === 'hash') slot.hashing--;
    else slot.following--;
    if (slot.jobs.size === 0) slot.worker.unref();
  }

  private settle(job: Job, result: string | Error): void {
    if (job.settled) return;
    job.settled = true;
    this.detach(job);
    const idx = this.queue.indexOf(job);
    if (idx >= 0) this.queue.splice(idx, 1);
    if (typeof result === 'string') job.resolve(result);
    else job.reject(result);
    if (!this.closed) this.drain();
  }

  private cancelJob(job: Job): void {
    if (job.slot && !job.settled) job.slot.worker.postMessage({ op: 'cancel', id: job.id });
  }

  private spawn(): Slot {
    // The worker holds one read buffer and a few small objects: a small young generation keeps its RSS low.
    const worker = new Worker(HASH_WORKER_SOURCE, { eval: true, name: 'sha256', resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    worker.unref();
    const slot: Slot = { worker, jobs: new Map(), hashing: 0, following: 0 };
    worker.on('message', (reply: WorkerReply) => {
      const job = slot.jobs.get(reply.id);
      if (!job) return;
      switch (reply.type) {
        case 'progress':
          job.onProgress?.(reply.bytes);
          break;
        case 'done':
          job.onProgress?.(reply.bytes);
          this.settle(job, reply.digest);
          break;
        case 'cancelled':
          this.settle(job, abortError());
          break;
        case 'error': {
          const error = Object.assign(new Error(`hash of ${job.path}: ${reply.message}`), {
            code: reply.code,
            path: reply.path ?? job.path,
          });
          this.settle(job, error);
          break;
        }
      }
    });
    const onDeath = (error: unknown) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const reason = error instanceof Error ? error : new Error(`The hash worker stopped (${String(error)}).`);
      for (const job of [...slot.jobs.values()]) this.settle(job, reason);
    };
    worker.on('error', onDeath);
    worker.on('exit', (code) => {
      if (!this.closed) onDeath(new Error(`The hash worker exited with code ${code}.`));
    });
    this.slots.push(slot);
    return slot;
  }
}
