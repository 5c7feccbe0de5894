import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../../shared/errors';
import type { ResolvedSource } from '../../../main/core/ports';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';
import { expectStructuredError } from '../../helpers/structured-error';
import { blob, fixture, type Fixture, failureOf, sha256Of } from './download-fixture';

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

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e instanceof OrchestratorError ? expectStructuredError(e).code : `non-orchestrator: ${String(e)}`;
  }
}

describe('Downloader over HTTP', () => {
  it('downloads a file in parallel ranges and hands back the verified bytes', async () => {
    const f = blob(600_000);
    server.serve('/m/a.bin', f.data);
    const progress: number[] = [];
    const out = await fx.make().download({
      file: { path: 'a.bin', size: f.size, sha256: f.sha256 },
      sources: [http('/m/a.bin')],
      onProgress: (n) => progress.push(n),
    });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(out.filePath).toBe(`${fx.partialDir}/${f.sha256}.part`);
    expect(out.bytesFetched).toBeGreaterThanOrEqual(f.size);
    expect(server.requests.filter((r) => r.status === 206).length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(f.size);
    expect(progress.every((n, i) => i === 0 || n >= (progress[i - 1] as number))).toBe(true);
    expect(fx.partialFiles()).toEqual([`${f.sha256}.part`]);
  });
});

describe('Downloader: one connection first, more only when it is too slow', () => {
  const file = (f: { size: number; sha256: string }) => ({ path: 'a.bin', size: f.size, sha256: f.sha256 });

  it('keeps a file on one connection that is fast enough: the probe window, then the rest in one request', async () => {
    const f = blob(1_000_000);
    server.serve('/a', f.data, { bytesPerSecond: 2_000_000 });
    const out = await fx
      .make({ widenAfterMs: 100, oneConnectionEnoughBytesPerSecond: 256 * 1024 })
      .download({ file: file(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    // The window is what 256 KiB/s delivers in 100 ms: 26,214 bytes.
    expect(server.requests.map((r) => r.range)).toEqual(['bytes=0-26213', 'bytes=26214-999999']);
    expect(server.peakConcurrency).toBe(1);
    expect(server.bytesSent()).toBe(f.size);
  });

  it('opens the other lanes when one connection is slower than that, and the file is still exact', async () => {
    const f = blob(600_000);
    server.serve('/a', f.data, { bytesPerSecond: 1_000_000 });
    const out = await fx
      .make({ widenAfterMs: 100, oneConnectionEnoughBytesPerSecond: 2_000_000 })
      .download({ file: file(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    // The window is a lane's share (150,000 bytes); at 1 MB/s it comes in slower than 2 MB/s, so the other
    // lanes take the bytes right after it, in 64 KiB pieces.
    expect(server.requests[0]?.range).toBe('bytes=0-149999');
    expect(server.requests[1]?.range).toBe('bytes=150000-215535');
    expect(server.bytesSent()).toBe(f.size);
    expect(server.peakConcurrency).toBeGreaterThan(1);
    expect(server.requests.filter((r) => r.status === 206).length).toBeGreaterThan(2);
  });

  it('does not wait for the probe when the first connection is done before it ends', async () => {
    const f = blob(300_000);
    server.serve('/a', f.data);
    const started = Date.now();
    const out = await fx.make({ widenAfterMs: 60_000 }).download({ file: file(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    // Sanity bound far below the 60 s probe: the other lanes stop waiting once the file is done.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('Downloader faults', () => {
  const file = (f: { size: number; sha256: string }) => ({ path: 'a.bin', size: f.size, sha256: f.sha256 });

  it('resumes a range after the connection is reset mid-body without re-fetching good bytes', async () => {
    const f = blob(200_000);
    server.serve('/a', f.data);
    server.fault('/a', { type: 'reset', afterBytes: 30_000 });
    const out = await fx.make({ connectionsPerFile: 1 }).download({ file: file(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(server.requests.length).toBe(2);
    expect(server.bytesSent('/a')).toBeLessThan(f.size + 64 * 1024);
  });

  it('fetches the whole file in one stream when the server ignores Range', async () => {
    const f = blob(300_000);
    server.serve('/a', f.data, { ranges: false });
    const out = await fx.make().download({ file: file(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
  });

  it('treats a wrong Content-Range as a broken source and uses the next one', async () => {
    const f = blob(100_000);
    server.serve('/bad', f.data);
    server.serve('/good', f.data);
    server.fault('/bad', { type: 'wrong-content-range' }, { times: 100 });
    const out = await fx.make().download({ file: file(f), sources: [http('/bad', 'bad'), http('/good', 'good')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(out.source).toBe('good');
    expect(out.failures.map((x) => [x.source, x.error.code])).toEqual([['bad', 'SOURCE_UNAVAILABLE']]);
  });

  it('retries a truncated body from where it stopped', async () => {
    const f = blob(100_000);
    server.serve('/a', f.data);
    server.fault('/a', { type: 'truncate', afterBytes: 40_000 });
    const out = await fx.make({ connectionsPerFile: 1 }).download({ file: file(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(server.requests[1]?.range).toBe(`bytes=40000-${f.size - 1}`);
  });

  it('refuses a gzip-encoded body and reports the source', async () => {
    const f = blob(50_000);
    server.serve('/a', f.data);
    server.fault('/a', { type: 'gzip' }, { times: 100 });
    const err = await failureOf(fx.make().download({ file: file(f), sources: [http('/a')] }));
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
    expect(err.message).toMatch(/Content-Encoding: gzip/);
    expect(server.requests.every((r) => r.acceptEncoding === 'identity')).toBe(true);
  });

  it('retries a range that stalls at 99%', async () => {
    const f = blob(100_000);
    server.serve('/a', f.data);
    server.fault('/a', { type: 'stall', atFraction: 0.99 });
    const out = await fx.make({ connectionsPerFile: 1, stallTimeoutMs: 200 }).download({ file: file(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(server.requests.length).toBe(2);
  });

  it('rides out a burst of 5xx answers', async () => {
    const f = blob(50_000);
    server.serve('/a', f.data);
    server.fault('/a', { type: 'status', status: 503 }, { times: 2 });
    server.fault('/a', { type: 'status', status: 500 });
    const out = await fx.make({ connectionsPerFile: 1 }).download({ file: file(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(server.requests.map((r) => r.status)).toEqual([503, 503, 500, 206]);
  });

  it('honours Retry-After on 429 and reports RATE_LIMIT when it never ends', async () => {
    const f = blob(50_000);
    server.serve('/a', f.data);
    server.fault('/a', { type: 'status', status: 429, retryAfter: 0.05 }, { times: 100 });
    const slept: number[] = [];
    const clock = { now: () => Date.now(), sleep: async (ms: number) => void slept.push(ms) };
    const err = await failureOf(fx.make({ connectionsPerFile: 1, clock }).download({ file: file(f), sources: [http('/a')] }));
    expect(err.code).toBe('RATE_LIMIT');
    expect(slept).toEqual([50, 50, 50]);
    expect(server.requests.length).toBe(4);
  });

  it('reports AUTH_FAIL on 401/403 without retrying', async () => {
    const f = blob(10_000);
    server.serve('/a', f.data);
    server.fault('/a', { type: 'status', status: 403 }, { times: 100 });
    expect(await codeOf(fx.make().download({ file: file(f), sources: [http('/a')] }))).toBe('AUTH_FAIL');
    expect(server.requests.length).toBe(1);
  });

  it('falls back to the next source when the first has no such file (404)', async () => {
    const f = blob(10_000);
    server.serve('/good', f.data);
    const out = await fx.make().download({ file: file(f), sources: [http('/missing', 'first'), http('/good', 'second')] });
    expect(out.source).toBe('second');
    expect(out.failures[0]?.error.code).toBe('SOURCE_UNAVAILABLE');
    expect(server.requests.filter((r) => r.path === '/missing').length).toBe(1);
  });

  it('rejects a body whose Content-Length disagrees with the manifest', async () => {
    const f = blob(10_000);
    server.serve('/a', f.data, { ranges: false });
    server.fault('/a', { type: 'wrong-length', length: 9_000 }, { times: 10 });
    expect(await codeOf(fx.make().download({ file: file(f), sources: [http('/a')] }))).toBe('SIZE_MISMATCH');
  });

  it('reports CHECKSUM_FAIL and removes the bad bytes when the source serves another file', async () => {
    const f = blob(50_000);
    const other = blob(50_000);
    server.serve('/a', other.data);
    const err = await failureOf(fx.make().download({ file: file(f), sources: [http('/a')] }));
    expect(err.code).toBe('CHECKSUM_FAIL');
    expect(err.details.actual).toBe(other.sha256);
    expect(fx.partialFiles()).toEqual([]);
  });

  it('starts over cleanly when the file changed upstream between attempts (ETag)', async () => {
    const f = blob(200_000);
    const old = blob(200_000);
    server.serve('/a', old.data, { bytesPerSecond: 400_000 });
    const ctl = new AbortController();
    const first = fx.make({ connectionsPerFile: 1 }).download({
      file: file(f),
      sources: [http('/a')],
      signal: ctl.signal,
      onProgress: (n) => n > 50_000 && ctl.abort(),
    });
    expect(await codeOf(first)).toBe('CANCELLED');
    server.change('/a', f.data);
    server.reset();
    const out = await fx.make({ connectionsPerFile: 1 }).download({ file: file(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(server.requests[0]?.ifRange).toBeDefined();
    expect(server.requests[0]?.status).toBe(200);
  });

  it('re-resolves an expired redirect instead of reusing it', async () => {
    const f = blob(300_000);
    server.serve('/cdn/a', f.data);
    server.redirect('/hub/a', '/cdn/a', { expireAfterUses: 1 });
    const out = await fx.make({ connectionsPerFile: 2 }).download({ file: file(f), sources: [http('/hub/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    const expired = server.requests.filter((r) => r.path === '/cdn/a' && r.status === 403).length;
    const hub = server.requests.filter((r) => r.path === '/hub/a').length;
    expect(expired).toBeGreaterThan(0);
    expect(hub).toBeGreaterThan(1);
  });

  it('sends the token to the source host only, never into messages', async () => {
    const f = blob(20_000);
    server.serve('/a', f.data);
    server.fault('/a', { type: 'status', status: 401 }, { times: 10 });
    const src: ResolvedSource = {
      kind: 'http',
      base: 'hf://org/repo',
      url: `${server.url}/a`,
      headers: () => ({ authorization: 'Bearer hf_SECRET' }),
    };
    const err = await failureOf(fx.make().download({ file: file(f), sources: [src] }));
    expect(err.code).toBe('AUTH_FAIL');
    expect(server.requests[0]?.authorization).toBe('Bearer hf_SECRET');
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain('hf_SECRET');
  });

  it('continues a file from the next source mid-file, keeping the good bytes', async () => {
    const f = blob(400_000);
    server.serve('/a', f.data);
    server.serve('/b', f.data);
    // Source A delivers 100 kB and then resets every connection.
    server.fault('/a', { type: 'reset', afterBytes: 100_000 });
    server.fault('/a', { type: 'reset', afterBytes: 0 }, { times: 100 });
    const out = await fx
      .make({ connectionsPerFile: 1, retries: 2 })
      .download({ file: file(f), sources: [http('/a', 'A'), http('/b', 'B')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(server.bytesSent('/a')).toBe(100_000);
    expect(server.bytesSent('/b')).toBe(f.size - 100_000);
    expect(out.failures.map((x) => x.source)).toEqual(['A']);
  });

  it('cancels on request, keeping the partial and journal, and the next call resumes', async () => {
    const f = blob(300_000);
    server.serve('/a', f.data, { bytesPerSecond: 600_000 });
    const ctl = new AbortController();
    const d = fx.make({ connectionsPerFile: 1 });
    const first = d.download({ file: file(f), sources: [http('/a')], signal: ctl.signal, onProgress: (n) => n > 100_000 && ctl.abort() });
    expect(await codeOf(first)).toBe('CANCELLED');
    expect(fx.partialFiles()).toEqual([`${f.sha256}.journal.hot.json`, `${f.sha256}.journal.json`, `${f.sha256}.part`]);
    const sentBefore = server.bytesSent('/a');
    server.serve('/a', f.data);
    const out = await d.download({ file: file(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(sentBefore + out.bytesFetched).toBeLessThan(f.size * 1.05);
    expect(fx.partialFiles()).toEqual([`${f.sha256}.part`]);
  });

  it('downloads several files at once within the global connection budget', async () => {
    const files = Array.from({ length: 4 }, () => blob(200_000));
    files.forEach((f, i) => server.serve(`/f${i}`, f.data, { bytesPerSecond: 2_000_000 }));
    const d = fx.make({ connectionsPerFile: 4, maxConnections: 3 });
    const outs = await Promise.all(
      files.map((f, i) => d.download({ file: { path: `f${i}`, size: f.size, sha256: f.sha256 }, sources: [http(`/f${i}`)] })),
    );
    outs.forEach((o, i) => expect(sha256Of(readFileSync(o.filePath))).toBe(files[i]?.sha256));
    expect(server.peakConcurrency).toBeLessThanOrEqual(3);
  });
});
