import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reserveSpace } from '../../../main/core/download/reserve-space';

const dir = mkdtempSync(join(tmpdir(), 'reserve-space-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MiB = 1024 * 1024;

describe('reserving a download’s disk space', () => {
  it('allocates the blocks of a sparse partial file without changing its size or bytes', async () => {
    const file = join(dir, 'a.part');
    writeFileSync(file, Buffer.from('head'));
    truncateSync(file, 8 * MiB);
    const outcome = await reserveSpace(file, 8 * MiB);
    const st = statSync(file);
    expect(st.size).toBe(8 * MiB);
    // Where fallocate exists and the filesystem supports it (Linux CI), the blocks are allocated.
    if (outcome === 'reserved') expect(st.blocks * 512).toBeGreaterThanOrEqual(8 * MiB);
    expect(['reserved', 'sparse']).toContain(outcome);
  });

  it('stays sparse where the fallocate program is missing', async () => {
    const file = join(dir, 'b.part');
    writeFileSync(file, '');
    truncateSync(file, 1 * MiB);
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'no-such-bin');
    try {
      expect(await reserveSpace(file, 1 * MiB)).toBe('sparse');
    } finally {
      process.env.PATH = path;
    }
    expect(statSync(file).size).toBe(1 * MiB);
  });
});
