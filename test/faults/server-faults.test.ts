/**
 * The server-fault matrix (issue 10): a real HTTP server on 127.0.0.1 misbehaving the way real
 * ones do, against `ensure`. Every case asserts the exact error code (or the source that took
 * over), that the models root is sound (models/ holds only verified files, .tmp/ is empty,
 * .partial/ holds only resumable data), and a generous time bound.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Fault, FaultServer } from '../helpers/fault-server';
import { structuredErrorOf } from '../helpers/structured-error';
import { bytes, sha256, spec, type TestFile } from '../integration/orchestrator/helpers/harness';
import { FaultBed, FAULT_TUNING, STALL_MS, stopwatch } from './helpers/fault-bed';
import { assertStoreSound } from './helpers/store-invariants';

let fb: FaultBed;
let server: FaultServer;
beforeEach(async () => {
  fb = await FaultBed.create();
  server = fb.bed.server;
});
afterEach(async () => {
  await fb.dispose();
});

const SIZE = 300_000;
/** Generous: a case takes well under a second on an idle machine. */
const BOUND_MS = 10_000;

function model(prefixes: string[], size = SIZE): { files: TestFile[]; base: (p: string) => string; spec: ReturnType<typeof spec> } {
  const files: TestFile[] = [{ path: 'w.bin', data: bytes(size, `w-${size}`) }];
  for (const p of prefixes) fb.bed.publish(p, files);
  const base = (p: string) => `${server.url}/${p}`;
  return { files, base, spec: spec('m1', files, prefixes.map(base)) };
}

const always = (prefix: string, fault: Fault) => server.fault(`/${prefix}/w.bin`, fault, { times: 1000 });
const requestsTo = (prefix: string) => server.requests.filter((r) => r.path.startsWith(`/${prefix}/`));

async function installedBytes(file: TestFile): Promise<string> {
  return sha256(await readFile(path.join(fb.bed.layout.modelDir('m1', 'fp16'), file.path)));
}

describe('server faults', () => {
  it('endless chunked body: SIZE_MISMATCH once more bytes than the file arrive, the connection closed', async () => {
    const m = model(['endless']);
    always('endless', { type: 'endless' });
    const elapsed = stopwatch();
    const error = await structuredErrorOf(fb.orchestrator([m.spec]).ensure('m1'));
    expect(error.code).toBe('SIZE_MISMATCH');
    expect(elapsed()).toBeLessThan(BOUND_MS);
    const sent = server.bytesSent();
    await new Promise((r) => setTimeout(r, 200));
    expect(server.bytesSent()).toBe(sent); // the server stopped sending: its connection is closed
    await assertStoreSound(fb.root, { partial: 'empty' });
  });

  it('endless chunked body on the first source: the next source takes over', async () => {
    const m = model(['endless', 'good']);
    always('endless', { type: 'endless' });
    const elapsed = stopwatch();
    const result = await fb.orchestrator([m.spec]).ensure('m1');
    expect(result.source).toBe(m.base('good'));
    expect(await installedBytes(m.files[0] as TestFile)).toBe(sha256((m.files[0] as TestFile).data));
    expect(elapsed()).toBeLessThan(BOUND_MS);
    await assertStoreSound(fb.root, { partial: 'empty' });
  });

  it('Content-Length larger than the file, on ranges and on whole-file answers: SIZE_MISMATCH before any byte is kept', async () => {
    for (const ranges of [true, false]) {
      const m = model(['long']);
      server.serve('/long/w.bin', (m.files[0] as TestFile).data, { ranges });
      always('long', { type: 'wrong-length', length: SIZE + 4096 });
      const elapsed = stopwatch();
      const error = await structuredErrorOf(fb.orchestrator([m.spec]).ensure('m1'));
      expect(error.code).toBe('SIZE_MISMATCH');
      expect(elapsed()).toBeLessThan(BOUND_MS);
      await assertStoreSound(fb.root, { partial: 'empty' });
      server.reset();
    }
  });

  it('headers then silence on the only source: NETWORK_TIMEOUT within the stall timeout per attempt', async () => {
    const m = model(['silent']);
    always('silent', { type: 'stall', afterBytes: 0 });
    const elapsed = stopwatch();
    const error = await structuredErrorOf(fb.orchestrator([m.spec]).ensure('m1'));
    expect(error.code).toBe('NETWORK_TIMEOUT');
    expect(error.message).toContain('no data for 0.4 s');
    // One stall per attempt (the retries with backoff are for when every source has failed).
    expect(elapsed()).toBeLessThan(((FAULT_TUNING.retries as number) + 1) * STALL_MS * 2 + BOUND_MS / 2);
    await assertStoreSound(fb.root);
  });

  it('headers then silence on the first source: set aside at once, the next source takes over after one stall', async () => {
    const m = model(['silent', 'good']);
    always('silent', { type: 'stall', afterBytes: 0 });
    const elapsed = stopwatch();
    const result = await fb.orchestrator([m.spec]).ensure('m1');
    expect(result.source).toBe(m.base('good'));
    // Every lane asked the silent source once; none was retried on it.
    expect(requestsTo('silent').length).toBeLessThanOrEqual(FAULT_TUNING.connectionsPerFile as number);
    // The fallback waits for one stall timeout, not one per retry (3 s of slack for a loaded machine).
    expect(elapsed()).toBeLessThan(STALL_MS + 3_000);
    await assertStoreSound(fb.root, { partial: 'empty' });
  });

  it('a trickle (never silent for a stall timeout, far below the minimum speed) is replaced by the next source', async () => {
    const m = model(['trickle', 'good']);
    always('trickle', { type: 'trickle', bytesPerSecond: 20 });
    const elapsed = stopwatch();
    const result = await fb.orchestrator([m.spec]).ensure('m1');
    expect(result.source).toBe(m.base('good'));
    expect(requestsTo('trickle').length).toBeLessThanOrEqual(FAULT_TUNING.connectionsPerFile as number);
    expect(elapsed()).toBeLessThan(BOUND_MS);
    await assertStoreSound(fb.root, { partial: 'empty' });
  });

  it('a redirect to file:// is refused, never followed', async () => {
    const m = model(['good']);
    server.redirect('/local/w.bin', 'file:///etc/passwd');
    const spec1 = { ...m.spec, sources: [`${server.url}/local`] };
    const elapsed = stopwatch();
    const error = await structuredErrorOf(fb.orchestrator([spec1]).ensure('m1'));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.message).toContain('redirected to a file: address');
    await assertStoreSound(fb.root, { partial: 'empty' });
    const result = await fb.orchestrator([{ ...m.spec, sources: [`${server.url}/local`, m.base('good')] }]).ensure('m1');
    expect(result.source).toBe(m.base('good'));
    expect(elapsed()).toBeLessThan(BOUND_MS);
    await assertStoreSound(fb.root, { partial: 'empty' });
  });

  it('a redirect loop: SOURCE_UNAVAILABLE naming too many redirects', async () => {
    const m = model([]);
    server.redirect('/a/w.bin', '/b/w.bin');
    server.redirect('/b/w.bin', '/a/w.bin');
    const elapsed = stopwatch();
    const error = await structuredErrorOf(fb.orchestrator([{ ...m.spec, sources: [`${server.url}/a`] }]).ensure('m1'));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.message).toContain('too many redirects');
    expect(elapsed()).toBeLessThan(BOUND_MS);
    await assertStoreSound(fb.root, { partial: 'empty' });
  });

  it('416 on resume: the saved range is refused, the file starts over and verifies', async () => {
    const m = model(['s'], 600_000);
    // First run: the source goes silent half-way; the bytes that arrived are kept.
    always('s', { type: 'stall', atFraction: 0.5 });
    const elapsed = stopwatch();
    const first = await structuredErrorOf(fb.orchestrator([m.spec], { connectionsPerFile: 1, retries: 0 }).ensure('m1'));
    expect(['NETWORK_TIMEOUT', 'INCOMPLETE_DOWNLOAD']).toContain(first.code);
    const kept = await assertStoreSound(fb.root);
    expect(kept.partials).toHaveLength(1);
    server.reset();
    server.fault('/s/w.bin', { type: 'status', status: 416 });
    const result = await fb.orchestrator([m.spec], { connectionsPerFile: 1 }).ensure('m1');
    expect(result.source).toBe(m.base('s'));
    expect(server.requests[0]?.status).toBe(416);
    expect(server.requests[1]?.range ?? 'bytes=0-').toMatch(/^bytes=0-/);
    expect(await installedBytes(m.files[0] as TestFile)).toBe(sha256((m.files[0] as TestFile).data));
    expect(elapsed()).toBeLessThan(BOUND_MS);
    await assertStoreSound(fb.root, { partial: 'empty' });
  });

  it('the file re-published mid-download (new ETag): the download restarts, never mixing two versions', async () => {
    const m = model(['s'], 600_000);
    const file = m.files[0] as TestFile;
    server.serve('/s/w.bin', file.data, { bytesPerSecond: 200_000, etag: '"v1"' });
    const elapsed = stopwatch();
    const orch = fb.orchestrator([m.spec]);
    const running = orch.ensure('m1');
    while (server.bytesSent() < 150_000) await new Promise((r) => setTimeout(r, 10));
    server.change('/s/w.bin', file.data, { etag: '"v2"' });
    await running;
    expect(server.requests.some((r) => r.ifRange === '"v1"' && r.status === 200)).toBe(true);
    expect(await installedBytes(file)).toBe(sha256(file.data));
    expect(elapsed()).toBeLessThan(BOUND_MS);
    await assertStoreSound(fb.root, { partial: 'empty' });
  });

  it('the file re-published mid-download (new Last-Modified, no ETag): the download restarts, never mixing two versions', async () => {
    const m = model(['s'], 600_000);
    const file = m.files[0] as TestFile;
    const v1 = 'Tue, 01 Dec 2026 10:00:00 GMT';
    server.serve('/s/w.bin', file.data, { bytesPerSecond: 200_000, etag: null, lastModified: v1 });
    const elapsed = stopwatch();
    const orch = fb.orchestrator([m.spec]);
    const running = orch.ensure('m1');
    while (server.bytesSent() < 150_000) await new Promise((r) => setTimeout(r, 10));
    server.change('/s/w.bin', file.data, { etag: null, lastModified: 'Thu, 03 Dec 2026 10:00:00 GMT' });
    await running;
    expect(server.requests.some((r) => r.ifRange === v1 && r.status === 200)).toBe(true);
    expect(await installedBytes(file)).toBe(sha256(file.data));
    expect(elapsed()).toBeLessThan(BOUND_MS);
    await assertStoreSound(fb.root, { partial: 'empty' });
  });

  it('the file replaced by other bytes mid-download: CHECKSUM_FAIL, nothing of either version installed', async () => {
    const m = model(['s'], 600_000);
    const file = m.files[0] as TestFile;
    server.serve('/s/w.bin', file.data, { bytesPerSecond: 200_000, etag: '"v1"' });
    const elapsed = stopwatch();
    const orch = fb.orchestrator([m.spec]);
    const running = structuredErrorOf(orch.ensure('m1'));
    while (server.bytesSent() < 150_000) await new Promise((r) => setTimeout(r, 10));
    server.change('/s/w.bin', bytes(600_000, 'other'), { etag: '"v2"' });
    const error = await running;
    expect(error.code).toBe('CHECKSUM_FAIL');
    expect(error.message).toContain('nothing was installed');
    expect(elapsed()).toBeLessThan(BOUND_MS);
    await assertStoreSound(fb.root, { partial: 'empty' });
  });

  it('an HTML error page with status 200: SOURCE_UNAVAILABLE saying it is a web page; the next source takes over', async () => {
    const elapsed = stopwatch();
    for (const withLength of [false, true]) {
      const m = model(['portal']);
      always('portal', { type: 'html', withLength });
      const error = await structuredErrorOf(fb.orchestrator([m.spec]).ensure('m1'));
      expect(error.code).toBe('SOURCE_UNAVAILABLE');
      expect(error.message).toContain('web page');
      await assertStoreSound(fb.root, { partial: 'empty' });
      server.reset();
    }
    const m = model(['portal', 'good']);
    always('portal', { type: 'html' });
    const result = await fb.orchestrator([m.spec]).ensure('m1');
    expect(result.source).toBe(m.base('good'));
    expect(elapsed()).toBeLessThan(BOUND_MS);
    await assertStoreSound(fb.root, { partial: 'empty' });
  });

  it('the connection reset every 40 KB: the download completes, re-fetching next to nothing', async () => {
    const m = model(['flaky'], 1_000_000);
    always('flaky', { type: 'reset', afterBytes: 40_000 });
    const elapsed = stopwatch();
    const result = await fb.orchestrator([m.spec]).ensure('m1');
    expect(result.source).toBe(m.base('flaky'));
    expect(await installedBytes(m.files[0] as TestFile)).toBe(sha256((m.files[0] as TestFile).data));
    expect(server.bytesSent()).toBeLessThan(1_000_000 * 1.1);
    expect(elapsed()).toBeLessThan(BOUND_MS);
    await assertStoreSound(fb.root, { partial: 'empty' });
  });
});
