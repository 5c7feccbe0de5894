import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeJournal } from '../../../main/core/download/journal';
import { partialBytes } from '../../../main/core/download/partial-bytes';

const dir = mkdtempSync(join(tmpdir(), 'partial-bytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = 'd'.repeat(64);

describe('bytes of a partial download', () => {
  it('counts what the journal says the part file holds, and nothing without the part file', async () => {
    expect(await partialBytes(dir, sha, 1000)).toBe(0);
    await writeJournal(join(dir, `${sha}.journal.json`), {
      sha256: sha,
      size: 1000,
      done: [
        [0, 100],
        [500, 550],
      ],
      validators: {},
    });
    expect(await partialBytes(dir, sha, 1000)).toBe(0);
    writeFileSync(join(dir, `${sha}.part`), Buffer.alloc(1000));
    expect(await partialBytes(dir, sha, 1000)).toBe(150);
    expect(await partialBytes(dir, sha, 999)).toBe(0);
  });
});
