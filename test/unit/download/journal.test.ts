import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { currentBootId, hotPath, readHotJournal, readJournal, writeHotJournal, writeJournal } from '../../../main/core/download/journal';

const dir = mkdtempSync(join(tmpdir(), 'journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = 'a'.repeat(64);

describe('resume journal', () => {
  it('round-trips ranges and validators through an atomic write', async () => {
    const path = join(dir, 'j.json');
    await writeJournal(path, { sha256: sha, size: 100, done: [[0, 40]], validators: { 'hf://o/r': { etag: '"x"' } } });
    expect(readdirSync(dir)).toEqual(['j.json']);
    expect(await readJournal(path, { sha256: sha, size: 100 })).toEqual({
      sha256: sha,
      size: 100,
      done: [[0, 40]],
      validators: { 'hf://o/r': { etag: '"x"' } },
    });
  });

  it('ignores a journal for another file, a torn write or garbage', async () => {
    const path = join(dir, 'k.json');
    await writeJournal(path, { sha256: sha, size: 100, done: [[0, 40]], validators: {} });
    expect(await readJournal(path, { sha256: sha, size: 101 })).toBeNull();
    expect(await readJournal(path, { sha256: 'b'.repeat(64), size: 100 })).toBeNull();
    writeFileSync(path, '{"version":1,"sha256":"');
    expect(await readJournal(path, { sha256: sha, size: 100 })).toBeNull();
    writeFileSync(path, JSON.stringify({ version: 1, sha256: sha, size: 100, done: [['x', 1]], validators: {} }));
    expect(await readJournal(path, { sha256: sha, size: 100 })).toBeNull();
    expect(await readJournal(join(dir, 'missing.json'), { sha256: sha, size: 100 })).toBeNull();
  });
});

describe('hot journal', () => {
  it('is trusted within the same boot only', async () => {
    const path = join(dir, 'h.json');
    await writeHotJournal(path, { sha256: sha, size: 100, written: [[0, 70]] });
    expect(await readHotJournal(path, { sha256: sha, size: 100 })).toEqual([[0, 70]]);
    const hot = JSON.parse(readFileSync(hotPath(path), 'utf8')) as { bootId: string };
    expect(hot.bootId).toBe(currentBootId());
    writeFileSync(hotPath(path), JSON.stringify({ ...hot, bootId: 'another-boot' }));
    expect(await readHotJournal(path, { sha256: sha, size: 100 })).toEqual([]);
  });
});
