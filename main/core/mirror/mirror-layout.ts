/**
 * The mirror layout, a contract any S3 tool can read (docs/mirror.md):
 *
 *   <prefix>/blobs/sha256/<hex>          one immutable object per file content
 *   <prefix>/manifests/<model-id>.toml   the model's manifest entry, the mirror's blobs first among its sources
 *   <prefix>/index.json                  {"models":[{"id","version","variants","totalBytes"}]}
 *
 * A source whose path ends in `/blobs/sha256` is content-addressed: a file's URL is the base
 * joined with the file's sha256, not with its path. That is how a manifest entry names a mirror.
 */
import { OrchestratorError } from '../../../shared/errors';

export const BLOBS_DIR = 'blobs/sha256';
export const INDEX_NAME = 'index.json';

export interface MirrorIndexEntry {
  id: string;
  version: string;
  variants: string[];
  totalBytes: number;
}

export interface MirrorIndex {
  models: MirrorIndexEntry[];
}

function trimSlashes(text: string): string {
  return text.replace(/\/+$/, '');
}

/** `<prefix>/blobs/sha256/<hex>` relative to the bucket (or the https base). */
export function blobKey(prefix: string, sha256: string): string {
  return joinKey(prefix, `${BLOBS_DIR}/${sha256}`);
}

export function manifestKey(prefix: string, id: string): string {
  return joinKey(prefix, `manifests/${id}.toml`);
}

export function indexKey(prefix: string): string {
  return joinKey(prefix, INDEX_NAME);
}

function joinKey(prefix: string, rest: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  return p ? `${p}/${rest}` : rest;
}

/** The content-addressed source of a mirror root: `s3://team/models` → `s3://team/models/blobs/sha256`. */
export function mirrorBlobsBase(mirror: string): string {
  const base = trimSlashes(mirror);
  return base.endsWith(`/${BLOBS_DIR}`) ? base : `${base}/${BLOBS_DIR}`;
}

/**
 * For a content-addressed source, the name of the blob holding `sha256` (null when the sha256
 * is unknown); undefined for an ordinary source, whose files are found by path.
 */
export function contentAddressedBlob(source: string, sha256: string | undefined): string | null | undefined {
  if (!trimSlashes(source.replace(/[?#].*$/, '')).endsWith(`/${BLOBS_DIR}`)) return undefined;
  return sha256 && /^[0-9a-f]{64}$/.test(sha256) ? sha256 : null;
}

/** `MODELS_MIRRORS` or the setting: comma-separated `s3://…` or `https://…` (or `http://`) mirror roots. */
export function parseMirrorList(text: string): string[] {
  const mirrors: string[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (!/^(s3|https?):\/\/[^/\s]+/i.test(entry) || /\s/.test(entry)) {
      throw new OrchestratorError(
        'INVALID_CONFIG',
        `MODELS_MIRRORS: ${JSON.stringify(entry.replace(/\/\/[^@/]*@/, '//'))} is not a mirror. Use comma-separated s3://bucket/prefix or https://host/prefix roots.`,
        { mirror: entry.replace(/\/\/[^@/]*@/, '//').replace(/[?#].*$/, '') },
      );
    }
    mirrors.push(trimSlashes(entry));
  }
  return mirrors;
}

/** Parses index.json (untrusted) into the index, or says what is wrong with it. */
export function parseMirrorIndex(text: string, where: string): MirrorIndex {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new OrchestratorError('INVALID_CONFIG', `${where} is not JSON; is this the root of a model mirror?`, { source: where });
  }
  const models = (data as { models?: unknown }).models;
  if (!Array.isArray(models)) {
    throw new OrchestratorError('INVALID_CONFIG', `${where} has no "models" list; is this the root of a model mirror?`, { source: where });
  }
  const out: MirrorIndexEntry[] = [];
  for (const m of models as unknown[]) {
    const e = m as Partial<MirrorIndexEntry>;
    if (typeof e.id !== 'string' || typeof e.version !== 'string' || !Array.isArray(e.variants) || typeof e.totalBytes !== 'number') {
      throw new OrchestratorError('INVALID_CONFIG', `${where}: an entry lacks id, version, variants or totalBytes.`, { source: where });
    }
    out.push({ id: e.id, version: e.version, variants: e.variants.map(String), totalBytes: e.totalBytes });
  }
  return { models: out };
}
