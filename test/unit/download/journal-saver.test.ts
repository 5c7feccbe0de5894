import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHotJournal, readJournal } from '../../../main/core/download/journal';
import { JournalSaver } from '../../../main/core/download/journal-saver';
import { RangeSet } from '../../../main/core/download/range-set';

const dir = mkdtempSync(join(tmpdir(), 'journal-saver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = 'c'.repeat(64);

async function setup(name: string, options: { journalBytes?: number; hotJournalBytes?: number; now?: () => number } = {}) {
  const journalPath = join(dir, `${name}.journal.json`);
  const fh = await open(join(dir, `${name}.part`), 'w+');
  await fh.truncate(1000);
  const done = new RangeSet();
  const saver = new JournalSaver({
    journalPath,
    sha256: sha,
    size: 1000,
    journalBytes: options.journalBytes ?? 100,
    hotJournalBytes: options.hotJournalBytes ?? 30,
    hotJournalIntervalMs: 50,
    journalIntervalMs: 60_000,
    now: options.now ?? (() => 0),
    done: () => done,
    validators: () => ({ 'https://a': { etag: '"e1"' } }),
    file: () => fh,
  });
  return { journalPath, fh, done, saver };
}

describe('journal saving while bytes arrive', () => {
  it('writes the synced journal after journalBytes, with ranges and validators', async () => {
    const { journalPath, fh, done, saver } = await setup('a');
    done.add(0, 120);
    saver.recorded(120);
    await saver.idle();
    expect(await readJournal(journalPath, { sha256: sha, size: 1000 })).toEqual({
      sha256: sha,
      size: 1000,
      done: [[0, 120]],
      validators: { 'https://a': { etag: '"e1"' } },
    });
    await fh.close();
  });

  it('writes only the hot journal after hotJournalBytes', async () => {
    const { journalPath, fh, done, saver } = await setup('b');
    done.add(0, 40);
    saver.recorded(40);
    await saver.idle();
    expect(await readJournal(journalPath, { sha256: sha, size: 1000 })).toBeNull();
    expect(await readHotJournal(journalPath, { sha256: sha, size: 1000 })).toEqual([[0, 40]]);
    await fh.close();
  });

  it('writes the hot journal by time as well: bytes that waited hotJournalIntervalMs are recorded though fewer than hotJournalBytes', async () => {
    let now = 1000;
    const { journalPath, fh, done, saver } = await setup('slow', { now: () => now });
    done.add(0, 5);
    saver.recorded(5);
    now += 30;
    done.add(5, 10);
    saver.recorded(5);
    await saver.idle();
    expect(await readHotJournal(journalPath, { sha256: sha, size: 1000 })).toEqual([]);
    now += 20; // the first of these bytes has now waited 50 ms
    done.add(10, 15);
    saver.recorded(5);
    await saver.idle();
    expect(await readHotJournal(journalPath, { sha256: sha, size: 1000 })).toEqual([[0, 15]]);
    expect(await readJournal(journalPath, { sha256: sha, size: 1000 })).toBeNull();
    await fh.close();
  });

  it('coalesces saves asked for while one runs, and the last one records the latest ranges', async () => {
    const { journalPath, fh, done, saver } = await setup('c');
    done.add(0, 10);
    const first = saver.save();
    done.add(10, 50);
    void saver.save();
    done.add(50, 60);
    void saver.save();
    await first;
    await saver.idle();
    expect((await readJournal(journalPath, { sha256: sha, size: 1000 }))?.done).toEqual([[0, 60]]);
    await fh.close();
  });

  it('records an empty file after a reset', async () => {
    const { journalPath, fh, done, saver } = await setup('d');
    done.add(0, 500);
    await saver.save();
    done.clear();
    saver.reset();
    await saver.idle();
    expect((await readJournal(journalPath, { sha256: sha, size: 1000 }))?.done).toEqual([]);
    await fh.close();
  });
});
