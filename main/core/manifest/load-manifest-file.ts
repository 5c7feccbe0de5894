/** Reads a manifest file from disk; the format comes from the extension (.toml / .json). */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { OrchestratorError, toOrchestratorError } from '../../../shared/errors';
import type { Manifest } from '../../../shared/manifest';
import { parseManifestText, type ManifestFormat } from './parse-manifest';

/** Manifests are small; anything bigger is almost certainly the wrong file. */
const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

export async function loadManifestFile(path: string, options: { localMirrorRoot?: string } = {}): Promise<Manifest> {
  const manifestPath = resolve(path);
  let size: number;
  try {
    const info = await stat(manifestPath);
    if (info.isDirectory()) {
      throw new OrchestratorError(
        'MISSING_MANIFEST',
        `${manifestPath} is a folder, not a manifest. Pass the path of a models.toml or models.json file.`,
        { manifestPath },
      );
    }
    size = info.size;
  } catch (error) {
    throw missingOr(error, manifestPath);
  }
  if (size > MAX_MANIFEST_BYTES) {
    throw new OrchestratorError(
      'MANIFEST_VALIDATION_ERROR',
      `The manifest ${manifestPath} is ${size} bytes, larger than the ${MAX_MANIFEST_BYTES} bytes a manifest may have. Check that this is the right file.`,
      { manifestPath, problems: [{ path: '(document)', message: `is ${size} bytes, more than ${MAX_MANIFEST_BYTES}` }] },
    );
  }
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    throw missingOr(error, manifestPath);
  }
  return parseManifestText(text, { format: formatOf(manifestPath, text), manifestPath, ...options });
}

/** .json and .toml decide; any other name is sniffed (a JSON manifest starts with `{`). */
export function formatOf(path: string, text: string): ManifestFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.toml') return 'toml';
  return text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('{')
    ? 'json'
    : 'toml';
}

function missingOr(error: unknown, manifestPath: string): OrchestratorError {
  if (error instanceof OrchestratorError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new OrchestratorError(
      'MISSING_MANIFEST',
      `No manifest at ${manifestPath}. Create it, or point to one with --manifest FILE or the MODELS_MANIFEST variable.`,
      { manifestPath },
    );
  }
  return toOrchestratorError(error, `Reading the manifest ${manifestPath}`);
}
