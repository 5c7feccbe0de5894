/**
 * The multipart uploads a push has under way, in `<root>/.state/mirror-uploads/`: one small file
 * per target object holding its upload id and part size, so a push killed mid-file resumes the
 * same upload (ListParts says which parts the store already holds) instead of starting over.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileDurable } from '../store/durable-write';

const entrySchema = z.object({
  target: z.string(),
  uploadId: z.string(),
  partSize: z.number().int().positive(),
  size: z.number().int().nonnegative(),
  sha256: z.string(),
});

export type UploadJournalEntry = z.infer<typeof entrySchema>;

export class UploadJournal {
  constructor(private readonly dir: string) {}

  private file(target: string): string {
    return path.join(this.dir, `${createHash('sha256').update(target).digest('hex').slice(0, 32)}.json`);
  }

  async read(target: string): Promise<UploadJournalEntry | null> {
    try {
      const parsed = entrySchema.safeParse(JSON.parse(await readFile(this.file(target), 'utf8')) as unknown);
      return parsed.success && parsed.data.target === target ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async write(entry: UploadJournalEntry): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileDurable(this.file(entry.target), `${JSON.stringify(entry)}\n`);
  }

  async remove(target: string): Promise<void> {
    await rm(this.file(target), { force: true });
  }
}
