/**
 * Uploads one verified blob from the local store to `<prefix>/blobs/sha256/<hex>`. The file is
 * read once, in order, and hashed as it is read; the object only comes into being (single PUT,
 * or CompleteMultipartUpload) once that hash equals the expected sha256, so a blob damaged on
 * the local disk never reaches the mirror. Large files go up as parallel parts bounded by the
 * shared MemorySlots; a killed push resumes its upload and skips the parts the store holds.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { OrchestratorError } from '../../../shared/errors';
import type { MemorySlots } from './memory-slots';
import { sha256Of, type ListedPart, type S3Client } from './s3-client';
import type { UploadJournal } from './upload-journal';

/** S3 allows at most 10,000 parts, each at least 5 MiB except the last. */
const MAX_PARTS = 10_000;
const MIN_PART_SIZE = 5 * 1024 * 1024;

export interface UploadBlobRequest {
  client: S3Client;
  bucket: string;
  key: string;
  /** Identifies the target across runs (endpoint + bucket + key) in the journal. */
  target: string;
  file: string;
  size: number;
  sha256: string;
  partSize: number;
  slots: MemorySlots;
  journal: UploadJournal;
  signal?: AbortSignal;
  /** Bytes newly sent to the store (parts the store already held are not counted). */
  onUploaded?: (bytes: number) => void;
  /** Bytes of this file done, sent now or before. */
  onDone?: (bytes: number) => void;
}

export function partSizeFor(size: number, preferred: number): number {
  return Math.max(MIN_PART_SIZE, preferred, Math.ceil(size / MAX_PARTS));
}

export async function uploadBlob(request: UploadBlobRequest): Promise<{ bytesUploaded: number }> {
  const partSize = partSizeFor(request.size, request.partSize);
  if (request.size <= partSize) return uploadWhole(request);
  return uploadInParts(request, partSize);
}

function damaged(request: UploadBlobRequest, actual: string): OrchestratorError {
  return new OrchestratorError(
    'CHECKSUM_FAIL',
    `The local blob ${request.sha256} no longer matches its sha256 (read ${actual}); nothing was published to the mirror. Run \`modelctl verify\` on the model, then \`modelctl ensure\` to repair it.`,
    { sha256: request.sha256, actual, file: request.file },
  );
}

async function readExactly(file: string, size: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await handle.read(buffer, 0, size, 0);
    if (bytesRead !== size || (await handle.stat()).size !== size) {
      throw new OrchestratorError('SIZE_MISMATCH', `${file}: the blob is not ${size} bytes any more; run \`modelctl verify\`.`, {
        file,
        expected: size,
      });
    }
    return buffer;
  } finally {
    await handle.close();
  }
}

async function uploadWhole(request: UploadBlobRequest): Promise<{ bytesUploaded: number }> {
  await request.slots.acquire();
  try {
    const body = await readExactly(request.file, request.size);
    const digest = sha256Of(body);
    if (digest.hex !== request.sha256) throw damaged(request, digest.hex);
    await request.client.putObject(request.bucket, request.key, body, {
      sha256: digest,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    request.onUploaded?.(body.length);
    request.onDone?.(body.length);
    return { bytesUploaded: body.length };
  } finally {
    request.slots.release();
  }
}

/** Whether a part the store already holds has exactly these bytes. */
function sameBytes(listed: ListedPart | undefined, body: Buffer, sha256Base64: string): boolean {
  if (!listed || listed.size !== body.length) return false;
  if (listed.sha256Base64) return listed.sha256Base64 === sha256Base64;
  // Without a stored checksum, a part's ETag is the MD5 of its bytes on S3 and its look-alikes.
  return listed.etag === createHash('md5').update(body).digest('hex');
}

async function uploadInParts(request: UploadBlobRequest, partSize: number): Promise<{ bytesUploaded: number }> {
  const { client, bucket, key, journal, target } = request;
  let entry = await journal.read(target);
  let listed: ListedPart[] | null = null;
  if (entry && entry.size === request.size && entry.sha256 === request.sha256 && entry.partSize === partSize) {
    listed = await client.listParts(bucket, key, entry.uploadId, request.signal);
  }
  if (!entry || listed === null) {
    entry = {
      target,
      uploadId: await client.createMultipartUpload(bucket, key, request.signal),
      partSize,
      size: request.size,
      sha256: request.sha256,
    };
    await journal.write(entry);
    listed = [];
  }
  const uploadId = entry.uploadId;
  const held = new Map(listed.map((p) => [p.partNumber, p]));
  const count = Math.ceil(request.size / partSize);
  const parts: Array<{ partNumber: number; etag: string; sha256Base64: string }> = new Array(count);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  request.signal?.addEventListener('abort', onAbort, { once: true });
  const fileHash = createHash('sha256');
  const inFlight = new Set<Promise<void>>();
  let firstError: unknown = null;
  let bytesUploaded = 0;
  const handle = await open(request.file, 'r');
  try {
    for (let n = 1; n <= count && firstError === null; n++) {
      await request.slots.acquire();
      if (firstError !== null || controller.signal.aborted) {
        request.slots.release();
        break;
      }
      const offset = (n - 1) * partSize;
      const length = Math.min(partSize, request.size - offset);
      const body = Buffer.allocUnsafe(length); // filled by the read below (bytesRead is checked)
      const { bytesRead } = await handle.read(body, 0, length, offset);
      if (bytesRead !== length) {
        request.slots.release();
        throw new OrchestratorError(
          'SIZE_MISMATCH',
          `${request.file}: the blob is shorter than ${request.size} bytes; run \`modelctl verify\`.`,
          {
            file: request.file,
            expected: request.size,
          },
        );
      }
      fileHash.update(body);
      const digest = sha256Of(body);
      const { base64 } = digest;
      const stored = held.get(n);
      if (sameBytes(stored, body, base64)) {
        parts[n - 1] = { partNumber: n, etag: (stored as ListedPart).etag, sha256Base64: base64 };
        request.onDone?.(length);
        request.slots.release();
        continue;
      }
      const task = client
        .uploadPart(bucket, key, uploadId, n, body, controller.signal, digest)
        .then((etag) => {
          parts[n - 1] = { partNumber: n, etag, sha256Base64: base64 };
          bytesUploaded += length;
          request.onUploaded?.(length);
          request.onDone?.(length);
        })
        .catch((error: unknown) => {
          if (firstError === null) firstError = error;
          controller.abort();
        })
        .finally(() => {
          request.slots.release();
          inFlight.delete(task);
        });
      inFlight.add(task);
    }
    await Promise.all(inFlight);
  } finally {
    await handle.close();
    request.signal?.removeEventListener('abort', onAbort);
  }
  request.signal?.throwIfAborted();
  if (firstError !== null) throw firstError;
  const actual = fileHash.digest('hex');
  if (actual !== request.sha256) {
    // The parts never become an object; drop them so the store does not keep paying for them.
    await client.abortMultipartUpload(bucket, key, uploadId).catch(() => undefined);
    await journal.remove(target);
    throw damaged(request, actual);
  }
  await client.completeMultipartUpload(bucket, key, uploadId, parts, request.signal);
  await journal.remove(target);
  return { bytesUploaded };
}
