/**
 * `local://rel/path` (against the model's local mirror root) and `file:///abs/path` sources:
 * the bytes are read straight from disk.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrchestratorError } from '../../../shared/errors';
import type { ModelSpec } from '../../../shared/manifest';
import type { ResolvedSource, SourceBackend } from '../ports';

export function createLocalSourceBackend(options: { localMirrorRoot?: string }): SourceBackend {
  return {
    schemes: ['local'],
    resolve(base: string, filePath: string, model: ModelSpec): ResolvedSource {
      const root = model.localMirrorRoot ?? options.localMirrorRoot;
      if (!root) {
        throw new OrchestratorError(
          'INVALID_CONFIG',
          `${base}: local:// sources need a local mirror root. Set one in the settings or load the manifest from a file.`,
          { source: base },
        );
      }
      const rel = decodeURIComponent(base.slice('local://'.length)).replace(/^\/+/, '');
      const folder = resolve(root, rel);
      return { kind: 'file', base, filePath: join(folder, ...filePath.split('/')) };
    },
  };
}

export function createFileSourceBackend(): SourceBackend {
  return {
    schemes: ['file'],
    resolve(base: string, filePath: string): ResolvedSource {
      let folder: string;
      try {
        folder = fileURLToPath(base);
      } catch (error) {
        throw new OrchestratorError(
          'INVALID_CONFIG',
          `${base}: not a valid file:// URL (use file:///absolute/path).`,
          { source: base },
          { cause: error },
        );
      }
      if (!isAbsolute(folder)) {
        throw new OrchestratorError('INVALID_CONFIG', `${base}: file:// sources need an absolute path.`, { source: base });
      }
      return { kind: 'file', base, filePath: join(folder, ...filePath.split('/')) };
    },
  };
}
