/**
 * What the store remembers about each model variant besides its files, in
 * `.state/models/<id>~<variant>.json`: pinned, last use, and the outcome of the last
 * verification (a failed one keeps the model CORRUPT until a later ensure/verify succeeds).
 * One small file per variant, so two processes touching different models never clobber each other.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileDurable } from './durable-write';
import type { ModelsRoot } from './models-root';

const stateSchema = z.object({
  pinned: z.boolean().default(false),
  lastUsed: z.number().nullable().default(null),
  corrupt: z.boolean().default(false),
  /** Files the last failed verification found bad (wrong hash/size) or missing. */
  badFiles: z.array(z.string()).default([]),
  lastVerifiedAt: z.number().nullable().default(null),
  /** Which source served each file of the last download (credentials stripped), by manifest path. */
  fileSources: z.record(z.string(), z.string()).default({}),
});

export type ModelState = z.infer<typeof stateSchema>;

export const EMPTY_STATE: ModelState = {
  pinned: false,
  lastUsed: null,
  corrupt: false,
  badFiles: [],
  lastVerifiedAt: null,
  fileSources: {},
};

export class ModelStateStore {
  private readonly dir: string;
  private readonly queue = new Map<string, Promise<void>>();

  constructor(private readonly layout: ModelsRoot) {
    this.dir = path.join(layout.stateDir, 'models');
  }

  private file(id: string, variant: string): string {
    return path.join(this.dir, `${this.layout.key(id, variant)}.json`);
  }

  async read(id: string, variant: string): Promise<ModelState> {
    try {
      const parsed = stateSchema.safeParse(JSON.parse(await readFile(this.file(id, variant), 'utf8')) as unknown);
      return parsed.success ? parsed.data : { ...EMPTY_STATE };
    } catch {
      return { ...EMPTY_STATE };
    }
  }

  async update(id: string, variant: string, change: Partial<ModelState>): Promise<ModelState> {
    // Read-modify-write one at a time per variant, so a pin and a last-use update in this
    // process never overwrite each other.
    const key = this.layout.key(id, variant);
    const previous = this.queue.get(key) ?? Promise.resolve();
    const run = previous.then(async () => {
      const next = { ...(await this.read(id, variant)), ...change };
      await mkdir(this.dir, { recursive: true });
      await writeFileDurable(this.file(id, variant), `${JSON.stringify(next)}\n`);
      return next;
    });
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.queue.set(key, settled);
    void settled.then(() => {
      if (this.queue.get(key) === settled) this.queue.delete(key);
    });
    return run;
  }

  /** Forgets everything but the pin (after a model is removed). */
  async forget(id: string, variant: string): Promise<void> {
    const state = await this.read(id, variant);
    if (state.pinned) await this.update(id, variant, { ...EMPTY_STATE, pinned: true });
    else {
      await this.queue.get(this.layout.key(id, variant));
      await rm(this.file(id, variant), { force: true });
    }
  }

  /** Every recorded variant: key `<id>~<variant>` -> state. */
  async all(): Promise<Map<string, ModelState>> {
    const out = new Map<string, ModelState>();
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return out;
    }
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const key = name.slice(0, -'.json'.length);
      const [id, variant] = key.split('~');
      if (id && variant) out.set(key, await this.read(id, variant));
    }
    return out;
  }
}
