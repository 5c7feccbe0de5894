/**
 * `remove` for one model variant: under its lock, the model directory and its state go, then
 * every blob no other installed model still links to. Reports the bytes given back to the disk.
 */
import type { ModelSpec } from '../../../shared/manifest';
import type { BlobStore } from '../store/blob-store';
import { listInstalledModels, removeModelDir } from '../store/installed-models';
import type { ModelLocks } from '../store/model-locks';
import type { ModelStateStore } from '../store/model-state';
import type { ModelsRoot } from '../store/models-root';
import { readMarker } from '../store/verified-marker';
import { sumSizes } from './model-lookup';

export interface RemoveDeps {
  layout: ModelsRoot;
  blobs: BlobStore;
  locks: ModelLocks;
  states: ModelStateStore;
  lockTimeoutMs: number;
}

export async function removeModelVariant(deps: RemoveDeps, model: ModelSpec, variant: string): Promise<number> {
  const { layout, blobs, locks, states } = deps;
  await layout.prepare();
  const lock = await locks.acquire(layout.key(model.id, variant), 'remove', {
    timeoutMs: deps.lockTimeoutMs,
    what: `${model.id} (${variant})`,
  });
  let bytesFreed = 0;
  try {
    const marker = await readMarker(layout.markerPath(model.id, variant));
    const copies = marker?.linkMode === 'copy' ? sumSizes(marker.files) : 0;
    if (await removeModelDir(layout, model.id, variant)) bytesFreed += copies;
    await states.forget(model.id, variant);
    const stillUsed = new Set((await listInstalledModels(layout)).flatMap((m) => m.marker.files.map((f) => f.sha256)));
    for (const sha of new Set((marker?.files ?? []).map((f) => f.sha256))) {
      const info = await blobs.info(sha);
      if (info && !stillUsed.has(sha) && info.links <= 1) {
        await blobs.remove(sha);
        bytesFreed += info.size;
      }
    }
  } finally {
    await lock.release();
  }
  return bytesFreed;
}
