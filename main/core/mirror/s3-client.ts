/**
 * The few S3 calls a mirror needs (HEAD, GET, PUT, multipart upload with ListParts, a one-key
 * List), SigV4-signed with the same signer, endpoint and credential rules as `s3://` sources.
 * Every body is sent with its sha256 twice: as the signed payload hash (x-amz-content-sha256)
 * and as `x-amz-checksum-sha256`, so the store refuses bytes damaged on the way.
 * Kind to a shared store: a per-host connection cap, and 503 SlowDown / 500 / 429 retried after
 * Retry-After or an exponential backoff with full jitter, so a fleet does not retry in lockstep.
 */
import { createHash } from 'node:crypto';
import { AwsV4Signer } from 'aws4fetch';
import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';
import { OrchestratorError } from '../../../shared/errors';
import type { Clock } from '../ports';
import { s3AuthHelp, s3ObjectUrl, type S3SourceOptions } from '../sources/index';
import { systemClock } from '../system/system-clock';

export interface S3ClientOptions extends S3SourceOptions {
  /** A proxy- or CA-aware undici dispatcher; default: an Agent with `maxConnections` per host. */
  dispatcher?: Dispatcher;
  /** Replaces undici's fetch (tests, or a host-provided one). */
  fetch?: typeof undiciFetch;
  /** Connections per host (default 8). */
  maxConnections?: number;
  /** Attempts after the first for a throttled or failed request (default 6). */
  retries?: number;
  /** First backoff step in ms (default 200); doubles per attempt, capped at 20 s, fully jittered. */
  retryBaseDelayMs?: number;
  clock?: Clock;
  random?: () => number;
}

export interface S3Response {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface RequestOptions {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer;
  signal?: AbortSignal;
  /** Statuses returned to the caller instead of thrown (404 for HEAD, for instance). */
  accept?: number[];
  /** The body's sha256 when the caller has it already (each byte is hashed once, not per header). */
  bodySha256?: { hex: string; base64: string };
}

export interface ListedPart {
  partNumber: number;
  etag: string;
  size: number;
  /** Base64 sha256 of the part, where the store keeps it (AWS, for uploads started with SHA256). */
  sha256Base64?: string;
}

const MAX_BACKOFF_MS = 20_000;
const MAX_RETRY_AFTER_MS = 60_000;

export function sha256Of(body: Buffer): { hex: string; base64: string } {
  const digest = createHash('sha256').update(body).digest();
  return { hex: digest.toString('hex'), base64: digest.toString('base64') };
}

/** The text of `<tag>…</tag>` elements in an S3 XML answer, in document order. */
export function xmlValues(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(decodeXml(m[1] as string));
  return out;
}

function decodeXml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export class S3Client {
  private readonly ownedAgent: Agent | null;
  private readonly dispatcher: Dispatcher;
  private readonly doFetch: typeof undiciFetch;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(private readonly options: S3ClientOptions) {
    this.ownedAgent = options.dispatcher ? null : new Agent({ connections: options.maxConnections ?? 8, keepAliveTimeout: 10_000 });
    this.dispatcher = options.dispatcher ?? (this.ownedAgent as Agent);
    this.doFetch = options.fetch ?? undiciFetch;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  get region(): string {
    return this.options.region || 'us-east-1';
  }

  get hasCredentials(): boolean {
    return Boolean(this.options.accessKeyId && this.options.secretAccessKey);
  }

  async close(): Promise<void> {
    await this.ownedAgent?.close();
  }

  /** One signed request, retried when the store is throttling or briefly failing. */
  async request(method: string, bucket: string, key: string, request: RequestOptions = {}): Promise<S3Response> {
    const where = `s3://${bucket}/${key}`;
    const retries = this.options.retries ?? 6;
    for (let attempt = 0; ; attempt++) {
      request.signal?.throwIfAborted();
      let response: S3Response;
      try {
        response = await this.send(method, bucket, key, request);
      } catch (error) {
        if (request.signal?.aborted) throw error;
        if (attempt >= retries) {
          throw new OrchestratorError(
            'SOURCE_UNAVAILABLE',
            `${where}: the store could not be reached (${(error as Error).message}). Check AWS_ENDPOINT_URL and the network, then try again.`,
            { source: `s3://${bucket}`, method },
          );
        }
        await this.clock.sleep(this.backoff(attempt), request.signal);
        continue;
      }
      if (response.status < 300 || request.accept?.includes(response.status)) return response;
      const code = xmlValues(response.body.toString('utf8'), 'Code')[0] ?? '';
      const throttled = response.status === 503 || response.status === 429 || code === 'SlowDown';
      const transient = throttled || response.status >= 500 || code === 'BadDigest' || code === 'XAmzContentSHA256Mismatch';
      if (transient && attempt < retries) {
        await this.clock.sleep(this.retryDelay(response.headers, attempt), request.signal);
        continue;
      }
      throw this.failure(response.status, code, where, bucket, method);
    }
  }

  private async send(method: string, bucket: string, key: string, request: RequestOptions): Promise<S3Response> {
    const url = new URL(s3ObjectUrl(this.options, bucket, key));
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
    // aws4fetch sorts and encodes the query itself; an empty value (`?uploads`) must stay `uploads=`.
    const body = request.body;
    const headers: Record<string, string> = {
      ...request.headers,
      'x-amz-content-sha256': (request.bodySha256 ?? sha256Of(body ?? Buffer.alloc(0))).hex,
    };
    let sent = headers;
    if (this.hasCredentials) {
      const signer = new AwsV4Signer({
        method,
        url: url.toString(),
        headers,
        accessKeyId: this.options.accessKeyId as string,
        secretAccessKey: this.options.secretAccessKey as string,
        service: 's3',
        region: this.region,
        ...(this.options.sessionToken ? { sessionToken: this.options.sessionToken } : {}),
      });
      const signed = await signer.sign();
      sent = {};
      signed.headers.forEach((value, name) => (sent[name] = value));
    }
    const response = await this.doFetch(url, {
      method,
      headers: sent,
      ...(body ? { body } : {}),
      dispatcher: this.dispatcher,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    const data = method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers as unknown as Headers, body: data };
  }

  private backoff(attempt: number): number {
    const base = this.options.retryBaseDelayMs ?? 200;
    return Math.min(MAX_BACKOFF_MS, base * 2 ** attempt) * this.random();
  }

  /** Retry-After when the store sends one (plus a little jitter so a fleet spreads out), else the backoff. */
  private retryDelay(headers: Headers, attempt: number): number {
    const value = headers.get('retry-after');
    if (value !== null) {
      const seconds = Number(value);
      const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - this.clock.now();
      if (Number.isFinite(ms) && ms >= 0) return Math.min(MAX_RETRY_AFTER_MS, ms) * (1 + this.random() * 0.2);
    }
    return this.backoff(attempt);
  }

  private failure(status: number, code: string, where: string, bucket: string, method: string): OrchestratorError {
    const details = { source: `s3://${bucket}`, status, ...(code ? { s3Code: code } : {}), method };
    if (status === 401 || status === 403) {
      return new OrchestratorError(
        'AUTH_FAIL',
        `${where}: access denied (HTTP ${status}${code ? ` ${code}` : ''}). ${s3AuthHelp(this.options, bucket)} Pushing also needs write access (s3:PutObject, multipart upload).`,
        details,
      );
    }
    if (code === 'NoSuchBucket') {
      return new OrchestratorError(
        'SOURCE_UNAVAILABLE',
        `${where}: bucket "${bucket}" does not exist. Create it first (for example \`aws s3 mb s3://${bucket}\`) or check the mirror URL.`,
        details,
      );
    }
    if (code === 'BadDigest' || code === 'XAmzContentSHA256Mismatch' || code === 'InvalidDigest') {
      return new OrchestratorError(
        'CHECKSUM_FAIL',
        `${where}: the store refused the upload because its bytes did not match their sha256 (${code}) several times; check the network path to the store.`,
        details,
      );
    }
    if (status === 429 || status === 503 || code === 'SlowDown') {
      return new OrchestratorError(
        'RATE_LIMIT',
        `${where}: the store kept asking us to slow down (HTTP ${status}${code ? ` ${code}` : ''}). Try again later or with fewer nodes at once.`,
        details,
      );
    }
    return new OrchestratorError(
      'SOURCE_UNAVAILABLE',
      `${where}: the store answered HTTP ${status}${code ? ` ${code}` : ''} to ${method}. Check the mirror URL and the store.`,
      details,
    );
  }

  /** Size and ETag of an object, or null when there is none. */
  async head(bucket: string, key: string, signal?: AbortSignal): Promise<{ size: number; etag: string } | null> {
    const r = await this.request('HEAD', bucket, key, { accept: [404], ...(signal ? { signal } : {}) });
    if (r.status === 404) return null;
    return { size: Number(r.headers.get('content-length') ?? -1), etag: (r.headers.get('etag') ?? '').replace(/"/g, '') };
  }

  /** The whole object, or null when there is none. */
  async get(bucket: string, key: string, signal?: AbortSignal): Promise<Buffer | null> {
    const r = await this.request('GET', bucket, key, { accept: [404], ...(signal ? { signal } : {}) });
    return r.status === 404 ? null : r.body;
  }

  async putObject(
    bucket: string,
    key: string,
    body: Buffer,
    options: { contentType?: string; signal?: AbortSignal; sha256?: { hex: string; base64: string } } = {},
  ): Promise<void> {
    const digest = options.sha256 ?? sha256Of(body);
    await this.request('PUT', bucket, key, {
      body,
      bodySha256: digest,
      headers: {
        'x-amz-checksum-sha256': digest.base64,
        ...(options.contentType ? { 'content-type': options.contentType } : {}),
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  async createMultipartUpload(bucket: string, key: string, signal?: AbortSignal): Promise<string> {
    const r = await this.request('POST', bucket, key, {
      query: { uploads: '' },
      headers: { 'x-amz-checksum-algorithm': 'SHA256' },
      ...(signal ? { signal } : {}),
    });
    const uploadId = xmlValues(r.body.toString('utf8'), 'UploadId')[0];
    if (!uploadId)
      throw new OrchestratorError('SOURCE_UNAVAILABLE', `s3://${bucket}/${key}: the store did not start a multipart upload.`, {});
    return uploadId;
  }

  /** Uploads one part; returns its ETag. */
  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Buffer,
    signal?: AbortSignal,
    sha256: { hex: string; base64: string } = sha256Of(body),
  ): Promise<string> {
    const r = await this.request('PUT', bucket, key, {
      query: { partNumber: String(partNumber), uploadId },
      body,
      bodySha256: sha256,
      headers: { 'x-amz-checksum-sha256': sha256.base64 },
      ...(signal ? { signal } : {}),
    });
    return (r.headers.get('etag') ?? '').replace(/"/g, '');
  }

  /** The parts the store holds for an upload, or null when the upload is gone (completed, aborted or expired). */
  async listParts(bucket: string, key: string, uploadId: string, signal?: AbortSignal): Promise<ListedPart[] | null> {
    const parts: ListedPart[] = [];
    let marker = '';
    for (;;) {
      const r = await this.request('GET', bucket, key, {
        query: { uploadId, ...(marker ? { 'part-number-marker': marker } : {}) },
        accept: [404],
        ...(signal ? { signal } : {}),
      });
      if (r.status === 404) return null;
      const xml = r.body.toString('utf8');
      for (const part of xmlValues(xml, 'Part')) {
        const checksum = xmlValues(part, 'ChecksumSHA256')[0];
        parts.push({
          partNumber: Number(xmlValues(part, 'PartNumber')[0]),
          etag: (xmlValues(part, 'ETag')[0] ?? '').replace(/"/g, ''),
          size: Number(xmlValues(part, 'Size')[0]),
          ...(checksum ? { sha256Base64: checksum } : {}),
        });
      }
      marker = xmlValues(xml, 'NextPartNumberMarker')[0] ?? '';
      if (xmlValues(xml, 'IsTruncated')[0] !== 'true' || !marker) return parts;
    }
  }

  async completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: Array<{ partNumber: number; etag: string; sha256Base64: string }>,
    signal?: AbortSignal,
  ): Promise<void> {
    const xml = [
      '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
      ...parts.map(
        (p) =>
          `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>"${p.etag}"</ETag><ChecksumSHA256>${p.sha256Base64}</ChecksumSHA256></Part>`,
      ),
      '</CompleteMultipartUpload>',
    ].join('');
    const r = await this.request('POST', bucket, key, {
      query: { uploadId },
      body: Buffer.from(xml),
      headers: { 'content-type': 'application/xml' },
      ...(signal ? { signal } : {}),
    });
    // S3 can answer 200 with an <Error> body when completion fails late.
    const code = xmlValues(r.body.toString('utf8'), 'Code')[0];
    if (code) throw this.failure(500, code, `s3://${bucket}/${key}`, bucket, 'POST');
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.request('DELETE', bucket, key, { query: { uploadId }, accept: [404] });
  }

  /** Lists at most `maxKeys` keys under `prefix` (reachability and read permission). */
  async listKeys(bucket: string, prefix: string, maxKeys = 1, signal?: AbortSignal): Promise<string[]> {
    const r = await this.request('GET', bucket, '', {
      // ListObjects (v1): every S3 look-alike has it (s3rver's v2 fails on a truncated page).
      query: { prefix, 'max-keys': String(maxKeys) },
      ...(signal ? { signal } : {}),
    });
    return xmlValues(r.body.toString('utf8'), 'Key');
  }
}
