/**
 * Concurrency: four real `modelctl ensure` processes on overlapping models (shared files, and
 * two processes on the same model) while a fifth runs `gc --max-size 0` again and again. Every
 * ensure succeeds with its model verified in place, gc never breaks a model being ensured, and
 * the store is sound afterwards.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFiles, jsonOf, runCli, startCli, writeManifest, type CliRun, type GeneratedFile } from '../integration/cli/cli-harness';
import { startFaultServer, type FaultServer } from '../helpers/fault-server';
import { assertStoreSound } from './helpers/store-invariants';

const MiB = 1024 * 1024;
const [shared, pair, a1, b1, c1] = generateFiles([
  { path: 'shared/tokenizer.bin', size: 2 * MiB },
  { path: 'shared/vae.bin', size: 2 * MiB + 3 },
  { path: 'a.bin', size: 3 * MiB },
  { path: 'b.bin', size: 1 * MiB },
  { path: 'c.bin', size: 2 * MiB + 7 },
]) as [GeneratedFile, GeneratedFile, GeneratedFile, GeneratedFile, GeneratedFile];
const models: Record<string, GeneratedFile[]> = {
  'model-a': [shared, pair, a1],
  'model-b': [shared, pair, b1],
  'model-c': [shared, c1],
};

let server: FaultServer;
let manifest: string;
let root: string;

beforeAll(async () => {
  server = await startFaultServer();
  // Throttled so the ensures overlap each other and several gc runs.
  for (const f of [shared, pair, a1, b1, c1]) server.serve(`/files/${f.path}`, f.data, { bytesPerSecond: 2 * MiB });
  manifest = writeManifest(Object.entries(models).map(([id, files]) => ({ id, files, sources: [`${server.url}/files`] })));
  root = mkdtempSync(join(tmpdir(), 'mo-concurrency-root-'));
});

afterAll(async () => {
  await server?.close();
});

const cli = (args: string[]) => ['--json', '--manifest', manifest, '--root', root, ...args];

describe('concurrency: ensures and gc in parallel processes', () => {
  it('lets 4 ensures of overlapping models succeed while a fifth process runs gc --max-size 0 over and over', async () => {
    const started = Date.now();
    const ids = ['model-a', 'model-b', 'model-c', 'model-a'];
    let running = ids.length;
    const ensures = ids.map((id) =>
      startCli(cli(['ensure', id])).done.then((run) => {
        running--;
        return { id, run };
      }),
    );
    const gcRuns: CliRun[] = [];
    const gcLoop = (async () => {
      while (running > 0) gcRuns.push(await runCli(cli(['gc', '--max-size', '0'])));
    })();
    const results = await Promise.all(ensures);
    await gcLoop;

    for (const { id, run } of results) {
      expect(run.code, `${id}: ${run.stdout}${run.stderr}`).toBe(0);
      expect(jsonOf(run)).toMatchObject({ id, variant: 'fp16' });
    }
    expect(gcRuns.length).toBeGreaterThan(0);
    for (const gc of gcRuns) expect(gc.code, gc.stdout).toBe(0);
    const removed = gcRuns.flatMap((gc) => (jsonOf(gc) as { removed: Array<{ id: string }> }).removed.map((r) => r.id));
    await assertStoreSound(root);

    // Without gc running, every model installs and verifies.
    for (const id of Object.keys(models)) {
      const run = await runCli(cli(['ensure', id]));
      expect(run.code, run.stdout).toBe(0);
      const localPath = (jsonOf(run) as { localPath: string }).localPath;
      for (const f of models[id] as GeneratedFile[])
        expect(
          createHash('sha256')
            .update(readFileSync(join(localPath, f.path)))
            .digest('hex'),
        ).toBe(f.sha256);
      expect(jsonOf(await runCli(cli(['verify', id])))).toMatchObject({ success: true });
    }
    expect((await assertStoreSound(root, { partial: 'empty' })).blobs).toBe(5);
    console.log(
      `concurrency: 4 ensures + ${gcRuns.length} gc runs in ${((Date.now() - started) / 1000).toFixed(1)} s; gc removed after use: ${removed.join(', ') || 'nothing'}`,
    );
  }, 120_000);
});
