/**
 * The disk-fault matrix (issue 10): a volume that fills during a download (a real 20 MiB tmpfs),
 * a read-only models root (a tmpfs remounted read-only), and a models root on a path with spaces
 * and non-ASCII names. Mounting needs root: those cases are skipped with a message otherwise.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultServer } from '../helpers/fault-server';
import { structuredErrorOf } from '../helpers/structured-error';
import { bytes, sha256, spec, type TestFile } from '../integration/orchestrator/helpers/harness';
import { FaultBed, stopwatch } from './helpers/fault-bed';
import { assertStoreSound } from './helpers/store-invariants';

const MiB = 1024 * 1024;
const BOUND_MS = 20_000;

/** Mounts a tmpfs of `size` at a new temp folder; null (and a console note) where mounting is impossible. */
function mountTmpfs(size: string): string | null {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faults-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return dir;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const why = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    console.warn(`disk-fault tests on tmpfs skipped: cannot mount a tmpfs (${why}). They need root (CI runs as root).`);
    return null;
  }
}

function unmount(dir: string | null): void {
  if (!dir) return;
  execFileSync('umount', [dir], { stdio: 'pipe' });
  rmSync(dir, { recursive: true, force: true });
}

const volume = mountTmpfs('20m');
const readOnlyVolume = volume ? mountTmpfs('5m') : null;
afterAll(() => {
  unmount(volume);
  unmount(readOnlyVolume);
});

let fb: FaultBed;
let server: FaultServer;
let n = 0;
beforeEach(async () => {
  fb = await FaultBed.create();
  server = fb.bed.server;
});
afterEach(async () => {
  await fb.dispose();
  if (volume) rmSync(path.join(volume, `case-${n}`), { recursive: true, force: true });
});

/** Another program writing `dir/filler.bin` until the disk is full, then giving back `leave` bytes. */
function fillDisk(dir: string, leave = 0): { filled: number; remove: () => void } {
  const file = path.join(dir, 'filler.bin');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(256 * 1024, 1);
  let filled = 0;
  try {
    for (;;) filled += writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  if (leave > 0) ftruncateSync(fd, Math.max(0, filled - leave));
  closeSync(fd);
  return { filled, remove: () => rmSync(file, { force: true }) };
}

async function whenSent(bytesSent: number): Promise<void> {
  while (server.bytesSent() < bytesSent) await new Promise((r) => setTimeout(r, 5));
}

describe.skipIf(!volume)('a volume that fills during a download (20 MiB tmpfs)', () => {
  const caseRoot = () => {
    const dir = path.join(volume as string, `case-${++n}`);
    mkdirSync(dir);
    return { dir, root: path.join(dir, 'root') };
  };

  it('the space is reserved when the download starts: another program filling the disk cannot make it fail', async () => {
    const { dir, root } = caseRoot();
    const files: TestFile[] = [{ path: 'big.bin', data: randomBytes(9 * MiB) }];
    for (const f of files) server.serve(`/m/${f.path}`, f.data, { bytesPerSecond: 3 * MiB });
    const elapsed = stopwatch();
    const reserved = { preallocateFromBytes: 1 * MiB };
    const running = fb.orchestrator([spec('big', files, [`${server.url}/m`])], reserved, root).ensure('big');
    await whenSent(1 * MiB);
    // Fills what the reservation left; 1 MiB stays free for the model's marker and directories.
    const filler = fillDisk(dir, 1 * MiB);
    const result = await running;
    expect(filler.filled).toBeGreaterThan(5 * MiB);
    expect(sha256(await readFile(path.join(result.localPath, 'big.bin')))).toBe(sha256((files[0] as TestFile).data));
    expect(elapsed()).toBeLessThan(BOUND_MS);
    await assertStoreSound(root, { partial: 'empty' });
    filler.remove();
  });

  it('where space cannot be reserved: NO_SPACE naming the folder and what is missing; the partial is kept and resumed', async () => {
    const { dir, root } = caseRoot();
    const files: TestFile[] = [{ path: 'big.bin', data: randomBytes(9 * MiB) }];
    for (const f of files) server.serve(`/m/${f.path}`, f.data, { bytesPerSecond: 3 * MiB });
    const sparse = { preallocateFromBytes: Number.POSITIVE_INFINITY };
    const models = [spec('big', files, [`${server.url}/m`])];
    const running = structuredErrorOf(fb.orchestrator(models, sparse, root).ensure('big'));
    await whenSent(1 * MiB);
    // Once the journal exists (after its first save), the disk fills up completely.
    const journal = path.join(root, '.partial', `${sha256((files[0] as TestFile).data)}.journal.json`);
    while (!existsSync(journal)) await new Promise((r) => setTimeout(r, 5));
    const filler = fillDisk(dir);
    const error = await running;
    expect(error.code).toBe('NO_SPACE');
    expect(error.message).toContain(`Not enough space in ${path.join(root, '.partial')} for big.bin`);
    expect(error.message).toMatch(/missing/);
    expect(error.details).toMatchObject({ path: path.join(root, '.partial'), file: 'big.bin' });
    expect(error.details.bytesMissing as number).toBeGreaterThan(0);
    const kept = await assertStoreSound(root);
    expect(kept.partials).toHaveLength(1);
    const partialBytes = error.details.partialBytes as number;
    expect(partialBytes).toBeGreaterThan(0);

    filler.remove();
    server.reset();
    const result = await fb.orchestrator(models, sparse, root).ensure('big');
    expect(server.bytesSent()).toBeLessThanOrEqual(9 * MiB - partialBytes + 1 * MiB);
    expect(sha256(await readFile(path.join(result.localPath, 'big.bin')))).toBe(sha256((files[0] as TestFile).data));
    await assertStoreSound(root, { partial: 'empty' });
  });

  it('a download larger than the free space fails with NO_SPACE when it starts, before any byte is fetched', async () => {
    const { root } = caseRoot();
    const files: TestFile[] = [{ path: 'huge.bin', data: randomBytes(24 * MiB) }];
    // The test bed's disk probe says there is plenty of room, so only the reservation can tell.
    const elapsed = stopwatch();
    const models = [spec('huge', files, [fb.bed.publish('m', files)])];
    const error = await structuredErrorOf(fb.orchestrator(models, { preallocateFromBytes: 1 * MiB }, root).ensure('huge'));
    expect(error.code).toBe('NO_SPACE');
    expect(error.details.bytesMissing as number).toBeGreaterThanOrEqual(4 * MiB);
    expect(error.message).toContain(path.join(root, '.partial'));
    expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(0);
    expect(elapsed()).toBeLessThan(BOUND_MS);
    await assertStoreSound(root, { partial: 'empty' });
  });
});

describe.skipIf(!readOnlyVolume)('a read-only models root', () => {
  it('status still reads it; ensure fails with PERMISSION_DENIED saying the folder must be writable', async () => {
    const root = path.join(readOnlyVolume as string, 'root');
    const a: TestFile[] = [{ path: 'a.bin', data: bytes(50_000, 'ro-a') }];
    const b: TestFile[] = [{ path: 'b.bin', data: bytes(50_000, 'ro-b') }];
    const models = [spec('a', a, [fb.bed.publish('a', a)]), spec('b', b, [fb.bed.publish('b', b)])];
    await fb.orchestrator(models, {}, root).ensure('a');
    execFileSync('mount', ['-o', 'remount,ro', readOnlyVolume as string], { stdio: 'pipe' });
    try {
      const orch = fb.orchestrator(models, {}, root);
      expect((await orch.status('a')).status).toBe('COMPLETE');
      const elapsed = stopwatch();
      const error = await structuredErrorOf(orch.ensure('b'));
      expect(error.code).toBe('PERMISSION_DENIED');
      expect(error.message).toContain('writable');
      expect(elapsed()).toBeLessThan(BOUND_MS);
      await assertStoreSound(root, { partial: 'empty' });
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', readOnlyVolume as string], { stdio: 'pipe' });
    }
  });
});

describe('a models root on a path with spaces and non-ASCII names', () => {
  it('ensures, reports COMPLETE and verifies a model whose root folder and file names have spaces, accents and CJK', async () => {
    const root = path.join(fb.bed.dir, 'Modèles d’IA', '日本語 モデル', 'root dir');
    const files: TestFile[] = [
      { path: 'config ü.json', data: bytes(400, 'cfg') },
      { path: 'poids 重み/model file.safetensors', data: bytes(120_000, 'w') },
    ];
    for (const f of files) server.serve(`/m/${encodeURI(f.path)}`, f.data);
    const orch = fb.orchestrator([spec('cafe-model', files, [`${server.url}/m`])], {}, root);
    const elapsed = stopwatch();
    const result = await orch.ensure('cafe-model');
    for (const f of files) expect(sha256(await readFile(path.join(result.localPath, f.path)))).toBe(sha256(f.data));
    expect((await orch.status('cafe-model')).status).toBe('COMPLETE');
    expect((await orch.verify('cafe-model')).success).toBe(true);
    expect(elapsed()).toBeLessThan(BOUND_MS);
    expect((await assertStoreSound(root, { partial: 'empty' })).modelFiles).toBe(2);
  });
});
