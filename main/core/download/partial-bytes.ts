/** How much of a file a partial download holds, from its journals (for status views). */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readHotJournal, readJournal } from './journal';
import { RangeSet } from './range-set';

/** Bytes present in the partial file of `sha256` according to its journal. */
export async function partialBytes(partialDir: string, sha256: string, size: number): Promise<number> {
  // The part file first: for most files of a model there is none, and one stat says so.
  try {
    if ((await stat(join(partialDir, `${sha256}.part`))).size !== size) return 0;
  } catch {
    return 0;
  }
  const journalPath = join(partialDir, `${sha256}.journal.json`);
  const journal = await readJournal(journalPath, { sha256, size });
  const hot = await readHotJournal(journalPath, { sha256, size });
  if (!journal && hot.length === 0) return 0;
  return new RangeSet([...(journal?.done ?? []), ...hot]).total;
}
