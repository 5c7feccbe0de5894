/**
 * Lists `s3://bucket/prefix` for `add`: ListObjectsV2 pages (continuation tokens), signed and
 * addressed exactly as the s3 source does (its backend gives the URL and the SigV4 headers).
 * Each object's sha256 comes from a `SHA256SUMS` file under the prefix, else from the
 * object's full-object `x-amz-checksum-sha256`, else the object is streamed and hashed.
 */
import { createHash } from 'node:crypto';
import { OrchestratorError, toOrchestratorError } from '../../../shared/errors';
import type { ResolvedSource } from '../ports';
import { createS3SourceBackend } from '../sources/s3-source';
import { joinUrlPath } from '../sources/url-path';
import type { ListedFile, ListingContext, SourceListing } from './source-listing';
import { idFromName } from './source-listing';

const SUMS_FILE = 'SHA256SUMS';

export async function listS3Prefix(bucket: string, prefix: string, context: ListingContext): Promise<SourceListing> {
  const base = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
  const backend = createS3SourceBackend(context.s3 ?? {});
  const model = { id: 'add', version: '', variants: [], defaultVariant: '', allowPatterns: [], files: [], sources: [base] };
  const objectSource = (key: string) => backend.resolve(base, key, model) as Extract<ResolvedSource, { kind: 'http' }>;
  const sample = objectSource(SUMS_FILE);
  const bucketRoot = sample.url.slice(0, sample.url.length - joinUrlPath('', prefix ? `${prefix}/${SUMS_FILE}` : SUMS_FILE).length);
  const request = async (method: string, url: string, extra: Record<string, string> = {}) => {
    const headers = { ...(sample.headers ? await sample.headers({ method, url }) : {}), ...extra };
    const response = await (context.fetch ?? fetch)(url, { method, headers, ...(context.signal ? { signal: context.signal } : {}) }).catch(
      (error: unknown) => {
        throw new OrchestratorError(
          'SOURCE_UNAVAILABLE',
          `Could not reach S3 for ${base} (${(error as Error).message}). Check AWS_ENDPOINT_URL and the network.`,
          {
            source: base,
          },
        );
      },
    );
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new OrchestratorError('AUTH_FAIL', `S3 refused access to ${base}. ${sample.authHelp ?? ''}`.trim(), {
        source: base,
        status: response.status,
      });
    }
    return response;
  };

  const keyPrefix = prefix ? `${prefix}/` : '';
  const objects: Array<{ key: string; size: number }> = [];
  let token: string | null = null;
  do {
    const query = new URLSearchParams({ 'list-type': '2', prefix: keyPrefix, ...(token ? { 'continuation-token': token } : {}) });
    const response = await request('GET', `${bucketRoot}/?${query.toString().replace(/\+/g, '%20')}`);
    const xml = await response.text();
    if (!response.ok) {
      const code = tag(xml, 'Code') ?? `HTTP ${response.status}`;
      if (code === 'NoSuchBucket')
        throw new OrchestratorError('MODEL_NOT_FOUND', `There is no bucket "${bucket}" at this S3 endpoint. Check ${base}.`, {
          source: base,
        });
      throw new OrchestratorError('SOURCE_UNAVAILABLE', `S3 could not list ${base}: ${code}. Try again later.`, {
        source: base,
        status: response.status,
      });
    }
    for (const block of xml.match(/<Contents>[\s\S]*?<\/Contents>/g) ?? []) {
      const key = tag(block, 'Key');
      const size = Number(tag(block, 'Size'));
      if (key !== null && !key.endsWith('/') && Number.isSafeInteger(size)) objects.push({ key, size });
    }
    token = tag(xml, 'IsTruncated') === 'true' ? tag(xml, 'NextContinuationToken') : null;
  } while (token);

  const sumsKey = `${keyPrefix}${SUMS_FILE}`;
  const sums = new Map<string, string>();
  if (objects.some((o) => o.key === sumsKey)) {
    const response = await request('GET', objectSource(SUMS_FILE).url);
    if (response.ok) for (const [path, hex] of parseSha256Sums(await response.text())) sums.set(path, hex);
    else await response.body?.cancel();
  }
  const entries = objects.filter((o) => o.key !== sumsKey).map((o) => ({ path: o.key.slice(keyPrefix.length), size: o.size }));
  if (entries.length === 0) {
    throw new OrchestratorError('MODEL_NOT_FOUND', `${base} holds no objects. Check the bucket and prefix.`, { source: base });
  }

  const files: ListedFile[] = [];
  const toHash: Array<{ path: string; size: number }> = [];
  for (const entry of entries) {
    const known = sums.get(entry.path) ?? (await fullObjectChecksum(request, objectSource(entry.path).url));
    if (known) files.push({ path: entry.path, size: entry.size, sha256: known, lfs: false });
    else toHash.push(entry);
  }
  const bytesToHash = toHash.reduce((s, e) => s + e.size, 0);
  let hashedBytes = 0;
  for (const entry of toHash) {
    const response = await request('GET', objectSource(entry.path).url);
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new OrchestratorError('SOURCE_UNAVAILABLE', `S3 answered HTTP ${response.status} for ${entry.path} under ${base}.`, {
        source: base,
        file: entry.path,
      });
    }
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        size += chunk.length;
        hashedBytes += chunk.length;
        context.onProgress?.({ hashedBytes, bytesToHash, currentFile: entry.path });
      }
    } catch (error) {
      throw toOrchestratorError(error, `hashing ${entry.path} from ${base}`);
    }
    if (size !== entry.size) {
      throw new OrchestratorError(
        'SIZE_MISMATCH',
        `${entry.path} under ${base} was listed with ${entry.size} bytes but ${size} arrived; it may be changing. Try again.`,
        {
          file: entry.path,
        },
      );
    }
    files.push({ path: entry.path, size, sha256: hash.digest('hex'), lfs: false });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { source: base, revision: null, revisionName: null, suggestedId: idFromName(lastSegment(prefix || bucket)), files };
}

/** `sha256sum` output: "<hex>  path" or "<hex> *path" per line; "./" prefixes dropped. */
export function parseSha256Sums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim());
    if (m) out.set((m[2] as string).replace(/^\.\//, ''), (m[1] as string).toLowerCase());
  }
  return out;
}

/** A single-part object's sha256 checksum, when the server stored one (multipart ones are composite, not usable). */
async function fullObjectChecksum(
  request: (method: string, url: string, extra?: Record<string, string>) => Promise<Response>,
  url: string,
): Promise<string | null> {
  const response = await request('HEAD', url, { 'x-amz-checksum-mode': 'ENABLED' });
  await response.body?.cancel();
  const value = response.headers.get('x-amz-checksum-sha256');
  const type = response.headers.get('x-amz-checksum-type');
  if (!response.ok || !value || value.includes('-') || (type && type.toUpperCase() !== 'FULL_OBJECT')) return null;
  const hex = Buffer.from(value, 'base64').toString('hex');
  return hex.length === 64 ? hex : null;
}

function tag(xml: string, name: string): string | null {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? decodeXml(m[1] as string) : null;
}

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

function lastSegment(p: string): string {
  return p.replace(/\/+$/, '').split('/').pop() || p;
}
