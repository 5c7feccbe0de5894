/** Copies one piece of a local (local:// or file://) source into the partial file. */
import type { FileHandle } from 'node:fs/promises';
import { OrchestratorError } from '../../../shared/errors';
import { AttemptError } from './attempt-error';
import type { Piece } from './piece';
import type { PieceSink } from './piece-sink';

export interface FilePieceContext {
  input: FileHandle;
  sink: PieceSink;
  signal: AbortSignal;
  chunkSize: number;
  now: () => number;
  where: string;
}

export async function fetchFilePiece(ctx: FilePieceContext, piece: Piece): Promise<void> {
  while (piece.written < piece.end) {
    ctx.signal.throwIfAborted();
    const want = Math.min(ctx.chunkSize, piece.end - piece.written);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await ctx.input.read(buf, 0, want, piece.written);
    if (bytesRead === 0) {
      throw new AttemptError(
        'source',
        new OrchestratorError(
          'SIZE_MISMATCH',
          `${ctx.where}: the file ended at byte ${piece.written}, shorter than the manifest says. Check the local mirror.`,
          { source: ctx.where },
        ),
      );
    }
    ctx.sink.received(bytesRead);
    piece.lastByteAt = ctx.now();
    piece.attemptBytes += bytesRead;
    const at = piece.written;
    piece.received = at + bytesRead;
    await ctx.sink.write([buf.subarray(0, bytesRead)], at, bytesRead);
    piece.written = at + bytesRead;
  }
}
