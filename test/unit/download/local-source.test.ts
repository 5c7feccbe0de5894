import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AttemptError } from '../../../main/core/download/attempt-error';
import { openLocalSource } from '../../../main/core/download/local-source';

const dir = mkdtempSync(join(tmpdir(), 'local-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const source = (filePath: string) => ({ kind: 'file' as const, base: 'local://mirror', filePath });

async function failure(p: Promise<unknown>): Promise<AttemptError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AttemptError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('opening a local source', () => {
  it('opens a file of the manifest size', async () => {
    writeFileSync(join(dir, 'ok.bin'), Buffer.alloc(10));
    const fh = await openLocalSource(source(join(dir, 'ok.bin')), 10);
    expect((await fh.stat()).size).toBe(10);
    await fh.close();
  });

  it('gives the source up with SIZE_MISMATCH when the size differs', async () => {
    writeFileSync(join(dir, 'short.bin'), Buffer.alloc(9));
    const e = await failure(openLocalSource(source(join(dir, 'short.bin')), 10));
    expect([e.kind, e.error.code, e.error.details]).toEqual([
      'source',
      'SIZE_MISMATCH',
      { source: 'local://mirror', expected: 10, actual: 9 },
    ]);
  });

  it('gives the source up with SOURCE_UNAVAILABLE when the file is missing', async () => {
    const e = await failure(openLocalSource(source(join(dir, 'missing.bin')), 10));
    expect([e.kind, e.error.code]).toEqual(['source', 'SOURCE_UNAVAILABLE']);
    expect(e.error.message).toContain('ENOENT');
  });
});
