/**
 * The free-space margin on a REAL small volume: an 800 MiB tmpfs as the models root (needs root
 * to mount; skipped with a message elsewhere). With the default 1 GiB margin a 40 MiB model does
 * not fit; lowered with --min-free or MODELS_MIN_FREE it installs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';
import { generateFiles, jsonOf, runCli, writeManifest } from './cli-harness';

const MiB = 1024 * 1024;
const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'mo-minfree-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=800m', 'tmpfs', mountPoint], { stdio: 'pipe' });
  mounted = true;
} catch (error) {
  const why = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  console.warn(`--min-free tests skipped: cannot mount a tmpfs at ${mountPoint} (${why}). They need root.`);
}

let server: FaultServer;
let manifest: string;
const files = generateFiles([{ path: 'model.bin', size: 40 * MiB }]);

beforeAll(async () => {
  server = await startFaultServer();
  server.serve('/m/model.bin', files[0]!.data);
  manifest = writeManifest([{ id: 'small-model', files, sources: [`${server.url}/m`] }]);
});

afterAll(async () => {
  await server?.close();
  if (mounted) execFileSync('umount', [mountPoint], { stdio: 'pipe' });
  rmSync(mountPoint, { recursive: true, force: true });
});

describe.skipIf(!mounted)('free-space margin on an 800 MiB volume', () => {
  it('refuses a 40 MiB model under the default 1 GiB margin, saying how to lower it', async () => {
    const run = await runCli(['--json', '--manifest', manifest, '--root', path.join(mountPoint, 'a'), 'ensure', 'small-model']);
    expect(run.code).toBe(1);
    const error = (jsonOf(run) as { error: { code: string; message: string; details: Record<string, number> } }).error;
    expect(error.code).toBe('NO_SPACE');
    expect(error.details.safetyMarginBytes).toBe(1024 * MiB);
    expect(error.message).toContain('--min-free');
    expect(error.message).toContain('MODELS_MIN_FREE');
    expect(server.bytesSent('/m/model.bin')).toBe(0);
  });

  it('installs it with --min-free 200M', async () => {
    const run = await runCli([
      '--json',
      '--manifest',
      manifest,
      '--root',
      path.join(mountPoint, 'b'),
      '--min-free',
      '200M',
      'ensure',
      'small-model',
    ]);
    expect(run.code, run.stdout).toBe(0);
    expect(jsonOf(run)).toMatchObject({ id: 'small-model', downloadedBytes: 40 * MiB });
  });

  it('installs it with MODELS_MIN_FREE=100MiB, and refuses a margin it cannot read', async () => {
    const root = path.join(mountPoint, 'c');
    const bad = await runCli(['--json', '--manifest', manifest, '--root', root, 'ensure', 'small-model'], {
      env: { MODELS_MIN_FREE: 'lots' },
    });
    expect(bad.code).toBe(2);
    expect((jsonOf(bad) as { error: { message: string } }).error.message).toContain('MODELS_MIN_FREE "lots" is not a size');
    const run = await runCli(['--json', '--manifest', manifest, '--root', root, 'ensure', 'small-model'], {
      env: { MODELS_MIN_FREE: '100MiB' },
    });
    expect(run.code, run.stdout).toBe(0);
  });
});
