/**
 * Where stored models are exported (`export --hf-cache DIR`, `export --to DIR`), in
 * `.state/links/<id>~<variant>.json`. GC counts a live link as a use (the model is not unused
 * while an app loads it from there) and `remove` tells the user where the model is still linked.
 * A link whose folder no longer exists is forgotten when read.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ModelLink } from '../../../shared/results';
import { writeFileDurable } from './durable-write';
import type { ModelsRoot } from './models-root';

const linksSchema = z.array(
  z.object({ kind: z.enum(['hf-cache', 'folder']), dir: z.string(), variant: z.string(), createdAt: z.number() }),
);

export class ModelLinkStore {
  private readonly dir: string;

  constructor(private readonly layout: ModelsRoot) {
    this.dir = path.join(layout.stateDir, 'links');
  }

  private file(id: string, variant: string): string {
    return path.join(this.dir, `${this.layout.key(id, variant)}.json`);
  }

  /** Links of one variant whose folder still exists. */
  async list(id: string, variant: string): Promise<ModelLink[]> {
    let links: ModelLink[];
    try {
      const parsed = linksSchema.safeParse(JSON.parse(await readFile(this.file(id, variant), 'utf8')) as unknown);
      links = parsed.success ? parsed.data : [];
    } catch {
      return [];
    }
    const live: ModelLink[] = [];
    for (const link of links) if (await isDirectory(link.dir)) live.push(link);
    return live;
  }

  /** Records (or refreshes) an export; one entry per folder. */
  async record(id: string, link: ModelLink): Promise<void> {
    const others = (await this.list(id, link.variant)).filter((l) => !(l.dir === link.dir && l.kind === link.kind));
    await mkdir(this.dir, { recursive: true });
    await writeFileDurable(this.file(id, link.variant), `${JSON.stringify([...others, link])}\n`);
  }

  async forget(id: string, variant: string): Promise<void> {
    await rm(this.file(id, variant), { force: true });
  }
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
