/**
 * A REAL full disk: a 20 MiB tmpfs mounted as the models root. Needs root (mount); skipped with
 * a message where mounting is impossible. Always unmounted afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiskProbe } from '../../../main/core/system/disk-probe';
import { bytes, spec, TestBed, type TestFile } from './helpers/harness';
import { filesIn } from './helpers/tree';

const MiB = 1024 * 1024;
const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'orch-tmpfs-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', mountPoint], { stdio: 'pipe' });
  mounted = true;
} catch (error) {
  const whyNot = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  console.warn(`full-disk tests skipped: cannot mount a tmpfs at ${mountPoint} (${whyNot}). They need root.`);
}

afterAll(() => {
  if (mounted) execFileSync('umount', [mountPoint], { stdio: 'pipe' });
  rmSync(mountPoint, { recursive: true, force: true });
});

let bed: TestBed;
let n = 0;
beforeEach(async () => {
  bed = await TestBed.create();
});
afterEach(async () => {
  await bed.dispose();
  rmSync(path.join(mountPoint, `root-${n}`), { recursive: true, force: true });
});

describe.skipIf(!mounted)('on a real full disk (20 MiB tmpfs)', () => {
  it('fails with NO_SPACE before downloading when the model is larger than the volume (real DiskProbe)', async () => {
    const root = path.join(mountPoint, `root-${++n}`);
    const fs: TestFile[] = [{ path: 'big.bin', data: bytes(30 * MiB, 'big') }];
    const orch = bed.orchestrator([spec('big', fs, [bed.publish('m', fs)])], {
      root,
      diskProbe: createDiskProbe(),
      settings: { safetyMarginBytes: 0 },
    });
    const error = (await orch.ensure('big').catch((e: unknown) => e)) as { code: string; details: Record<string, unknown> };
    expect(error.code).toBe('NO_SPACE');
    expect(error.details.bytesNeeded).toBe(30 * MiB);
    expect(error.details.bytesAvailable as number).toBeLessThanOrEqual(20 * MiB);
    expect(error.details.path).toBe(root);
    expect(bed.server.requests).toHaveLength(0);
    expect(await filesIn(path.join(root, 'models'))).toEqual([]);
  });

  it('fails with NO_SPACE when the disk fills during the download, leaving models/ untouched', async () => {
    const root = path.join(mountPoint, `root-${++n}`);
    const fs: TestFile[] = [
      { path: 'small.json', data: bytes(1000, 's') },
      { path: 'big.bin', data: bytes(25 * MiB, 'big2') },
    ];
    // The probe lies (plenty of room), so the preflight passes and the real disk runs out.
    const orch = bed.orchestrator([spec('big', fs, [bed.publish('m', fs)])], {
      root,
      diskProbe: { space: async () => ({ free: 1e12, size: 1e12 }) },
    });
    const error = (await orch.ensure('big').catch((e: unknown) => e)) as { code: string; message: string };
    expect(error.code).toBe('NO_SPACE');
    expect(await filesIn(path.join(root, 'models'))).toEqual([]);
    expect(await filesIn(path.join(root, '.tmp'))).toEqual([]);
    expect((await orch.status('big')).status).not.toBe('COMPLETE');
  });
});
