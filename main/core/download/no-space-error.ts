/**
 * The NO_SPACE error of a download: which folder is full, how much the download still needs, how
 * much is free and so how much is missing, and that the bytes already downloaded are kept.
 */
import { statfs } from 'node:fs/promises';
import { formatBinaryBytes } from '../../../shared/byte-sizes';
import { OrchestratorError } from '../../../shared/errors';

export interface NoSpaceContext {
  /** The folder being written (the models root's .partial). */
  folder: string;
  file: { path: string; size: number };
  /** Bytes of the file already on disk. */
  bytesPresent: number;
}

export async function noSpaceError(ctx: NoSpaceContext): Promise<OrchestratorError> {
  const bytesNeeded = Math.max(0, ctx.file.size - ctx.bytesPresent);
  let bytesAvailable: number | null = null;
  try {
    const s = await statfs(ctx.folder);
    bytesAvailable = s.bavail * s.bsize;
  } catch {
    // The figures are a courtesy; the error stands without them.
  }
  // At least one block is missing, or the write would not have failed.
  const bytesMissing = bytesAvailable === null ? null : Math.max(bytesNeeded - bytesAvailable, 4096);
  const figures =
    bytesAvailable === null || bytesMissing === null
      ? `${formatBinaryBytes(bytesNeeded)} still to download`
      : `${formatBinaryBytes(bytesNeeded)} still to download, ${formatBinaryBytes(bytesAvailable)} free: ${formatBinaryBytes(bytesMissing)} missing`;
  const kept =
    ctx.bytesPresent > 0
      ? ` The ${formatBinaryBytes(ctx.bytesPresent)} already downloaded are kept and the download resumes from there.`
      : '';
  return new OrchestratorError(
    'NO_SPACE',
    `Not enough space in ${ctx.folder} for ${ctx.file.path} (${figures}). Free ${bytesMissing === null ? 'some space' : `at least ${formatBinaryBytes(bytesMissing)}`} on that disk or run gc, then try again.${kept}`,
    {
      path: ctx.folder,
      file: ctx.file.path,
      bytesNeeded,
      ...(bytesAvailable === null ? {} : { bytesAvailable }),
      ...(bytesMissing === null ? {} : { bytesMissing }),
      partialBytes: ctx.bytesPresent,
    },
  );
}
