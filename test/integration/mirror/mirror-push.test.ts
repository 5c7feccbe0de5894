/**
 * `modelctl mirror push` against s3rver behind the SigV4 + checksum checker: what lands in the
 * store, what a second push sends, a push killed with SIGKILL mid-multipart and run again, a
 * part damaged on the way, a blob damaged on the local disk, and wrong credentials.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runCli, startCli } from '../cli/cli-harness';
import { BUCKET, PART, sha256, startMirrorFixture, type MirrorFixture } from './mirror-fixture';

let fx: MirrorFixture;

beforeAll(async () => {
  fx = await startMirrorFixture();
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

const push = (to: string, extra: string[] = [], env = fx.store.env(), root = fx.pushRoot) =>
  runCli(['--json', '--manifest', fx.manifest, '--root', root, 'mirror', 'push', fx.id, '--to', to, '--part-size', '5M', ...extra], {
    env,
  });

const partUploads = (from: number, prefix: string) =>
  fx.store.requests
    .slice(from)
    .filter((r) => r.method === 'PUT' && r.query.has('uploadId') && r.key.startsWith(prefix) && r.status === 200);

describe('mirror push', () => {
  it('uploads every blob by sha256 (the big one in checksummed parts), then the manifest entry and the index', async () => {
    const before = fx.store.requests.length;
    const run = await push(`s3://${BUCKET}/lab`);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const doc = jsonOf(run);
    const total = fx.files.reduce((s, f) => s + f.data.length, 0);
    expect(doc).toMatchObject({
      mirror: `s3://${BUCKET}/lab`,
      pushed: [{ id: fx.id, variant: 'fp16' }],
      skipped: [],
      bytesUploaded: total,
    });
    for (const f of fx.files) {
      const stored = await fx.store.object(BUCKET, `lab/blobs/sha256/${f.sha256}`);
      expect(stored && sha256(stored)).toBe(f.sha256);
    }
    const parts = partUploads(before, 'lab/blobs/');
    expect(parts).toHaveLength(4); // 3 × 5 MiB + the rest
    expect(parts.every((p) => p.checksum)).toBe(true);
    const singles = fx.store.requests
      .slice(before)
      .filter((r) => r.method === 'PUT' && !r.query.has('uploadId') && r.key.includes('/blobs/'));
    expect(singles).toHaveLength(2);
    expect(singles.every((p) => p.checksum)).toBe(true);

    const entry = parseToml((await fx.store.object(BUCKET, `lab/manifests/${fx.id}.toml`))!.toString()) as {
      models: Record<string, { sources: { priority: string[] }; files: Array<{ sha256: string }> }>;
    };
    const model = entry.models[fx.id]!;
    expect(model.sources.priority[0]).toBe(`s3://${BUCKET}/lab/blobs/sha256`);
    expect(model.sources.priority[1]).toBe(`${fx.origin.url}/origin`);
    expect(model.files.map((f) => f.sha256).sort()).toEqual(fx.files.map((f) => f.sha256).sort());
    const index = JSON.parse((await fx.store.object(BUCKET, 'lab/index.json'))!.toString()) as unknown;
    expect(index).toEqual({ models: [{ id: fx.id, version: '1.0.0', variants: ['fp16'], totalBytes: total }] });
  }, 60_000);

  it('a second push uploads nothing', async () => {
    const before = fx.store.requests.length;
    const run = await push(`s3://${BUCKET}/lab`);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(jsonOf(run)).toEqual({
      mirror: `s3://${BUCKET}/lab`,
      pushed: [],
      skipped: [{ id: fx.id, variant: 'fp16', reason: 'in-mirror' }],
      bytesUploaded: 0,
    });
    const writes = fx.store.requests.slice(before).filter((r) => r.method === 'PUT' || r.method === 'POST');
    expect(writes).toEqual([]);
  }, 60_000);

  it('resumes a push killed with SIGKILL mid-multipart without sending the finished parts again', async () => {
    const prefix = 'killed';
    fx.store.delayParts(400);
    const before = fx.store.requests.length;
    const child = startCli(
      [
        '--json',
        '--manifest',
        fx.manifest,
        '--root',
        fx.pushRoot,
        'mirror',
        'push',
        fx.id,
        '--to',
        `s3://${BUCKET}/${prefix}`,
        '--part-size',
        '5M',
      ],
      { env: fx.store.env() },
    );
    const deadline = Date.now() + 30_000;
    while (partUploads(before, `${prefix}/`).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.child.kill('SIGKILL');
    const killed = await child.done;
    expect(killed.signal).toBe('SIGKILL');
    await new Promise((r) => setTimeout(r, 600)); // parts whose bodies had arrived finish storing
    fx.store.delayParts(0);
    const storedBeforeRerun = partUploads(before, `${prefix}/`).length;
    expect(storedBeforeRerun).toBeGreaterThanOrEqual(2);
    expect(storedBeforeRerun).toBeLessThan(4);
    const big = fx.files.find((f) => f.path.endsWith('.safetensors'))!;
    expect(await fx.store.object(BUCKET, `${prefix}/blobs/sha256/${big.sha256}`)).toBeNull();

    const rerunFrom = fx.store.requests.length;
    const run = await push(`s3://${BUCKET}/${prefix}`);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const resent = partUploads(rerunFrom, `${prefix}/`);
    expect(resent).toHaveLength(4 - storedBeforeRerun);
    const creates = fx.store.requests.slice(rerunFrom).filter((r) => r.method === 'POST' && r.query.has('uploads'));
    expect(creates).toEqual([]); // the same upload, found again through the id kept in .state
    const stored = await fx.store.object(BUCKET, `${prefix}/blobs/sha256/${big.sha256}`);
    expect(stored && sha256(stored)).toBe(big.sha256);
    const doc = jsonOf(run) as { bytesUploaded: number };
    expect(doc.bytesUploaded).toBeLessThan(fx.files.reduce((s, f) => s + f.data.length, 0) - storedBeforeRerun * PART + 1);
  }, 90_000);

  it('a part damaged on the way is refused by its checksum and sent again', async () => {
    fx.store.corruptParts(1);
    const before = fx.store.requests.length;
    const run = await push(`s3://${BUCKET}/damaged-in-transit`);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const refused = fx.store.requests.slice(before).filter((r) => r.status === 400);
    expect(refused.map((r) => r.rejected)).toEqual(['BadDigest']);
    const big = fx.files.find((f) => f.path.endsWith('.safetensors'))!;
    const stored = await fx.store.object(BUCKET, `damaged-in-transit/blobs/sha256/${big.sha256}`);
    expect(stored && sha256(stored)).toBe(big.sha256);
  }, 60_000);

  it('never publishes a blob that no longer matches its sha256 on the local disk', async () => {
    const big = fx.files.find((f) => f.path.endsWith('.safetensors'))!;
    const blob = path.join(fx.pushRoot, 'blobs', 'sha256', big.sha256);
    const good = await readFile(blob);
    const bad = Buffer.from(good);
    bad[bad.length - 10] = (bad[bad.length - 10] as number) ^ 1; // same size: status still says COMPLETE
    await writeFile(blob, bad);
    try {
      const run = await push(`s3://${BUCKET}/rotten`);
      expect(run.code).toBe(1);
      expect((jsonOf(run) as { error: { code: string } }).error.code).toBe('CHECKSUM_FAIL');
      expect(await fx.store.object(BUCKET, `rotten/blobs/sha256/${big.sha256}`)).toBeNull();
      expect(await fx.store.object(BUCKET, `rotten/index.json`)).toBeNull();
    } finally {
      await writeFile(blob, good);
    }
  }, 60_000);

  it('a store that answers 503 SlowDown is waited for, not given up on', async () => {
    fx.store.slowDown(3, 0);
    const before = fx.store.requests.length;
    const run = await push(`s3://${BUCKET}/throttled`);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(fx.store.requests.slice(before).filter((r) => r.rejected === 'SlowDown')).toHaveLength(3);
    expect(jsonOf(run)).toMatchObject({ pushed: [{ id: fx.id, variant: 'fp16' }] });
  }, 60_000);

  it('wrong credentials: AUTH_FAIL saying what to set, and no key in the output', async () => {
    const secret = 'Wr0ng-Secret-Value-77';
    const run = await push(`s3://${BUCKET}/lab`, [], fx.store.env({ AWS_SECRET_ACCESS_KEY: secret }));
    expect(run.code).toBe(1);
    const error = (jsonOf(run) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('AUTH_FAIL');
    expect(error.message).toMatch(/AWS_ACCESS_KEY_ID/);
    expect(run.stdout + run.stderr).not.toContain(secret);
    expect(run.stdout + run.stderr).not.toContain('AWS_SECRET_ACCESS_KEY=');
  }, 60_000);
});
