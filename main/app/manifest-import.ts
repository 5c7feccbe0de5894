/**
 * File › Import Manifest…: reads the chosen file (bounded, as text) into the API's
 * `importManifest` input and turns the result into the message box the user sees.
 * Drag-and-drop goes through the renderer, which sends the text through the same API call.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ImportManifestResult } from '../../shared/api';
import { OrchestratorError, toOrchestratorError } from '../../shared/errors';

/** The API accepts manifests up to 8 Mi characters; refuse bigger files before reading them. */
export const MAX_IMPORT_BYTES = 8 * 1024 * 1024;

export const IMPORT_DIALOG_FILTERS = [
  { name: 'Model manifests', extensions: ['toml', 'json'] },
  { name: 'All files', extensions: ['*'] },
];

export async function readManifestForImport(path: string): Promise<{ name: string; text: string }> {
  try {
    const info = await stat(path);
    if (!info.isFile())
      throw new OrchestratorError('MISSING_MANIFEST', `${path} is not a file. Choose a models.toml or models.json file.`, { path });
    if (info.size > MAX_IMPORT_BYTES) {
      throw new OrchestratorError(
        'MANIFEST_VALIDATION_ERROR',
        `${basename(path)} is ${info.size} bytes, more than a manifest may have (${MAX_IMPORT_BYTES}). Check that this is the right file.`,
        { path },
      );
    }
    return { name: basename(path), text: await readFile(path, 'utf8') };
  } catch (error) {
    throw toOrchestratorError(error, `Importing ${basename(path)}`);
  }
}

export interface ImportMessage {
  type: 'info' | 'warning' | 'error';
  message: string;
  detail: string;
}

/** At most this many problems are listed in the box; the rest are counted. */
const SHOWN_PROBLEMS = 8;

export function importMessage(result: ImportManifestResult): ImportMessage {
  const lines = (problems: { path: string; message: string }[]) => {
    const shown = problems.slice(0, SHOWN_PROBLEMS).map((p) => `• ${p.path}: ${p.message}`);
    if (problems.length > SHOWN_PROBLEMS) shown.push(`… and ${problems.length - SHOWN_PROBLEMS} more.`);
    return shown.join('\n');
  };
  if (!result.ok) {
    const detail = [result.error?.message ?? 'The manifest could not be imported.', lines(result.problems)].filter(Boolean).join('\n\n');
    return { type: 'error', message: `${result.name} was not imported.`, detail };
  }
  const added = result.added.length === 1 ? '1 model' : `${result.added.length} models`;
  if (result.conflicts.length) {
    return {
      type: 'warning',
      message: `Imported ${added} from ${result.name}; ${result.conflicts.length} skipped.`,
      detail: `These models are already defined differently by another manifest:\n${lines(result.conflicts)}`,
    };
  }
  return { type: 'info', message: `Imported ${added} from ${result.name}.`, detail: result.added.join('\n') };
}
