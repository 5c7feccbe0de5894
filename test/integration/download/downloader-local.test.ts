import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrchestratorError } from '../../../shared/errors';
import { Downloader } from '../../../main/core/download/downloader';
import { writeJournal } from '../../../main/core/download/journal';
import type { ResolvedSource } from '../../../main/core/ports';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';
import { blob, FAST, fixture, type Fixture, sha256Of } from './download-fixture';

let server: FaultServer;
let fx: Fixture;
beforeEach(async () => {
  server = await startFaultServer();
  fx = fixture();
});
afterEach(async () => {
  await fx.cleanup();
  await server.close();
});

const http = (path: string, base = 'http://test'): ResolvedSource => ({ kind: 'http', base, url: server.url + path });
const fileOf = (f: { size: number; sha256: string }) => ({ path: 'a.bin', size: f.size, sha256: f.sha256 });

describe('Downloader with local sources', () => {
  it('copies a local mirror file and verifies it', async () => {
    const f = blob(5_000_000);
    const mirror = join(fx.dir, 'mirror.bin');
    writeFileSync(mirror, f.data);
    const out = await fx.make().download({ file: fileOf(f), sources: [{ kind: 'file', base: 'local://m', filePath: mirror }] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(out.source).toBe('local://m');
  });

  it('skips a local file of the wrong size or missing, and downloads from the next source', async () => {
    const f = blob(100_000);
    const wrong = join(fx.dir, 'wrong.bin');
    writeFileSync(wrong, f.data.subarray(0, 1000));
    server.serve('/a', f.data);
    const out = await fx.make().download({
      file: fileOf(f),
      sources: [
        { kind: 'file', base: 'local://wrong', filePath: wrong },
        { kind: 'file', base: 'file:///missing', filePath: join(fx.dir, 'missing.bin') },
        http('/a', 'http'),
      ],
    });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(out.failures.map((x) => [x.source, x.error.code])).toEqual([
      ['local://wrong', 'SIZE_MISMATCH'],
      ['file:///missing', 'SOURCE_UNAVAILABLE'],
    ]);
  });
});

describe('Downloader resume state', () => {
  it('resumes from the journal a dead process left, fetching only the missing ranges', async () => {
    const f = blob(400_000);
    mkdirSync(fx.partialDir, { recursive: true });
    const part = Buffer.alloc(f.size);
    f.data.copy(part, 0, 0, 150_000);
    f.data.copy(part, 200_000, 200_000, 300_000);
    writeFileSync(join(fx.partialDir, `${f.sha256}.part`), part);
    await writeJournal(join(fx.partialDir, `${f.sha256}.journal.json`), {
      sha256: f.sha256,
      size: f.size,
      done: [
        [0, 150_000],
        [200_000, 300_000],
      ],
      validators: {},
    });
    server.serve('/a', f.data);
    const progress: number[] = [];
    // No tail splitting: on a loaded machine a split range's cancelled rest still counts as sent.
    const out = await fx
      .make({ tailSplitMinMs: 60_000 })
      .download({ file: fileOf(f), sources: [http('/a')], onProgress: (n) => progress.push(n) });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(server.bytesSent('/a')).toBe(150_000);
    expect(progress[0]).toBeGreaterThan(250_000);
  });

  it('a journal claiming bytes a power cut lost costs one clean retry, never a bad file', async () => {
    const f = blob(200_000);
    mkdirSync(fx.partialDir, { recursive: true });
    writeFileSync(join(fx.partialDir, `${f.sha256}.part`), Buffer.alloc(f.size));
    await writeJournal(join(fx.partialDir, `${f.sha256}.journal.json`), {
      sha256: f.sha256,
      size: f.size,
      done: [[0, 100_000]],
      validators: {},
    });
    server.serve('/a', f.data);
    const out = await fx.make().download({ file: fileOf(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(server.bytesSent('/a')).toBe(100_000 + f.size);
  });

  it('ignores a partial file without a journal', async () => {
    const f = blob(100_000);
    mkdirSync(fx.partialDir, { recursive: true });
    writeFileSync(join(fx.partialDir, `${f.sha256}.part`), Buffer.alloc(50_000, 7));
    server.serve('/a', f.data);
    const out = await fx.make().download({ file: fileOf(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
  });

  it('two requests for the same content share one partial and one download', async () => {
    const f = blob(300_000);
    server.serve('/a', f.data);
    server.serve('/b', f.data);
    const d = fx.make();
    const [x, y] = await Promise.all([
      d.download({ file: fileOf(f), sources: [http('/a')] }),
      d.download({ file: { ...fileOf(f), path: 'other/model.bin' }, sources: [http('/b')] }),
    ]);
    expect(x.filePath).toBe(y.filePath);
    expect(server.bytesSent()).toBe(f.size);
  });
});

describe('Downloader scheduling', () => {
  it('splits the slow tail so one crawling range does not hold the file back', async () => {
    const f = blob(256 * 1024);
    server.serve('/a', f.data);
    server.fault('/a', { type: 'throttle', bytesPerSecond: 20_000 });
    const out = await fx
      .make({ connectionsPerFile: 4, pieceSize: 64 * 1024, minPieceSize: 8 * 1024, tailSplitMinMs: 20 })
      .download({ file: fileOf(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    const starts = server.requests.map((r) => Number(/bytes=(\d+)-/.exec(r.range ?? '')?.[1]));
    expect(starts.some((s) => s > 0 && s < 64 * 1024)).toBe(true);
  });

  it('never exceeds the bandwidth limit and applies a new limit while running', async () => {
    const f = blob(300_000);
    server.serve('/a', f.data);
    const d = fx.make({ maxBytesPerSecond: 400_000 });
    const started = Date.now();
    let lifted = false;
    const out = await d.download({
      file: fileOf(f),
      sources: [http('/a')],
      onProgress: (n) => {
        if (n > 200_000 && !lifted) {
          lifted = true;
          d.setMaxBytesPerSecond(0);
        }
      },
    });
    // At 400 kB/s with a quarter-second burst, 200 kB cannot arrive sooner than 0.25 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(d.maxBytesPerSecond).toBe(0);
  });
});

describe('Downloader on a full disk', () => {
  it('stops at once with NO_SPACE and keeps the partial', async (ctx) => {
    const mnt = mkdtempSync(join(tmpdir(), 'full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      rmSync(mnt, { recursive: true, force: true });
      ctx.skip('mounting a tmpfs needs root; skipping the full-disk test');
      return;
    }
    const d = new Downloader({ ...FAST, partialDir: join(mnt, '.partial'), hashPool: fx.pool });
    try {
      const f = blob(3_000_000);
      server.serve('/a', f.data);
      const err = await d.download({ file: fileOf(f), sources: [http('/a')] }).then(
        () => null,
        (e: unknown) => e as OrchestratorError,
      );
      expect(err?.code).toBe('NO_SPACE');
      expect(readFileSync(join(mnt, '.partial', `${f.sha256}.part`)).length).toBe(f.size);
      // Stops at the first failed write: at most the ranges in flight beyond the 2 MiB that fit.
      expect(server.bytesSent()).toBeLessThan(2 * 1024 * 1024 + 5 * (FAST.pieceSize as number));
      expect(err?.details.partialBytes).toBeGreaterThan(0);
    } finally {
      await d.close();
      // A hash worker may still be closing the cancelled partial for a moment: retry, then detach.
      for (let i = 0; ; i++) {
        try {
          execFileSync('umount', [mnt], { stdio: 'ignore' });
          break;
        } catch {
          if (i >= 20) {
            execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
            break;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});

describe('Downloader slow ranges', () => {
  it('restarts a range far slower than its siblings on a new connection', async () => {
    const f = blob(512 * 1024);
    server.serve('/a', f.data, { bytesPerSecond: 200_000 });
    server.fault('/a', { type: 'throttle', bytesPerSecond: 4_000 });
    const out = await fx
      .make({ connectionsPerFile: 4, pieceSize: 64 * 1024, minPieceSize: 8 * 1024, stallTimeoutMs: 100, tailSplitMinMs: 60_000 })
      .download({ file: fileOf(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    const firstPiece = server.requests.filter((r) => Number(/bytes=(\d+)-/.exec(r.range ?? '')?.[1]) < 16 * 1024);
    expect(firstPiece.length).toBe(2);
    expect(firstPiece[0]?.fault).toBe('throttle');
  });
});

describe('Downloader connection budget', () => {
  it('does not mistake waiting for a connection slot for a stall', async () => {
    const files = Array.from({ length: 3 }, () => blob(60_000));
    files.forEach((f, i) => server.serve(`/f${i}`, f.data, { bytesPerSecond: 200_000 }));
    // One connection for three files of ~0.3 s each: the last waits far longer than the stall timeout.
    const d = fx.make({ connectionsPerFile: 1, maxConnections: 1, stallTimeoutMs: 100, retries: 0 });
    const outs = await Promise.all(
      files.map((f, i) => d.download({ file: { path: `f${i}`, size: f.size, sha256: f.sha256 }, sources: [http(`/f${i}`)] })),
    );
    outs.forEach((o, i) => expect(sha256Of(readFileSync(o.filePath))).toBe(files[i]?.sha256));
    expect(server.requests.length).toBe(3);
  });
});

describe('Downloader saved state against a changed upstream', () => {
  it('a 416 for the saved range discards the saved bytes instead of mixing files', async () => {
    const f = blob(200_000);
    mkdirSync(fx.partialDir, { recursive: true });
    const part = Buffer.alloc(f.size);
    f.data.copy(part, 0, 0, 150_000);
    writeFileSync(join(fx.partialDir, `${f.sha256}.part`), part);
    await writeJournal(join(fx.partialDir, `${f.sha256}.journal.json`), {
      sha256: f.sha256,
      size: f.size,
      done: [[0, 150_000]],
      validators: {},
    });
    // The source now holds a shorter, different file: the saved range is past its end.
    server.serve('/a', blob(100_000).data);
    const err = await fx
      .make({ connectionsPerFile: 1 })
      .download({ file: fileOf(f), sources: [http('/a')] })
      .then(
        () => null,
        (e: unknown) => e as OrchestratorError,
      );
    expect(server.requests[0]?.status).toBe(416);
    expect(err?.code).toBe('SIZE_MISMATCH');
    expect(fx.partialFiles()).toEqual([]);
  });
});
