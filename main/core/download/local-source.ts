/** Opening a local (local:// or file://) source for one file, checked against the manifest's size. */
import { open, type FileHandle } from 'node:fs/promises';
import { OrchestratorError, toOrchestratorError, type ErrorCode } from '../../../shared/errors';
import type { ResolvedSource } from '../ports';
import { AttemptError } from './attempt-error';

export type LocalSource = Extract<ResolvedSource, { kind: 'file' }>;

/** The open file; an AttemptError of kind 'source' when it cannot be read or has the wrong size. */
export async function openLocalSource(src: LocalSource, size: number): Promise<FileHandle> {
  let input: FileHandle;
  try {
    input = await open(src.filePath, 'r');
  } catch (error) {
    const e = toOrchestratorError(error, src.base);
    const code: ErrorCode = e.code === 'PERMISSION_DENIED' ? 'PERMISSION_DENIED' : 'SOURCE_UNAVAILABLE';
    throw new AttemptError(
      'source',
      new OrchestratorError(
        code,
        `${src.base}: cannot read ${src.filePath} (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check the local mirror.`,
        { source: src.base, path: src.filePath },
      ),
    );
  }
  const actual = (await input.stat()).size;
  if (actual !== size) {
    await input.close();
    throw new AttemptError(
      'source',
      new OrchestratorError(
        'SIZE_MISMATCH',
        `${src.base}: ${src.filePath} has ${actual} bytes but the manifest says ${size}. Check the local mirror.`,
        { source: src.base, expected: size, actual },
      ),
    );
  }
  return input;
}
