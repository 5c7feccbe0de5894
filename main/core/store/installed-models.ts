/**
 * The model directories actually on disk (models/<id>/<variant> with a readable marker),
 * whatever manifest is loaded now: GC and disk usage account for everything in the root.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { ModelsRoot } from './models-root';
import { readMarker, type VerifiedMarker } from './verified-marker';

export interface InstalledModel {
  id: string;
  variant: string;
  dir: string;
  marker: VerifiedMarker;
}

export async function listInstalledModels(layout: ModelsRoot): Promise<InstalledModel[]> {
  const out: InstalledModel[] = [];
  for (const id of await dirNames(layout.modelsDir)) {
    for (const variant of await dirNames(path.join(layout.modelsDir, id))) {
      let dir: string;
      try {
        dir = layout.modelDir(id, variant);
      } catch {
        continue; // a folder name we would never create
      }
      const marker = await readMarker(path.join(dir, '.verified.json'));
      if (marker) out.push({ id, variant, dir, marker });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id) || a.variant.localeCompare(b.variant));
}

/**
 * Removes a model directory so no half-deleted model is ever visible: it is first renamed
 * into .tmp (one atomic step), then deleted there.
 */
export async function removeModelDir(layout: ModelsRoot, id: string, variant: string): Promise<boolean> {
  const dir = layout.modelDir(id, variant);
  const graveyard = path.join(layout.tmpDir, `${layout.key(id, variant)}.removed-${randomBytes(4).toString('hex')}`);
  try {
    await rename(dir, graveyard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await rm(graveyard, { recursive: true, force: true });
  await rmdir(path.dirname(dir)).catch(() => undefined); // drop models/<id> when empty
  return true;
}

async function dirNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}
