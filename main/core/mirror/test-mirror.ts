/**
 * The Settings *Test* button and `modelctl mirror test`: is the mirror reachable with these
 * credentials? For s3:// a signed one-key List on the prefix (so wrong keys, a wrong region or
 * a missing bucket show now, not in the middle of an ensure), then index.json for a count.
 */
import { toStructuredError } from '../../../shared/errors';
import type { MirrorTestResult } from '../../../shared/results';
import { parseS3Url } from '../sources/index';
import { INDEX_NAME, parseMirrorIndex } from './mirror-layout';
import { openMirrorReader } from './mirror-reader';
import { S3Client, type S3ClientOptions } from './s3-client';

export async function testMirror(mirror: string, s3: S3ClientOptions, signal?: AbortSignal): Promise<MirrorTestResult> {
  const root = mirror.trim().replace(/\/+$/, '');
  try {
    if (/^s3:\/\//i.test(root)) {
      const { bucket, prefix } = parseS3Url(root);
      const client = new S3Client({ ...s3, retries: 1 });
      try {
        await client.listKeys(bucket, prefix ? `${prefix}/` : '', 1, signal);
      } finally {
        await client.close();
      }
    }
    const reader = openMirrorReader(root, { ...s3, retries: 1 });
    try {
      const text = await reader.read(INDEX_NAME, signal);
      const models = text === null ? 0 : parseMirrorIndex(text, `${root}/${INDEX_NAME}`).models.length;
      return {
        mirror: root,
        ok: true,
        models,
        message:
          text === null
            ? 'Reachable; nothing pushed to this mirror yet.'
            : `Reachable; ${models} model${models === 1 ? '' : 's'} in the mirror.`,
      };
    } finally {
      await reader.close();
    }
  } catch (error) {
    const e = toStructuredError(error);
    return { mirror: root, ok: false, models: null, message: e.message, error: e };
  }
}
