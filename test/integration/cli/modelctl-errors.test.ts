/**
 * modelctl reports what went wrong with the orchestrator's own code, never UNKNOWN_ERROR for a
 * condition it knows: a source serving damaged bytes (issue 10, item 1).
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';
import { generateFiles, jsonOf, runCli, writeManifest } from './cli-harness';

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(async () => {
  await server.close();
});

const freshRoot = () => mkdtempSync(join(tmpdir(), 'modelctl-errors-'));

describe('modelctl error documents', () => {
  it('reports CHECKSUM_FAIL (not UNKNOWN_ERROR) when the only source serves one flipped byte, and installs nothing', async () => {
    const [file] = generateFiles([{ path: 'w.bin', size: 300_000 }]);
    if (!file) throw new Error('no file');
    const damaged = Buffer.from(file.data);
    damaged[123_456] = (damaged[123_456] as number) ^ 0xff;
    server.serve('/bad/w.bin', damaged);
    const root = freshRoot();
    const manifest = writeManifest([{ id: 'm@1', files: [file], sources: [`${server.url}/bad`] }]);
    const run = await runCli(['--json', '--manifest', manifest, '--root', root, 'ensure', 'm@1']);
    expect(run.code, run.stderr).toBe(1);
    const { error } = jsonOf(run) as { error: { code: string; message: string; details: { failures: unknown[] } } };
    expect(error.code).toBe('CHECKSUM_FAIL');
    expect(error.message).toContain('damaged');
    expect(error.details.failures).toHaveLength(1);
    expect(existsSync(join(root, 'models', 'm@1'))).toBe(false);
    expect(readdirSync(join(root, '.partial'))).toEqual([]);
  });

  it('falls back to the next source when the first serves damaged bytes', async () => {
    const [file] = generateFiles([{ path: 'w.bin', size: 200_000 }]);
    if (!file) throw new Error('no file');
    const damaged = Buffer.from(file.data);
    damaged[7] = (damaged[7] as number) ^ 0x01;
    server.serve('/bad2/w.bin', damaged);
    server.serve('/good2/w.bin', file.data);
    const root = freshRoot();
    const manifest = writeManifest([{ id: 'm@1', files: [file], sources: [`${server.url}/bad2`, `${server.url}/good2`] }]);
    const run = await runCli(['--json', '--manifest', manifest, '--root', root, 'ensure', 'm@1']);
    expect(run.code, run.stderr).toBe(0);
    expect(jsonOf(run)).toMatchObject({ source: `${server.url}/good2` });
  });
});
