/**
 * A DiskProbe for a pretend volume of `capacity` bytes holding only the models root: free space
 * is the capacity minus what the root really stores, so GC effects show up as they would.
 */
import type { DiskProbe } from '../../../../main/core/ports';
import { treeSize } from '../../../../main/core/store/garbage-collector';

export function virtualDisk(root: string, capacity: number): DiskProbe & { calls: number } {
  const probe = {
    calls: 0,
    async space() {
      probe.calls++;
      const used = (await treeSize(`${root}/blobs`)) + (await treeSize(`${root}/.partial`));
      return { free: Math.max(0, capacity - used), size: capacity };
    },
  };
  return probe;
}
