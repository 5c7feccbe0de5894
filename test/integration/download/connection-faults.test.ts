import { createServer, type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResolvedSource } from '../../../main/core/ports';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';
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
const file = (f: { size: number; sha256: string }, path = 'a.bin') => ({ path, size: f.size, sha256: f.sha256 });

/** A port on 127.0.0.1 where nothing listens (connections are refused). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('servers that close the connection after each response', () => {
  it('finishes throttled downloads whose whole body and FIN arrive while the reader waits', async () => {
    // The server writes the whole body then closes; the bandwidth limit keeps the reader behind.
    const files = Array.from({ length: 4 }, () => blob(512 * 1024));
    files.forEach((f, i) => server.serve(`/c${i}`, f.data, { connectionClose: true }));
    server.serve('/whole', (files[0] as { data: Buffer }).data, { connectionClose: true, ranges: false });
    const d = fx.make({ maxBytesPerSecond: 8 * 1024 * 1024, connectionsPerFile: 2, writeChunkSize: 64 * 1024 });
    const outs = await Promise.all(files.map((f, i) => d.download({ file: file(f, `c${i}`), sources: [http(`/c${i}`)] })));
    outs.forEach((o, i) => expect(sha256Of(readFileSync(o.filePath))).toBe(files[i]?.sha256));
  });

  it('finishes throttled whole-file streams from a server without ranges that closes the connection', async () => {
    const files = Array.from({ length: 6 }, () => blob(1024 * 1024));
    files.forEach((f, i) => server.serve(`/w${i}`, f.data, { connectionClose: true, ranges: false }));
    const d = fx.make({ maxBytesPerSecond: 8 * 1024 * 1024 });
    for (const [i, f] of files.entries()) {
      const out = await d.download({ file: file(f, `w${i}`), sources: [http(`/w${i}`)] });
      expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    }
  });
});

describe('memory held for a server that closes the connection', () => {
  it('asks for ranges no larger than the receive buffer once it knows the server closes, under a bandwidth limit', async () => {
    const f = blob(1024 * 1024);
    server.serve('/a', f.data, { connectionClose: true });
    const cap = 128 * 1024;
    const d = fx.make({ maxBytesPerSecond: 8 * 1024 * 1024, connectionsPerFile: 1, receiveBufferBytes: cap });
    const out = await d.download({ file: file(f), sources: [http('/a')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    const lengths = server.requests.slice(1).map((r) => {
      const m = /^bytes=(\d+)-(\d+)$/.exec(r.range ?? '');
      return m ? Number(m[2]) - Number(m[1]) + 1 : Number.POSITIVE_INFINITY;
    });
    expect(lengths.length).toBeGreaterThanOrEqual(4);
    expect(lengths.every((n) => n <= cap)).toBe(true);
  });
});

describe('a source that refuses connections', () => {
  it('hands over to the next source at once, without retries or backoff', async () => {
    const f = blob(100_000);
    server.serve('/good', f.data);
    const dead: ResolvedSource = { kind: 'http', base: 'dead', url: `http://127.0.0.1:${await closedPort()}/a` };
    const slept: number[] = [];
    const clock = { now: () => Date.now(), sleep: async (ms: number) => void slept.push(ms) };
    const out = await fx.make({ clock, retries: 5 }).download({ file: file(f), sources: [dead, http('/good', 'good')] });
    expect(sha256Of(readFileSync(out.filePath))).toBe(f.sha256);
    expect(out.source).toBe('good');
    expect(slept).toEqual([]);
    expect(out.failures.map((x) => [x.source, x.error.code])).toEqual([['dead', 'SOURCE_UNAVAILABLE']]);
    expect(out.failures[0]?.error.details).toMatchObject({ errno: 'ECONNREFUSED' });
  });

  it('retries a couple of times, quickly, when it is the last source left', async () => {
    const f = blob(10_000);
    const dead: ResolvedSource = { kind: 'http', base: 'dead', url: `http://127.0.0.1:${await closedPort()}/a` };
    const slept: number[] = [];
    const clock = { now: () => Date.now(), sleep: async (ms: number) => void slept.push(ms) };
    const err = await failureOf(fx.make({ clock, retries: 5, retryBaseDelayMs: 500 }).download({ file: file(f), sources: [dead] }));
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
    expect(slept.length).toBe(2);
    expect(slept.every((ms) => ms <= 500)).toBe(true);
  });
});

describe('a connection cut mid-file on every source', () => {
  it('fails as INCOMPLETE_DOWNLOAD with the bytes present, keeping the partial', async () => {
    const f = blob(200_000);
    server.serve('/a', f.data);
    server.serve('/b', f.data);
    server.fault('/a', { type: 'truncate', afterBytes: 50_000 });
    server.fault('/a', { type: 'reset', afterBytes: 0 }, { times: 100 });
    server.fault('/b', { type: 'reset', afterBytes: 0 }, { times: 100 });
    const err = await failureOf(
      fx.make({ connectionsPerFile: 1, retries: 2 }).download({ file: file(f), sources: [http('/a', 'A'), http('/b', 'B')] }),
    );
    expect(err.code).toBe('INCOMPLETE_DOWNLOAD');
    expect(err.retryable).toBe(true);
    expect(err.details).toMatchObject({ bytesPresent: 50_000, bytesExpected: 200_000 });
    expect(fx.partialFiles()).toContain(`${f.sha256}.part`);
  });

  it('gives up a server without ranges whose stream always breaks off, as INCOMPLETE_DOWNLOAD, after the retries', async () => {
    const f = blob(512 * 1024);
    server.serve('/w', f.data, { connectionClose: true, ranges: false });
    server.fault('/w', { type: 'truncate', afterBytes: 200_000 }, { times: 1000 });
    const err = await failureOf(
      fx.make({ maxBytesPerSecond: 8 * 1024 * 1024, retries: 2 }).download({ file: file(f), sources: [http('/w', 'W')] }),
    );
    expect(err.code).toBe('INCOMPLETE_DOWNLOAD');
    expect(err.retryable).toBe(true);
    expect(server.requests.length).toBeLessThan(20);
  });

  it('stays SOURCE_UNAVAILABLE when no source ever delivered a byte', async () => {
    const f = blob(50_000);
    server.serve('/a', f.data);
    server.fault('/a', { type: 'reset', afterBytes: 0 }, { times: 100 });
    const err = await failureOf(fx.make({ connectionsPerFile: 1, retries: 1 }).download({ file: file(f), sources: [http('/a', 'A')] }));
    expect(err.code).toBe('SOURCE_UNAVAILABLE');
  });
});

describe('many lanes waiting at once', () => {
  it('prints no listener-leak warning while every lane retries an unreachable last source', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const port = await closedPort();
      const f = blob(1024 * 1024);
      const d = fx.make({ connectionsPerFile: 16, pieceSize: 16 * 1024, minPieceSize: 16 * 1024 });
      const dead: ResolvedSource = { kind: 'http', base: 'http://dead', url: `http://127.0.0.1:${port}/a.bin` };
      const e = await failureOf(d.download({ file: file(f), sources: [dead] }));
      expect(e.code).toBe('SOURCE_UNAVAILABLE');
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
