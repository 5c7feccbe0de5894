/**
 * Cross-process locks, one per model variant, in `.locks/` (proper-lockfile: an atomic mkdir
 * kept fresh by its holder, so a lock whose holder died goes stale). Next to each lock an
 * `.owner.json` says which process holds it and why: that lets status show VERIFYING for a
 * verification running in another process, lets a waiter recover at once the lock of a process
 * that was killed on this machine, and lets LOCK_TIMEOUT say who is in the way.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import { OrchestratorError } from '../../../shared/errors';
import type { Clock } from '../ports';

export type LockPurpose = 'ensure' | 'verify' | 'remove' | 'gc';

const ownerSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  purpose: z.enum(['ensure', 'verify', 'remove', 'gc']),
  since: z.number(),
});

export type LockOwner = z.infer<typeof ownerSchema>;

export interface HeldLock {
  readonly key: string;
  /** Set when another process took the lock away (we failed to keep it fresh). */
  readonly compromised: Error | null;
  release(): Promise<void>;
}

export interface ModelLocksOptions {
  /** A lock not refreshed for this long is considered abandoned (proper-lockfile minimum 2 s). */
  staleMs?: number;
  /** How often a waiter tries again. */
  pollMs?: number;
}

export class ModelLocks {
  private readonly staleMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly locksDir: string,
    private readonly clock: Clock,
    options: ModelLocksOptions = {},
  ) {
    this.staleMs = Math.max(2_000, options.staleMs ?? 10_000);
    this.pollMs = options.pollMs ?? 100;
  }

  lockPath(key: string): string {
    return path.join(this.locksDir, `${key}.lock`);
  }

  private ownerPath(key: string): string {
    return path.join(this.locksDir, `${key}.owner.json`);
  }

  /**
   * Waits up to `timeoutMs` for the lock of `key`. Throws LOCK_TIMEOUT naming the holder,
   * CANCELLED when `signal` aborts, LOCK_ERROR when the lock folder cannot be used.
   */
  async acquire(key: string, purpose: LockPurpose, options: { timeoutMs: number; signal?: AbortSignal; what?: string }): Promise<HeldLock> {
    const deadline = this.clock.now() + options.timeoutMs;
    for (;;) {
      const held = await this.tryAcquire(key, purpose);
      if (held) return held;
      if (options.signal?.aborted)
        throw new OrchestratorError('CANCELLED', `ModelLocks.acquire: cancelled while waiting for the lock of ${options.what ?? key}.`);
      const left = deadline - this.clock.now();
      if (left <= 0) throw await this.timeoutError(key, options.timeoutMs, options.what ?? key);
      try {
        await this.clock.sleep(Math.min(this.pollMs, left), options.signal);
      } catch {
        throw new OrchestratorError('CANCELLED', `ModelLocks.acquire: cancelled while waiting for the lock of ${options.what ?? key}.`);
      }
    }
  }

  /** Takes the lock if it is free (or abandoned) right now; null when someone else holds it. */
  async tryAcquire(key: string, purpose: LockPurpose): Promise<HeldLock | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let compromised: Error | null = null;
      let release: () => Promise<void>;
      try {
        release = await lockfile.lock(path.join(this.locksDir, key), {
          realpath: false,
          lockfilePath: this.lockPath(key),
          stale: this.staleMs,
          retries: 0,
          onCompromised: (error) => {
            compromised = error;
          },
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
          throw new OrchestratorError(
            'LOCK_ERROR',
            `ModelLocks: could not create the lock ${this.lockPath(key)} (${(error as Error).message}). Check that the models folder is writable.`,
            { lock: this.lockPath(key) },
            { cause: error },
          );
        }
        if (attempt === 0 && (await this.holderIsGone(key))) {
          // The holder was killed on this machine: its lock will never be released; take it over now.
          await rm(this.lockPath(key), { recursive: true, force: true });
          await rm(this.ownerPath(key), { force: true });
          continue;
        }
        return null;
      }
      const owner: LockOwner = { pid: process.pid, host: os.hostname(), purpose, since: Date.now() };
      await writeFile(this.ownerPath(key), JSON.stringify(owner)).catch(() => undefined);
      const ownerPath = this.ownerPath(key);
      let released = false;
      return {
        key,
        get compromised() {
          return compromised;
        },
        release: async () => {
          if (released) return;
          released = true;
          await rm(ownerPath, { force: true }).catch(() => undefined);
          await release().catch(() => undefined);
        },
      };
    }
    return null;
  }

  /** Who holds `key` right now; null when it is free, stale, or its holder is dead. */
  async holder(key: string): Promise<LockOwner | { pid: null; purpose: null } | null> {
    let locked: boolean;
    try {
      locked = await lockfile.check(path.join(this.locksDir, key), {
        realpath: false,
        lockfilePath: this.lockPath(key),
        stale: this.staleMs,
      });
    } catch {
      return null;
    }
    if (!locked) return null;
    const owner = await this.readOwner(key);
    if (!owner) return { pid: null, purpose: null };
    if (owner.host === os.hostname() && !isAlive(owner.pid)) return null;
    return owner;
  }

  /** Keys of every lock currently held by a live process (this one included). */
  async heldKeys(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.locksDir);
    } catch {
      return [];
    }
    const keys = names.filter((n) => n.endsWith('.lock')).map((n) => n.slice(0, -'.lock'.length));
    const held: string[] = [];
    for (const key of keys) if (await this.holder(key)) held.push(key);
    return held;
  }

  private async readOwner(key: string): Promise<LockOwner | null> {
    try {
      const parsed = ownerSchema.safeParse(JSON.parse(await readFile(this.ownerPath(key), 'utf8')) as unknown);
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  private async holderIsGone(key: string): Promise<boolean> {
    const owner = await this.readOwner(key);
    return owner !== null && owner.host === os.hostname() && owner.pid !== process.pid && !isAlive(owner.pid);
  }

  private async timeoutError(key: string, timeoutMs: number, what: string): Promise<OrchestratorError> {
    const owner = await this.readOwner(key);
    const who = owner
      ? `process ${owner.pid} on ${owner.host} (${owner.purpose} since ${new Date(owner.since).toISOString()})`
      : 'another process';
    return new OrchestratorError(
      'LOCK_TIMEOUT',
      `${what} is locked by ${who} and the lock did not free up within ${Math.round(timeoutMs / 1000)} s. Wait for that process to finish and try again; if no such process is running, delete ${this.lockPath(key)}.`,
      {
        lock: this.lockPath(key),
        holderPid: owner?.pid ?? null,
        holderHost: owner?.host ?? null,
        purpose: owner?.purpose ?? null,
        timeoutMs,
      },
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
