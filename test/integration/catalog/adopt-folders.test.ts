/**
 * adoptFolders in the core, with a hash pool that lets the test change a file while it is being
 * hashed: such a file is not adopted. Symlinks are followed to regular files only.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../shared/manifest';
import { adoptFolders } from '../../../main/core/catalog/adopt-folders';
import { createHashPool } from '../../../main/core/hash/hash-pool';
import { createOrchestrator } from '../../../main/core/orchestrator';
import type { HashPool } from '../../../main/core/ports';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const a = Buffer.alloc(50_000, 1);
const b = Buffer.alloc(60_000, 2);
const model: ModelSpec = {
  id: 'm',
  version: '1',
  variants: ['default'],
  defaultVariant: 'default',
  allowPatterns: ['*'],
  files: [
    { path: 'a.bin', size: a.length, sha256: sha256(a), optional: false },
    { path: 'b.bin', size: b.length, sha256: sha256(b), optional: false },
  ],
  sources: ['http://127.0.0.1:9/never'],
};

let tmp: string;
let pool: HashPool;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'adopt-core-'));
  pool = createHashPool(2);
});
afterAll(async () => {
  await pool.close();
  await rm(tmp, { recursive: true, force: true });
});

async function adopt(dir: string, hashPool: HashPool) {
  const root = await mkdtemp(path.join(tmp, 'root-'));
  const service = createOrchestrator({ root, models: [model], hashPool, settings: { safetyMarginBytes: 0 } });
  try {
    return await adoptFolders([dir], { root, models: [model], hashPool, service });
  } finally {
    await service.close();
  }
}

describe('adoptFolders', () => {
  it('does not adopt a file that changes while it is hashed', async () => {
    const dir = await mkdtemp(path.join(tmp, 'changing-'));
    await writeFile(path.join(dir, 'a.bin'), a);
    await writeFile(path.join(dir, 'b.bin'), b);
    // Hashes the original bytes, then the file is rewritten before adopt looks at it again.
    const touching: HashPool = {
      size: pool.size,
      close: () => pool.close(),
      hashFile: async (file, options) => {
        const digest = await pool.hashFile(file, options);
        if (path.basename(file) === 'a.bin') {
          await appendFile(file, Buffer.from('x'));
          await writeFile(file, a); // same bytes again, but a new modification time
        }
        return digest;
      },
    };
    const result = await adopt(dir, touching);
    expect(result).toMatchObject({ adoptedFiles: 1, models: [] });
  });

  it('follows a symlink to a file, never one to a folder', async () => {
    const dir = await mkdtemp(path.join(tmp, 'links-'));
    const elsewhere = await mkdtemp(path.join(tmp, 'elsewhere-'));
    await writeFile(path.join(elsewhere, 'a.bin'), a);
    await mkdir(path.join(elsewhere, 'sub'));
    await writeFile(path.join(elsewhere, 'sub', 'b.bin'), b);
    await symlink(path.join(elsewhere, 'a.bin'), path.join(dir, 'link-to-a'));
    await symlink(path.join(elsewhere, 'sub'), path.join(dir, 'link-to-folder'));
    await symlink(dir, path.join(dir, 'loop'));
    const result = await adopt(dir, pool);
    expect(result).toMatchObject({ scannedFiles: 1, adoptedFiles: 1, models: [] });
  });
});
