/**
 * Reads small objects (index.json, manifest entries) from a mirror root, `s3://bucket/prefix`
 * through the signed S3 client or `https://host/prefix` with a plain GET.
 */
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import { OrchestratorError } from '../../../shared/errors';
import { parseS3Url, redactUrl } from '../sources/index';
import { S3Client, type S3ClientOptions } from './s3-client';

export interface MirrorReader {
  /** The object at `relativeKey` under the mirror root, or null when there is none. */
  read(relativeKey: string, signal?: AbortSignal): Promise<string | null>;
  close(): Promise<void>;
}

/** `s3.dispatcher` (proxy, private CA) carries the https:// reads too. */
export function openMirrorReader(mirror: string, s3: S3ClientOptions): MirrorReader {
  const root = mirror.replace(/\/+$/, '');
  const dispatcher: Dispatcher | undefined = s3.dispatcher;
  if (/^s3:\/\//i.test(root)) {
    const { bucket, prefix } = parseS3Url(root);
    const client = new S3Client(s3);
    return {
      read: async (relativeKey, signal) => {
        const body = await client.get(bucket, prefix ? `${prefix}/${relativeKey}` : relativeKey, signal);
        return body === null ? null : body.toString('utf8');
      },
      close: () => client.close(),
    };
  }
  if (!/^https?:\/\//i.test(root)) {
    throw new OrchestratorError('INVALID_CONFIG', `${root}: a mirror is an s3://bucket/prefix or https://host/prefix root.`, {
      mirror: root,
    });
  }
  return {
    read: async (relativeKey, signal) => {
      const url = `${root}/${relativeKey.split('/').map(encodeURIComponent).join('/')}`;
      let response: Awaited<ReturnType<typeof undiciFetch>>;
      try {
        response = await undiciFetch(url, { ...(dispatcher ? { dispatcher } : {}), ...(signal ? { signal } : {}) });
      } catch (error) {
        throw new OrchestratorError('SOURCE_UNAVAILABLE', `${redactUrl(url)}: cannot be reached (${(error as Error).message}).`, {
          source: redactUrl(root),
        });
      }
      if (response.status === 404) return null;
      if (response.status === 401 || response.status === 403) {
        throw new OrchestratorError(
          'AUTH_FAIL',
          `${redactUrl(url)}: access denied (HTTP ${response.status}); check the mirror's credentials.`,
          {
            source: redactUrl(root),
            status: response.status,
          },
        );
      }
      if (!response.ok) {
        throw new OrchestratorError('SOURCE_UNAVAILABLE', `${redactUrl(url)}: HTTP ${response.status}.`, {
          source: redactUrl(root),
          status: response.status,
        });
      }
      return response.text();
    },
    close: async () => undefined,
  };
}
