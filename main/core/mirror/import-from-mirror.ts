/**
 * Imports models from a mirror into a local manifest file: the mirror's index.json lists them,
 * each `manifests/<id>.toml` is fetched, validated like any manifest, and its model written
 * into the target manifest (created when missing; an entry with the same id is replaced). The
 * written sources keep the mirror first, so `ensure` pulls from it and falls back to the origin.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml, stringify } from 'smol-toml';
import { OrchestratorError } from '../../../shared/errors';
import type { ModelSpec } from '../../../shared/manifest';
import { formatOf, parseManifestText } from '../manifest/index';
import { writeFileDurable } from '../store/durable-write';
import { INDEX_NAME, parseMirrorIndex } from './mirror-layout';
import { manifestTableOf } from './mirror-manifest-entry';
import { openMirrorReader } from './mirror-reader';
import type { S3ClientOptions } from './s3-client';

export interface ImportFromMirrorOptions {
  /** A mirror root (`s3://bucket/prefix`, `https://…`) or one entry (`…/manifests/<id>.toml`). */
  from: string;
  /** Only these models (default: every model in the index). */
  ids?: string[];
  /** The manifest file to write into. */
  manifest: string;
  s3: S3ClientOptions;
  signal?: AbortSignal;
}

export interface ImportFromMirrorResult {
  mirror: string;
  manifest: string;
  imported: Array<{ id: string; version: string; variants: string[] }>;
}

export async function importFromMirror(options: ImportFromMirrorOptions): Promise<ImportFromMirrorResult> {
  const single = /^(.*)\/manifests\/([^/]+)\.toml$/.exec(options.from.replace(/\/+$/, ''));
  const mirror = single ? (single[1] as string) : options.from.replace(/\/+$/, '');
  const reader = openMirrorReader(mirror, options.s3);
  try {
    let ids: string[];
    if (single) ids = [decodeURIComponent(single[2] as string)];
    else {
      const indexText = await reader.read(INDEX_NAME, options.signal);
      if (indexText === null) {
        throw new OrchestratorError(
          'SOURCE_UNAVAILABLE',
          `${mirror}/${INDEX_NAME} does not exist: nothing has been pushed to this mirror yet (run \`modelctl mirror push\`), or the prefix is wrong.`,
          {
            mirror,
          },
        );
      }
      const listed = parseMirrorIndex(indexText, `${mirror}/${INDEX_NAME}`).models.map((m) => m.id);
      const wanted = options.ids && options.ids.length > 0 ? options.ids : listed;
      const unknown = wanted.filter((id) => !listed.includes(id));
      if (unknown.length > 0) {
        throw new OrchestratorError(
          'MODEL_NOT_FOUND',
          `${mirror} has no model ${unknown.join(', ')}; it holds ${listed.join(', ') || 'no models'}.`,
          {
            mirror,
            missing: unknown,
            available: listed,
          },
        );
      }
      ids = wanted;
    }
    const models: ModelSpec[] = [];
    for (const id of ids) {
      const where = `${mirror}/manifests/${id}.toml`;
      const text = await reader.read(`manifests/${id}.toml`, options.signal);
      if (text === null)
        throw new OrchestratorError('MODEL_NOT_FOUND', `${where} does not exist; push the model to the mirror first.`, { mirror, id });
      const parsed = parseManifestText(text, { format: 'toml' }).models.find((m) => m.id === id);
      if (!parsed) throw new OrchestratorError('MANIFEST_VALIDATION_ERROR', `${where} does not define the model ${id}.`, { mirror, id });
      models.push(parsed);
    }
    const manifest = path.resolve(options.manifest);
    await writeModelsInto(manifest, models);
    return { mirror, manifest, imported: models.map((m) => ({ id: m.id, version: m.version, variants: m.variants })) };
  } finally {
    await reader.close();
  }
}

/** Adds or replaces `models` in the manifest file, keeping its other models; validates before writing. */
async function writeModelsInto(manifest: string, models: ModelSpec[]): Promise<void> {
  let text: string | null = null;
  try {
    text = await readFile(manifest, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const format = text === null ? (manifest.toLowerCase().endsWith('.json') ? 'json' : 'toml') : formatOf(manifest, text);
  let document: Record<string, unknown> = { schema_version: 1, models: {} };
  if (text !== null && text.trim() !== '') {
    parseManifestText(text, { format, manifestPath: manifest }); // refuse to rewrite a manifest that is already broken
    document = (format === 'json' ? JSON.parse(text) : parseToml(text, { integersAsBigInt: 'asNeeded' })) as Record<string, unknown>;
  }
  const table = (document.models ?? {}) as Record<string, unknown>;
  for (const m of models) table[m.id] = manifestTableOf(m, m.sources);
  document.models = table;
  const out = format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : `${stringify(document)}\n`;
  parseManifestText(out, { format, manifestPath: manifest });
  await writeFileDurable(manifest, out);
}
