/**
 * A model of many small files: their requests overlap beyond fileConcurrency (a small file is one
 * request and a few file operations, so its latency is what costs), large ones stay within it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes, sha256, spec, TestBed, type TestFile } from './helpers/harness';

let bed: TestBed;
beforeEach(async () => {
  bed = await TestBed.create();
});
afterEach(async () => {
  await bed.dispose();
});

const smallFiles = (): TestFile[] =>
  Array.from({ length: 12 }, (_, i) => ({ path: `shard-${i}.bin`, data: bytes(8_000 + i * 500, `s${i}`) }));

describe('ensure of a model with many small files', () => {
  it('fetches up to four small files per file slot at once and verifies every one', async () => {
    const fs = smallFiles();
    const base = bed.publish('many', fs);
    // One request per file (below the test downloader's minPieceSize), slow enough to overlap.
    for (const f of fs) bed.server.serve(`/many/${f.path}`, f.data, { bytesPerSecond: 100_000 });
    const orch = bed.orchestrator([spec('many', fs, [base])], { settings: { fileConcurrency: 2 } });
    const result = await orch.ensure('many');
    expect(bed.server.peakConcurrency).toBe(8);
    for (const f of fs) expect(sha256(await readFile(path.join(result.localPath, f.path)))).toBe(sha256(f.data));
    expect((await orch.status('many')).status).toBe('COMPLETE');
  });

  it('keeps fileConcurrency 1 to one file at a time', async () => {
    const fs = smallFiles().slice(0, 4);
    const base = bed.publish('one', fs);
    for (const f of fs) bed.server.serve(`/one/${f.path}`, f.data, { bytesPerSecond: 100_000 });
    const orch = bed.orchestrator([spec('one', fs, [base])], { settings: { fileConcurrency: 1 } });
    await orch.ensure('one');
    expect(bed.server.peakConcurrency).toBe(1);
  });
});
