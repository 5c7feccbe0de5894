/** The fault matrix's soundness check itself: it passes a real ensured root and names each kind of damage. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes, sha256, spec, TestBed, type TestFile } from '../integration/orchestrator/helpers/harness';
import { assertStoreSound, storeProblems } from './helpers/store-invariants';

let bed: TestBed;
beforeEach(async () => {
  bed = await TestBed.create();
});
afterEach(async () => {
  await bed.dispose();
});

async function ensured(): Promise<{ files: TestFile[]; dir: string }> {
  const files: TestFile[] = [
    { path: 'config.json', data: bytes(300, 'c') },
    { path: 'unet/model.bin', data: bytes(40_000, 'u') },
  ];
  const orch = bed.orchestrator([spec('m1', files, [bed.publish('m', files)])]);
  const result = await orch.ensure('m1');
  return { files, dir: result.localPath };
}

describe('store invariants', () => {
  it('finds a freshly ensured models root sound', async () => {
    await ensured();
    expect(await assertStoreSound(bed.root, { partial: 'empty' })).toEqual({ models: 1, modelFiles: 2, blobs: 2, partials: [] });
  });

  it('names a model file whose bytes differ from its marker, and an unverified file', async () => {
    const { dir } = await ensured();
    await writeFile(path.join(dir, 'config.json'), bytes(300, 'other'));
    await mkdir(path.join(bed.root, 'models', 'stray'), { recursive: true });
    await writeFile(path.join(bed.root, 'models', 'stray', 'x.bin'), 'x');
    await writeFile(path.join(dir, 'extra.txt'), 'x');
    const problems = await storeProblems(bed.root);
    expect(problems).toContain('models/stray/x.bin is not in a verified model directory');
    expect(problems).toContain('models/m1/fp16/extra.txt is not listed in models/m1/fp16/.verified.json');
    expect(problems.some((p) => p.startsWith('models/m1/fp16/config.json hashes to'))).toBe(true);
    // The model file is a hard link to its blob: the blob is damaged too.
    expect(problems.some((p) => p.startsWith('blobs/sha256/') && p.includes('hashes to'))).toBe(true);
    await expect(assertStoreSound(bed.root)).rejects.toThrow(/is not sound/);
  });

  it('names leftovers in .tmp and .partial, and accepts a resumable partial', async () => {
    await ensured();
    const sha = sha256(Buffer.from('x'));
    await writeFile(path.join(bed.root, '.partial', `${sha}.part`), Buffer.alloc(10));
    expect(await storeProblems(bed.root)).toEqual([`.partial/${sha}.part has no journal, so it cannot be resumed`]);
    await writeFile(
      path.join(bed.root, '.partial', `${sha}.journal.json`),
      JSON.stringify({ version: 1, sha256: sha, size: 10, done: [], validators: {} }),
    );
    expect((await assertStoreSound(bed.root)).partials).toEqual([sha]);
    expect(await storeProblems(bed.root, { partial: 'empty' })).toHaveLength(2);
    await mkdir(path.join(bed.root, '.tmp', 'm1~fp16.staging-1'), { recursive: true });
    await writeFile(path.join(bed.root, '.partial', 'junk'), '');
    expect(await storeProblems(bed.root)).toEqual([
      '.tmp/m1~fp16.staging-1/ is left over',
      '.partial/junk is not part of a resumable download',
    ]);
  });
});
