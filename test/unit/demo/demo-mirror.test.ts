import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesForVariant, type ModelSpec } from '../../../shared/manifest';
import { loadManifestFile } from '../../../main/core/manifest';
import { createPacer, startDemoMirror, type DemoMirror } from '../../../demo/demo-mirror';

let dir: string;
let mirror: DemoMirror;
let models: ModelSpec[];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function urlOf(model: ModelSpec, path: string): string {
  return `${model.sources[0]}/${path}`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'demo-mirror-'));
  // A small scale keeps the test fast; the real demo uses scale 1 (~185 MB).
  mirror = await startDemoMirror({ dir, sizeScale: 0.005, bytesPerSecond: 0 });
  models = (await loadManifestFile(mirror.manifestPath)).models;
});

afterAll(async () => {
  await mirror?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('demo mirror', () => {
  it('writes a manifest the manifest loader accepts, sourced from the local mirror', () => {
    expect(models.map((m) => m.id)).toEqual(mirror.modelIds);
    expect(mirror.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const model of models) expect(model.sources).toEqual([expect.stringMatching(new RegExp(`^${mirror.baseUrl}/`))]);
  });

  it('offers a model whose two variants share a file', () => {
    const sd = models.find((m) => m.id.startsWith('sd-turbo-demo'))!;
    expect(sd.variants).toEqual(['fp16', 'fp32']);
    const fp16 = filesForVariant(sd, 'fp16').map((f) => f.path);
    const fp32 = filesForVariant(sd, 'fp32').map((f) => f.path);
    expect(fp16.filter((p) => fp32.includes(p))).toContain('text_encoder/model.safetensors');
    expect(fp16).not.toEqual(fp32);
  });

  it('serves every file with the size and sha256 the manifest lists', async () => {
    for (const model of models) {
      for (const file of model.files) {
        const res = await fetch(urlOf(model, file.path));
        expect(res.status).toBe(200);
        const body = new Uint8Array(await res.arrayBuffer());
        expect(body.length).toBe(file.size);
        expect(sha256(body)).toBe(file.sha256);
      }
    }
  });

  it('answers byte ranges with 206 and the matching slice', async () => {
    const model = models.find((m) => m.id.startsWith('tiny-llm'))!;
    const file = model.files.find((f) => f.path === 'model.safetensors')!;
    const whole = new Uint8Array(await (await fetch(urlOf(model, file.path))).arrayBuffer());

    const middle = await fetch(urlOf(model, file.path), { headers: { Range: 'bytes=100-199' } });
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe(`bytes 100-199/${file.size}`);
    expect(Buffer.from(await middle.arrayBuffer())).toEqual(Buffer.from(whole.subarray(100, 200)));

    const tail = await fetch(urlOf(model, file.path), { headers: { Range: `bytes=${file.size - 10}-` } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(Buffer.from(whole.subarray(file.size - 10)));

    const beyond = await fetch(urlOf(model, file.path), { headers: { Range: `bytes=${file.size}-` } });
    expect(beyond.status).toBe(416);
    await beyond.arrayBuffer();
  });

  it('refuses paths outside the mirror and unknown files', async () => {
    const escape = await fetch(`${mirror.baseUrl}/..%2F..%2Fetc%2Fpasswd`);
    expect(escape.status).toBe(404);
    await escape.arrayBuffer();
    const missing = await fetch(`${mirror.baseUrl}/tiny-llm/nope.bin`);
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();
  });

  it('reuses the generated files on the next start and rewrites the manifest for the new port', async () => {
    const file = join(dir, 'files', 'tiny-llm', 'model.safetensors');
    const before = (await stat(file)).mtimeMs;
    const again = await startDemoMirror({ dir, sizeScale: 0.005, bytesPerSecond: 0 });
    try {
      expect((await stat(file)).mtimeMs).toBe(before);
      const reloaded = await loadManifestFile(again.manifestPath);
      expect(reloaded.models[0]!.sources[0]).toContain(again.baseUrl);
      expect(reloaded.models.flatMap((m) => m.files.map((f) => f.sha256))).toEqual(models.flatMap((m) => m.files.map((f) => f.sha256)));
    } finally {
      await again.close();
    }
  });

  it('paces all responses together at the bandwidth cap', async () => {
    // A fake clock records the waits: 4 chunks of 1 MB at 1 MB/s take ~4 s in all, whoever asks.
    let now = 0;
    const waits: number[] = [];
    const pace = createPacer(1_000_000, { now: () => now, sleep: async (ms) => void waits.push(ms) });
    await Promise.all([pace(1_000_000), pace(1_000_000), pace(1_000_000), pace(1_000_000)]);
    expect(waits).toEqual([1000, 2000, 3000]);
    now = 60_000; // after idling, the next chunk goes at once
    await pace(1_000);
    expect(waits).toHaveLength(3);
    const unlimited = createPacer(0, { now: () => now, sleep: async (ms) => void waits.push(ms) });
    await unlimited(10_000_000);
    expect(waits).toHaveLength(3);
  });
});
