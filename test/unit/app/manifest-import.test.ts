import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importMessage, MAX_IMPORT_BYTES, readManifestForImport } from '../../../main/app/manifest-import';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('File › Import Manifest…', () => {
  it('reads the chosen file as the API input (file name and text)', async () => {
    const path = join(dir, 'models.toml');
    await writeFile(path, 'schema_version = 1\n');
    expect(await readManifestForImport(path)).toEqual({ name: 'models.toml', text: 'schema_version = 1\n' });
  });

  it('refuses a file too big to be a manifest before reading it', async () => {
    const path = join(dir, 'huge.json');
    await writeFile(path, '');
    await truncate(path, MAX_IMPORT_BYTES + 1);
    await expect(readManifestForImport(path)).rejects.toMatchObject({ code: 'MANIFEST_VALIDATION_ERROR' });
  });

  it('says when the chosen path is missing or a folder', async () => {
    await expect(readManifestForImport(join(dir, 'nope.toml'))).rejects.toMatchObject({ code: 'FILESYSTEM_ERROR' });
    await expect(readManifestForImport(dir)).rejects.toMatchObject({ code: 'MISSING_MANIFEST' });
  });

  it('tells the user what was imported, what was skipped and why a manifest was refused', () => {
    expect(importMessage({ name: 'a.toml', ok: true, added: ['x@1'], conflicts: [], problems: [], error: null })).toEqual({
      type: 'info',
      message: 'Imported 1 model from a.toml.',
      detail: 'x@1',
    });
    const warned = importMessage({
      name: 'b.toml',
      ok: true,
      added: ['x@1', 'y@1'],
      problems: [],
      error: null,
      conflicts: [{ path: 'models."z@1"', message: 'already defined by a.toml' }],
    });
    expect(warned.type).toBe('warning');
    expect(warned.message).toBe('Imported 2 models from b.toml; 1 skipped.');
    expect(warned.detail).toContain('models."z@1": already defined by a.toml');
    const problems = Array.from({ length: 10 }, (_, i) => ({ path: `models."m".files[${i}].sha256`, message: 'is not 64 hex characters' }));
    const refused = importMessage({
      name: 'c.toml',
      ok: false,
      added: [],
      conflicts: [],
      problems,
      error: {
        code: 'MANIFEST_VALIDATION_ERROR',
        message: 'c.toml has 10 problems. Fix them and import again.',
        details: {},
        retryable: false,
      },
    });
    expect(refused.type).toBe('error');
    expect(refused.detail).toContain('c.toml has 10 problems');
    expect(refused.detail).toContain('files[0].sha256');
    expect(refused.detail).toContain('… and 2 more.');
  });
});
