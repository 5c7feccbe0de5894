/**
 * The real DiskProbe: free and total bytes of the volume holding a path, via check-disk-space
 * (statfs-like output of `df` on POSIX, PowerShell/wmic on Windows).
 */
import checkDiskSpace from 'check-disk-space';
import { OrchestratorError } from '../../../shared/errors';
import type { DiskProbe, DiskSpace } from '../ports';

export function createDiskProbe(): DiskProbe {
  return {
    async space(path: string): Promise<DiskSpace> {
      try {
        const { free, size } = await checkDiskSpace(path);
        return { free, size };
      } catch (error) {
        throw new OrchestratorError(
          'FILESYSTEM_ERROR',
          `createDiskProbe: could not read the free space of ${path} (${error instanceof Error ? error.message : String(error)}). Check that the folder exists and is readable.`,
          { path },
          { cause: error },
        );
      }
    },
  };
}
