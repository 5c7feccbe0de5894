/**
 * `modelctl mirror push`: copies the verified blobs of complete models from the local store to a
 * mirror (`<prefix>/blobs/sha256/<hex>`), then writes each model's manifest entry and merges
 * the index. Only models whose marker says complete are pushed, each blob's size is checked
 * again, and each blob is hashed while it is read for upload (see upload-blob.ts). Blobs the
 * mirror already holds with the right size (HEAD) are skipped, so a second push sends nothing.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { OrchestratorError } from '../../../shared/errors';
import { filesForVariant, type ModelSpec } from '../../../shared/manifest';
import type { MirrorPushResult, MirrorPushSkip } from '../../../shared/results';
import { parseS3Url } from '../sources/index';
import { ModelsRoot } from '../store/models-root';
import { readMarker } from '../store/verified-marker';
import { MemorySlots } from './memory-slots';
import { blobKey, indexKey, manifestKey, parseMirrorIndex, type MirrorIndexEntry } from './mirror-layout';
import { mirrorManifestEntry } from './mirror-manifest-entry';
import { S3Client, type S3ClientOptions } from './s3-client';
import { uploadBlob } from './upload-blob';
import { UploadJournal } from './upload-journal';

export interface PushProgress {
  bytesDone: number;
  bytesTotal: number;
  bytesUploaded: number;
}

export interface PushToMirrorOptions {
  root: string;
  /** The models to push (resolved from the manifest by the caller). */
  models: ModelSpec[];
  /** Only this variant of each model (default: every complete variant). */
  variant?: string;
  /** `s3://bucket/prefix`. */
  to: string;
  s3: S3ClientOptions;
  /** Preferred part size for multipart uploads (default 16 MiB; at least 5 MiB). */
  partSize?: number;
  /** Parts in memory and in flight at once, across all files (default 4). */
  parallelParts?: number;
  signal?: AbortSignal;
  onProgress?: (progress: PushProgress) => void;
}

interface Blob {
  sha256: string;
  size: number;
  file: string;
}

export async function pushToMirror(options: PushToMirrorOptions): Promise<MirrorPushResult> {
  if (!/^s3:\/\//i.test(options.to)) {
    throw new OrchestratorError('INVALID_CONFIG', `--to ${options.to}: push needs an s3://bucket/prefix mirror.`, { to: options.to });
  }
  const { bucket, prefix } = parseS3Url(options.to);
  const mirror = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
  const layout = new ModelsRoot(options.root);
  const client = new S3Client(options.s3);
  try {
    const skipped: MirrorPushSkip[] = [];
    const selected: Array<{ model: ModelSpec; variant: string; blobs: Blob[] }> = [];
    for (const model of options.models) {
      const variants = options.variant !== undefined ? [options.variant] : model.variants;
      for (const variant of variants) {
        const blobs = await verifiedBlobs(layout, model, variant);
        if (blobs === null) skipped.push({ id: model.id, variant, reason: 'not-complete' });
        else selected.push({ model, variant, blobs });
      }
    }

    const unique = new Map<string, Blob>();
    for (const s of selected) for (const b of s.blobs) unique.set(b.sha256, b);
    const missing = new Set<string>();
    await eachLimited([...unique.values()], 8, async (blob) => {
      const head = await client.head(bucket, blobKey(prefix, blob.sha256), options.signal);
      if (head === null || head.size !== blob.size) missing.add(blob.sha256);
    });

    const progress: PushProgress = { bytesDone: 0, bytesTotal: 0, bytesUploaded: 0 };
    for (const sha of missing) progress.bytesTotal += (unique.get(sha) as Blob).size;
    options.onProgress?.({ ...progress });
    const slots = new MemorySlots(Math.max(1, options.parallelParts ?? 4));
    const journal = new UploadJournal(path.join(layout.stateDir, 'mirror-uploads'));
    const target = (sha: string) => `${options.s3.endpoint ?? 'aws'}|${bucket}/${blobKey(prefix, sha)}`;
    await eachLimited([...missing], 4, async (sha) => {
      const blob = unique.get(sha) as Blob;
      await uploadBlob({
        client,
        bucket,
        key: blobKey(prefix, sha),
        target: target(sha),
        file: blob.file,
        size: blob.size,
        sha256: sha,
        partSize: options.partSize ?? 16 * 1024 * 1024,
        slots,
        journal,
        ...(options.signal ? { signal: options.signal } : {}),
        onUploaded: (bytes) => (progress.bytesUploaded += bytes),
        onDone: (bytes) => {
          progress.bytesDone += bytes;
          options.onProgress?.({ ...progress });
        },
      });
    });

    const pushed = selected.filter((s) => s.blobs.some((b) => missing.has(b.sha256))).map((s) => ({ id: s.model.id, variant: s.variant }));
    for (const s of selected)
      if (!s.blobs.some((b) => missing.has(b.sha256))) skipped.push({ id: s.model.id, variant: s.variant, reason: 'in-mirror' });

    const models = [...new Map(selected.map((s) => [s.model.id, s.model])).values()];
    for (const model of models) {
      await putIfChanged(
        client,
        bucket,
        manifestKey(prefix, model.id),
        Buffer.from(mirrorManifestEntry(model, mirror)),
        'application/toml',
        options.signal,
      );
    }
    if (models.length > 0) await mergeIndex(client, bucket, prefix, models, options.signal);
    return { mirror, pushed, skipped, bytesUploaded: progress.bytesUploaded };
  } finally {
    await client.close();
  }
}

/**
 * The blobs of a complete variant, or null when it is not complete here: the marker must be
 * there, list every required file of the manifest with the same sha256 and size, and each
 * blob must have that size on disk.
 */
async function verifiedBlobs(layout: ModelsRoot, model: ModelSpec, variant: string): Promise<Blob[] | null> {
  if (!model.variants.includes(variant)) return null;
  const marker = await readMarker(layout.markerPath(model.id, variant));
  if (!marker || marker.id !== model.id || marker.variant !== variant) return null;
  const inMarker = new Map(marker.files.map((f) => [f.path, f]));
  for (const f of filesForVariant(model, variant)) {
    const m = inMarker.get(f.path);
    if (!f.optional && (!m || m.sha256 !== f.sha256 || m.size !== f.size)) return null;
  }
  const blobs: Blob[] = [];
  for (const f of marker.files) {
    const file = layout.blobPath(f.sha256);
    const size = await stat(file).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== f.size) return null;
    blobs.push({ sha256: f.sha256, size: f.size, file });
  }
  return blobs;
}

async function putIfChanged(
  client: S3Client,
  bucket: string,
  key: string,
  body: Buffer,
  contentType: string,
  signal?: AbortSignal,
): Promise<void> {
  const current = await client.get(bucket, key, signal);
  if (current && current.equals(body)) return;
  await client.putObject(bucket, key, body, { contentType, ...(signal ? { signal } : {}) });
}

/** Adds or replaces the pushed models' entries in index.json, keeping the others. */
async function mergeIndex(client: S3Client, bucket: string, prefix: string, models: ModelSpec[], signal?: AbortSignal): Promise<void> {
  const key = indexKey(prefix);
  const current = await client.get(bucket, key, signal);
  const entries = new Map<string, MirrorIndexEntry>();
  if (current) for (const e of parseMirrorIndex(current.toString('utf8'), `s3://${bucket}/${key}`).models) entries.set(e.id, e);
  for (const m of models) {
    const totalBytes = filesForVariant(m, m.defaultVariant).reduce((sum, f) => sum + f.size, 0);
    entries.set(m.id, { id: m.id, version: m.version, variants: m.variants, totalBytes });
  }
  const index = { models: [...entries.values()].sort((a, b) => a.id.localeCompare(b.id)) };
  await putIfChanged(client, bucket, key, Buffer.from(`${JSON.stringify(index, null, 2)}\n`), 'application/json', signal);
}

async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  let failure: unknown = null;
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined && failure === null; item = queue.shift()) {
      try {
        await work(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== null) throw failure;
}
