import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../../shared/errors';
import { ModelLocks } from '../../../main/core/store/model-locks';
import { ManualClock } from '../../integration/orchestrator/helpers/manual-clock';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'locks-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ModelLocks', () => {
  it('lets one holder in at a time and frees the lock on release', async () => {
    const locks = new ModelLocks(dir, new ManualClock());
    const first = await locks.tryAcquire('m~v', 'ensure');
    expect(first).not.toBeNull();
    expect(await locks.tryAcquire('m~v', 'ensure')).toBeNull();
    expect(await locks.holder('m~v')).toMatchObject({ pid: process.pid, purpose: 'ensure' });
    await first?.release();
    expect(await locks.holder('m~v')).toBeNull();
    const again = await locks.tryAcquire('m~v', 'verify');
    expect(again).not.toBeNull();
    await again?.release();
  });

  it('fails with LOCK_TIMEOUT naming the holder and the lock file when the wait is over', async () => {
    const locks = new ModelLocks(dir, new ManualClock());
    const held = await locks.tryAcquire('m~v', 'ensure');
    const error = await locks.acquire('m~v', 'ensure', { timeoutMs: 1_000, what: 'm (v)' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrchestratorError);
    expect((error as OrchestratorError).code).toBe('LOCK_TIMEOUT');
    expect((error as OrchestratorError).message).toContain(`process ${process.pid}`);
    expect((error as OrchestratorError).message).toContain(path.join(dir, 'm~v.lock'));
    expect((error as OrchestratorError).details).toMatchObject({ holderPid: process.pid, purpose: 'ensure' });
    await held?.release();
  });

  it('stops waiting with CANCELLED when the caller aborts', async () => {
    const locks = new ModelLocks(dir, new ManualClock());
    const held = await locks.tryAcquire('m~v', 'ensure');
    const controller = new AbortController();
    controller.abort();
    const error = await locks.acquire('m~v', 'ensure', { timeoutMs: 60_000, signal: controller.signal }).catch((e: unknown) => e);
    expect((error as OrchestratorError).code).toBe('CANCELLED');
    await held?.release();
  });

  it('takes over a lock nobody refreshed for longer than the stale time (a holder on another machine died)', async () => {
    const locks = new ModelLocks(dir, new ManualClock(), { staleMs: 2_000 });
    await mkdir(path.join(dir, 'm~v.lock'));
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(path.join(dir, 'm~v.lock'), longAgo, longAgo);
    expect(await locks.holder('m~v')).toBeNull();
    const taken = await locks.tryAcquire('m~v', 'ensure');
    expect(taken).not.toBeNull();
    await taken?.release();
  });

  it('takes over at once the lock of a dead process on this machine', async () => {
    const locks = new ModelLocks(dir, new ManualClock());
    await mkdir(path.join(dir, 'm~v.lock')); // fresh, so only the owner record can tell it is abandoned
    await writeFile(
      path.join(dir, 'm~v.owner.json'),
      JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), purpose: 'ensure', since: 0 }),
    );
    expect(await locks.holder('m~v')).toBeNull();
    const taken = await locks.tryAcquire('m~v', 'verify');
    expect(taken).not.toBeNull();
    expect(await locks.holder('m~v')).toMatchObject({ pid: process.pid, purpose: 'verify' });
    await taken?.release();
  });
});
