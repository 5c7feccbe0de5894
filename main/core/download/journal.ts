/**
 * The resume journal next to a partial file: which byte ranges are written and synced, and the
 * validators (ETag / Last-Modified) each source had, so a restart re-fetches only what was in
 * flight and a changed upstream file restarts cleanly instead of mixing bytes. Written
 * atomically (temp file, fsync, rename) and only after the part file itself was fdatasync'ed,
 * so it never claims bytes that a power cut could lose.
 *
 * A second, "hot" journal is rewritten far more often without any fsync: it lists what is in
 * the page cache. A killed process (kill -9, crash) loses none of that, but a power cut may,
 * so the hot journal carries the kernel's boot id and is trusted only within the same boot.
 * Fast links then re-fetch a few MiB after a crash instead of a second or more of data.
 */
import { readFileSync } from 'node:fs';
import { open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { z } from 'zod';
import type { ByteRange } from './range-set';

export interface SourceValidator {
  etag?: string;
  lastModified?: string;
}

export interface JournalState {
  sha256: string;
  size: number;
  done: ByteRange[];
  validators: Record<string, SourceValidator>;
}

const JournalSchema = z.object({
  version: z.literal(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  done: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])),
  validators: z.record(z.string(), z.object({ etag: z.string().optional(), lastModified: z.string().optional() })),
});

/** The journal for `partPath`, or null when there is none or it is unreadable / for another file. */
export async function readJournal(journalPath: string, expected: { sha256: string; size: number }): Promise<JournalState | null> {
  let text: string;
  try {
    text = await readFile(journalPath, 'utf8');
  } catch {
    return null;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = JournalSchema.safeParse(raw);
  if (!parsed.success) return null;
  const j = parsed.data;
  if (j.sha256 !== expected.sha256 || j.size !== expected.size) return null;
  const done = j.done.filter(([s, e]) => s < e && e <= j.size) as ByteRange[];
  const validators: Record<string, SourceValidator> = {};
  for (const [k, v] of Object.entries(j.validators)) {
    const val: SourceValidator = {};
    if (v.etag !== undefined) val.etag = v.etag;
    if (v.lastModified !== undefined) val.lastModified = v.lastModified;
    validators[k] = val;
  }
  return { sha256: j.sha256, size: j.size, done, validators };
}

export async function writeJournal(journalPath: string, state: JournalState): Promise<void> {
  await writeJournalFile(journalPath, JSON.stringify({ version: 1, ...state }), true);
}

/**
 * Writes `text` atomically (temp file, optional fsync, rename), leaving no temp file behind when
 * that fails. On a full disk there is no block for a new copy, but the journal's own block still
 * holds the new state: it is overwritten in place. A torn in-place write is unreadable and only
 * costs re-fetching, never a wrong byte (the parser refuses it, the final hash decides).
 */
async function writeJournalFile(path: string, text: string, sync: boolean): Promise<void> {
  const tmp = `${path}.tmp`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(text);
      if (sync) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOSPC' && code !== 'EDQUOT') throw error;
    const fh = await open(path, 'r+');
    try {
      const bytes = Buffer.from(text);
      await fh.write(bytes, 0, bytes.length, 0);
      await fh.truncate(bytes.length);
      if (sync) await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

export async function removeJournal(journalPath: string): Promise<void> {
  // One unlink each (rm with force stats first): this runs for every file of a model.
  const paths = [journalPath, `${journalPath}.tmp`, hotPath(journalPath), `${hotPath(journalPath)}.tmp`];
  await Promise.all(paths.map((p) => unlink(p).catch(ignoreMissing)));
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

export function hotPath(journalPath: string): string {
  return journalPath.replace(/\.json$/, '') + '.hot.json';
}

let cachedBootId: string | null | undefined;

/** This boot of the machine (Linux), or null where unknown: then the hot journal is not used. */
export function currentBootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

const HotSchema = z.object({
  version: z.literal(1),
  sha256: z.string(),
  size: z.number().int().nonnegative(),
  bootId: z.string(),
  written: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])),
});

/** Ranges in the page cache per the hot journal, if it was written during this boot. */
export async function readHotJournal(journalPath: string, expected: { sha256: string; size: number }): Promise<ByteRange[]> {
  const boot = currentBootId();
  if (!boot) return [];
  try {
    const parsed = HotSchema.safeParse(JSON.parse(await readFile(hotPath(journalPath), 'utf8')));
    if (!parsed.success) return [];
    const h = parsed.data;
    if (h.bootId !== boot || h.sha256 !== expected.sha256 || h.size !== expected.size) return [];
    return h.written.filter(([s, e]) => s < e && e <= h.size) as ByteRange[];
  } catch {
    return [];
  }
}

/** Rewrites the hot journal (no fsync: it only has to survive the process, not the machine). */
export async function writeHotJournal(journalPath: string, state: { sha256: string; size: number; written: ByteRange[] }): Promise<void> {
  const boot = currentBootId();
  if (!boot) return;
  await writeJournalFile(hotPath(journalPath), JSON.stringify({ version: 1, bootId: boot, ...state }), false);
}
