/**
 * ensure against a real HTTP server on 127.0.0.1: what lands under models/, what the server
 * was asked for, and the structured errors when it cannot succeed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Downloader } from '../../../main/core/download/downloader';
import { createHashPool } from '../../../main/core/hash/hash-pool';
import type { ModelProgress } from '../../../main/core/ports';
import { expectStructuredError } from '../../helpers/structured-error';
import { bytes, sha256, spec, TestBed, type TestFile } from './helpers/harness';
import { filesIn, inode } from './helpers/tree';

let bed: TestBed;
beforeEach(async () => {
  bed = await TestBed.create();
});
afterEach(async () => {
  await bed.dispose();
});

const files = (): TestFile[] => [
  { path: 'config.json', data: bytes(300, 'config') },
  { path: 'unet/model.safetensors', data: bytes(200_000, 'unet') },
  { path: 'vae/vae.pth', data: bytes(50_000, 'vae') },
];

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return expectStructuredError(error);
  }
  throw new Error('expected a failure');
}

describe('ensure (seed ensurer behaviours)', () => {
  it('ensures a new model: every file verified under models/<id>/<variant> with a marker', async () => {
    const fs = files();
    const base = bed.publish('m', fs);
    const orch = bed.orchestrator([spec('m1', fs, [base])]);
    const result = await orch.ensure('m1');
    expect(result).toMatchObject({
      id: 'm1',
      variant: 'fp16',
      localPath: bed.layout.modelDir('m1', 'fp16'),
      downloadedBytes: 250_300,
      source: base,
    });
    expect(await filesIn(result.localPath)).toEqual(['.verified.json', 'config.json', 'unet/model.safetensors', 'vae/vae.pth']);
    for (const f of fs) expect(sha256(await readFile(path.join(result.localPath, f.path)))).toBe(sha256(f.data));
    const marker = JSON.parse(await readFile(path.join(result.localPath, '.verified.json'), 'utf8'));
    expect(marker).toMatchObject({ id: 'm1', variant: 'fp16', version: '1.0.0', linkMode: 'hardlink' });
    expect(marker.files).toHaveLength(3);
    expect((await orch.status('m1')).status).toBe('COMPLETE');
  });

  it('does not download a complete model again (zero bytes requested)', async () => {
    const fs = files();
    const base = bed.publish('m', fs);
    const orch = bed.orchestrator([spec('m1', fs, [base])]);
    await orch.ensure('m1');
    bed.server.reset();
    const again = await orch.ensure('m1');
    expect(again.downloadedBytes).toBe(0);
    expect(again.source).toBeNull();
    expect(bed.server.requests).toHaveLength(0);
  });

  it('re-downloads and re-verifies every file when forced', async () => {
    const fs = files();
    const base = bed.publish('m', fs);
    const orch = bed.orchestrator([spec('m1', fs, [base])]);
    const first = await orch.ensure('m1');
    const before = await inode(path.join(first.localPath, 'config.json'));
    bed.server.reset();
    const forced = await orch.ensure('m1', { force: true });
    expect(forced.downloadedBytes).toBe(250_300);
    for (const f of fs) expect(bed.sent('m', f)).toBe(f.data.length);
    const after = await inode(path.join(forced.localPath, 'config.json'));
    expect(after.ino).not.toBe(before.ino); // a fresh blob, the old one was not trusted
    expect((await orch.status('m1')).status).toBe('COMPLETE');
  });

  it('falls back to a secondary source when the primary fails', async () => {
    const fs = files();
    const primary = `${bed.server.url}/missing`; // 404 for every file
    const secondary = bed.publish('mirror', fs);
    const orch = bed.orchestrator([spec('m1', fs, [primary, secondary])]);
    const result = await orch.ensure('m1');
    expect(result.source).toBe(secondary);
    expect((await orch.status('m1')).status).toBe('COMPLETE');
  });

  it('fails with SOURCE_UNAVAILABLE listing every source tried and why when all fail', async () => {
    const fs = files();
    const a = `${bed.server.url}/nowhere-a`;
    const b = `${bed.server.url}/nowhere-b`;
    const orch = bed.orchestrator([spec('m1', fs, [a, b])]);
    const error = await codeOf(orch.ensure('m1'));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.message).toContain(a);
    expect(error.message).toContain(b);
    // Each source is named once, not once as the source and again inside its own message.
    expect(error.message.split(a).length - 1).toBe(1);
    expect(error.message.split(b).length - 1).toBe(1);
    const failures = error.details.failures as Array<{ source: string; error: { message: string } }>;
    expect(failures.map((f) => f.source).sort()).toEqual([a, b].sort());
    expect(failures.every((f) => f.error.message.length > 0)).toBe(true);
    expect(await filesIn(bed.layout.modelsDir)).toEqual([]);
  });

  it('fails with CHECKSUM_FAIL when the served bytes do not match the sha256', async () => {
    const fs = files();
    const model = spec('m1', fs, [`${bed.server.url}/m`]);
    bed.publish(
      'm',
      fs.map((f) => (f.path === 'config.json' ? { ...f, data: Buffer.from(f.data).fill(120, 0, 10) } : f)),
    );
    const orch = bed.orchestrator([model]);
    const error = await codeOf(orch.ensure('m1'));
    expect(error.code).toBe('CHECKSUM_FAIL');
    expect(await filesIn(bed.layout.modelsDir)).toEqual([]);
  });

  it('fails with SIZE_MISMATCH when the source has more bytes than the manifest says', async () => {
    const fs = files();
    const model = spec('m1', fs, [`${bed.server.url}/m`]);
    bed.publish(
      'm',
      fs.map((f) => (f.path === 'config.json' ? { ...f, data: Buffer.concat([f.data, Buffer.from('extra')]) } : f)),
    );
    const orch = bed.orchestrator([model]);
    const error = await codeOf(orch.ensure('m1'));
    expect(error.code).toBe('SIZE_MISMATCH');
    expect(await filesIn(bed.layout.modelsDir)).toEqual([]);
  });

  it('an incomplete download fails retryably, keeps its bytes in .partial for resuming, and leaves models/ untouched', async () => {
    const fs: TestFile[] = [{ path: 'u.bin', data: bytes(200_000, 'u') }];
    const base = bed.publish('m', fs);
    bed.server.fault('/m/u.bin', { type: 'truncate', afterBytes: 64 * 1024 });
    const hashPool = createHashPool(1);
    bed.hashPools.push(hashPool);
    const downloader = new Downloader({
      partialDir: bed.layout.partialDir,
      hashPool,
      retries: 0,
      connectionsPerFile: 1,
      pieceSize: 1024 * 1024,
      writeChunkSize: 16 * 1024,
    });
    const orch = bed.orchestrator([spec('m1', fs, [base])], { hashPool, downloader });
    const error = await codeOf(orch.ensure('m1'));
    // The downloader names the cut: INCOMPLETE_DOWNLOAD when the body ended cleanly, a socket error otherwise.
    expect(error.code).toBe('INCOMPLETE_DOWNLOAD');
    expect((error as unknown as { retryable: boolean }).retryable).toBe(true);
    expect(await filesIn(bed.layout.modelsDir)).toEqual([]);
    const status = await orch.status('m1');
    expect(status.status).toBe('PARTIAL');
    expect(status.bytesPresent).toBe(64 * 1024);
    expect((await orch.diskUsage()).partialBytes).toBeGreaterThanOrEqual(64 * 1024);
    expect(await orch.estimate('m1')).toMatchObject({ bytesNeeded: 200_000 - 64 * 1024 });
    bed.server.reset();
    const resumed = await orch.ensure('m1');
    expect(resumed.downloadedBytes).toBe(200_000 - 64 * 1024);
    expect((await orch.verify('m1')).success).toBe(true);
  });

  it('reports progress: bytes per file and per model, ending with everything done', async () => {
    const fs = files();
    const base = bed.publish('m', fs);
    const orch = bed.orchestrator([spec('m1', fs, [base])]);
    const seen: ModelProgress[] = [];
    await orch.ensure('m1', { onProgress: (p) => seen.push(p) });
    expect(seen[0]?.phase).toBe('preflight');
    const last = seen[seen.length - 1] as ModelProgress;
    expect(last).toMatchObject({ phase: 'done', bytesDone: 250_300, bytesTotal: 250_300 });
    expect(last.files.map((f) => [f.path, f.bytesDone, f.state])).toEqual(fs.map((f) => [f.path, f.data.length, 'done']));
    for (let i = 1; i < seen.length; i++)
      expect((seen[i] as ModelProgress).bytesDone).toBeGreaterThanOrEqual((seen[i - 1] as ModelProgress).bytesDone);
  });

  it('removes its staging folder after a success and after a failure', async () => {
    const fs = files();
    const base = bed.publish('m', fs);
    const orch = bed.orchestrator([spec('ok', fs, [base]), spec('bad', [{ path: 'x.bin', data: bytes(10) }], [base])]);
    await orch.ensure('ok');
    expect(await filesIn(bed.layout.tmpDir)).toEqual([]);
    await codeOf(orch.ensure('bad'));
    expect(await filesIn(bed.layout.tmpDir)).toEqual([]);
    expect(await filesIn(bed.layout.modelDir('bad', 'fp16'))).toEqual([]);
    // A failure while the directory is being assembled in staging: cancelled at that moment.
    const controller = new AbortController();
    const failing = orch.ensure('ok', {
      force: true,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'assembling') controller.abort();
      },
    });
    expect((await codeOf(failing)).code).toBe('CANCELLED');
    await expect.poll(() => filesIn(bed.layout.tmpDir)).toEqual([]);
    expect(await filesIn(bed.layout.modelDir('ok', 'fp16'))).toEqual([
      '.verified.json',
      'config.json',
      'unet/model.safetensors',
      'vae/vae.pth',
    ]);
  });

  it('ensures the requested variant with only the files of that variant', async () => {
    const fs: TestFile[] = [
      { path: 'config.json', data: bytes(100, 'shared') },
      { path: 'w-fp16.bin', data: bytes(1000, 'fp16'), variants: ['fp16'] },
      { path: 'w-bf16.bin', data: bytes(1000, 'bf16'), variants: ['bf16'] },
    ];
    const base = bed.publish('m', fs);
    const orch = bed.orchestrator([spec('m1', fs, [base], ['fp16', 'bf16'])]);
    const result = await orch.ensure('m1', { variant: 'bf16' });
    expect(result.localPath).toBe(bed.layout.modelDir('m1', 'bf16'));
    expect(await filesIn(result.localPath)).toEqual(['.verified.json', 'config.json', 'w-bf16.bin']);
    expect((await orch.status('m1', { variant: 'bf16' })).status).toBe('COMPLETE');
    expect((await orch.status('m1', { variant: 'fp16' })).status).toBe('PARTIAL'); // config.json is shared
    expect((await orch.verify('m1', { variant: 'bf16' })).success).toBe(true);
  });

  it('stores identical files across two models once (one blob, two hard links) and never downloads them twice', async () => {
    const shared = bytes(100_000, 'shared-encoder');
    const a: TestFile[] = [
      { path: 'enc.bin', data: shared },
      { path: 'a.bin', data: bytes(10, 'a') },
    ];
    const b: TestFile[] = [
      { path: 'text/enc.bin', data: shared },
      { path: 'b.bin', data: bytes(10, 'b') },
    ];
    const orch = bed.orchestrator([spec('ma', a, [bed.publish('a', a)]), spec('mb', b, [bed.publish('b', b)])]);
    await orch.ensure('ma');
    await orch.ensure('mb');
    expect(bed.sent('b', b[0] as TestFile)).toBe(0);
    const one = await inode(bed.layout.modelFile('ma', 'fp16', 'enc.bin'));
    const two = await inode(bed.layout.modelFile('mb', 'fp16', 'text/enc.bin'));
    expect(two.ino).toBe(one.ino);
    expect(one.nlink).toBe(3); // the blob and two model files
    expect((await filesIn(bed.layout.blobsDir)).filter((n) => n === sha256(shared))).toHaveLength(1);
  });

  it('a cancelled ensure fails with CANCELLED and leaves nothing under models/', async () => {
    const fs = files();
    const base = `${bed.server.url}/slow`;
    for (const f of fs) bed.server.serve(`/slow/${f.path}`, f.data, { bytesPerSecond: 50_000 });
    const orch = bed.orchestrator([spec('m1', fs, [base])]);
    const controller = new AbortController();
    const running = orch.ensure('m1', { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const error = await codeOf(running);
    expect(error.code).toBe('CANCELLED');
    expect(await filesIn(bed.layout.modelsDir)).toEqual([]);
    expect(await filesIn(bed.layout.tmpDir)).toEqual([]);
  });

  it('skips an optional file that cannot be fetched and still completes the model', async () => {
    const fs: TestFile[] = [
      { path: 'config.json', data: bytes(100) },
      { path: 'extra.pth', data: bytes(100), optional: true },
    ];
    const base = bed.publish('m', fs.slice(0, 1)); // the optional file is not served
    const orch = bed.orchestrator([spec('m1', fs, [base])]);
    const result = await orch.ensure('m1');
    expect(result.skippedOptional?.map((s) => s.path)).toEqual(['extra.pth']);
    expect(await filesIn(result.localPath)).toEqual(['.verified.json', 'config.json']);
    expect((await orch.status('m1')).status).toBe('COMPLETE');
  });

  it('concurrent ensures of one model in one process share one job: each file fetched once', async () => {
    const fs = files();
    const base = `${bed.server.url}/m`;
    for (const f of fs) bed.server.serve(`/m/${f.path}`, f.data, { bytesPerSecond: 1_000_000 });
    const orch = bed.orchestrator([spec('m1', fs, [base])]);
    const results = await Promise.all([orch.ensure('m1'), orch.ensure('m1'), orch.ensure('m1')]);
    expect(new Set(results.map((r) => r.localPath)).size).toBe(1);
    for (const f of fs) expect(bed.sent('m', f)).toBe(f.data.length);
  });

  it('ensure of a CORRUPT model re-fetches only the bad file, without writing into the shared blob', async () => {
    const fs = files();
    const base = bed.publish('m', fs);
    const orch = bed.orchestrator([spec('m1', fs, [base])]);
    const { localPath } = await orch.ensure('m1');
    const vae = path.join(localPath, 'vae/vae.pth');
    const damaged = Buffer.from(fs[2]?.data as Buffer);
    damaged[0] = (damaged[0] as number) ^ 0xff;
    await writeFile(vae, damaged); // writes through the hard link: blob content is damaged too
    const verdict = await orch.verify('m1');
    expect(verdict.failedFiles).toEqual(['vae/vae.pth']);
    expect((await orch.status('m1')).status).toBe('CORRUPT');
    bed.server.reset();
    const repaired = await orch.ensure('m1');
    expect(repaired.downloadedBytes).toBe(50_000);
    expect(new Set(bed.server.requests.map((r) => r.path))).toEqual(new Set(['/m/vae/vae.pth']));
    expect(bed.sent('m', fs[2] as TestFile)).toBe(50_000);
    expect((await orch.verify('m1')).success).toBe(true);
    expect((await orch.status('m1')).status).toBe('COMPLETE');
  });
});

describe('ensure progress when some files are already stored', () => {
  it('counts stored files as done and the fetched ones from zero, also when forced', async () => {
    const fs = files();
    const base = bed.publish('m', fs);
    const orch = bed.orchestrator([spec('m1', fs, [base])]);
    await orch.ensure('m1');
    const seen: ModelProgress[] = [];
    await orch.ensure('m1', { force: true, onProgress: (p) => seen.push(p) });
    expect(seen[0]).toMatchObject({ phase: 'preflight', bytesDone: 0, bytesTotal: 250_300 });
    expect(seen.at(-1)).toMatchObject({ phase: 'done', bytesDone: 250_300 });
  });
});

describe('ensure after a cancellation', () => {
  it('a new ensure right after a cancelled one starts afresh instead of joining the cancelled job', async () => {
    const fs = files();
    for (const f of fs) bed.server.serve(`/slow/${f.path}`, f.data, { bytesPerSecond: 200_000 });
    const orch = bed.orchestrator([spec('m1', fs, [`${bed.server.url}/slow`])]);
    const controller = new AbortController();
    const first = orch.ensure('m1', {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'downloading') controller.abort();
      },
    });
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    const second = await orch.ensure('m1');
    expect(second.localPath).toBe(bed.layout.modelDir('m1', 'fp16'));
    expect((await orch.status('m1')).status).toBe('COMPLETE');
  });
});
