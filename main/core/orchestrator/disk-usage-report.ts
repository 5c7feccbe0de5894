/**
 * `diskUsage`: what the models root holds (installed variants with their pins and last use,
 * stored bytes, resumable partial data) and the free space of its volume.
 */
import type { DiskUsage } from '../../../shared/results';
import type { DiskProbe } from '../ports';
import type { BlobStore } from '../store/blob-store';
import { treeSize } from '../store/garbage-collector';
import { listInstalledModels } from '../store/installed-models';
import type { ModelStateStore } from '../store/model-state';
import type { ModelsRoot } from '../store/models-root';
import { sumSizes } from './model-lookup';

export interface DiskUsageDeps {
  layout: ModelsRoot;
  blobs: BlobStore;
  states: ModelStateStore;
  diskProbe: DiskProbe;
  quotaBytes: number | null;
}

export async function diskUsageReport(deps: DiskUsageDeps): Promise<DiskUsage> {
  const { layout } = deps;
  await layout.prepare();
  const installed = await listInstalledModels(layout);
  const states = await deps.states.all();
  const blobs = await deps.blobs.list();
  const space = await deps.diskProbe.space(layout.root);
  let copies = 0;
  for (const m of installed) if (m.marker.linkMode === 'copy') copies += sumSizes(m.marker.files);
  return {
    root: layout.root,
    models: installed.map((m) => {
      const state = states.get(layout.key(m.id, m.variant));
      return {
        id: m.id,
        variant: m.variant,
        bytes: sumSizes(m.marker.files),
        pinned: state?.pinned ?? false,
        lastUsed: state?.lastUsed ?? null,
      };
    }),
    partialBytes: await treeSize(layout.partialDir),
    freeBytes: space.free,
    totalBytes: space.size,
    storedBytes: blobs.reduce((s, b) => s + b.size, 0) + copies,
    linkMode: installed.some((m) => m.marker.linkMode === 'copy') ? 'copy' : 'hardlink',
    quotaBytes: deps.quotaBytes,
  };
}
