import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AttemptError } from '../../../main/core/download/attempt-error';
import { fetchFilePiece } from '../../../main/core/download/fetch-file-piece';
import { newPiece } from '../../../main/core/download/piece';

const dir = mkdtempSync(join(tmpdir(), 'file-piece-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function copy(data: Buffer, start: number, end: number) {
  const path = join(dir, `src-${data.length}-${start}`);
  writeFileSync(path, data);
  const input = await open(path, 'r');
  const out = Buffer.alloc(data.length);
  let received = 0;
  const piece = newPiece(start, end);
  try {
    await fetchFilePiece(
      {
        input,
        chunkSize: 1000,
        signal: new AbortController().signal,
        now: () => 0,
        where: 'file:///models',
        sink: {
          received: (n) => (received += n),
          write: async (chunks, offset) => {
            Buffer.concat(chunks).copy(out, offset);
          },
        },
      },
      piece,
    );
    return { out, received, piece };
  } finally {
    await input.close();
  }
}

describe('copying a piece from a local source', () => {
  it('copies exactly the range, in chunks, and counts every byte', async () => {
    const data = randomBytes(5_500);
    const { out, received, piece } = await copy(data, 1_200, 4_700);
    expect(out.subarray(1_200, 4_700).equals(data.subarray(1_200, 4_700))).toBe(true);
    expect(received).toBe(3_500);
    expect(piece.written).toBe(4_700);
    expect(piece.attemptBytes).toBe(3_500);
  });

  it('fails the source with SIZE_MISMATCH when the file is shorter than the manifest says', async () => {
    const data = randomBytes(2_000);
    const error = await copy(data, 0, 3_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttemptError);
    expect((error as AttemptError).kind).toBe('source');
    expect((error as AttemptError).error.code).toBe('SIZE_MISMATCH');
    expect((error as AttemptError).error.message).toContain('ended at byte 2000');
  });
});
