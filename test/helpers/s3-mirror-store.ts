/**
 * An S3-compatible store on 127.0.0.1 for mirror tests, the e2e spec and the bench: s3rver
 * behind our own front server, which (1) checks every SigV4 signature (sigv4-check.ts), (2)
 * checks each body against its signed payload hash and x-amz-checksum-sha256 as AWS does, (3)
 * adds the calls s3rver lacks: ListParts and AbortMultipartUpload (read from and removed in
 * s3rver's own upload folder), and (4) injects faults (corrupt a part in transit, 503 SlowDown).
 * Every request is logged with its method, key, query and status, so tests count uploads.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import S3rver from 's3rver';
import { checkPayload, checkSigV4 } from '../integration/sources/sigv4-check';

export const STORE_KEY = 'S3RVER'; // the one account s3rver knows (it checks its own signature too)
export const STORE_SECRET = 'S3RVER';

export interface StoreRequest {
  method: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
  bytes: number;
  status?: number;
  rejected?: string;
  /** The request carried x-amz-checksum-sha256. */
  checksum: boolean;
  /** Body bytes of the answer sent so far. */
  sent: number;
}

export interface MirrorStore {
  endpoint: string;
  requests: StoreRequest[];
  /** Env for a client of this store (endpoint, keys; region left to the us-east-1 default). */
  env(overrides?: Record<string, string>): Record<string, string>;
  /** Flips one byte of the next `times` UploadPart bodies on their way in (before the checksum check). */
  corruptParts(times: number): void;
  /** Holds every UploadPart this long before storing it (0: off), so a test can kill a push mid-file. */
  delayParts(ms: number): void;
  /** Answers the next `times` requests 503 SlowDown (optional Retry-After seconds). */
  slowDown(times: number, retryAfter?: number): void;
  /** The bytes of an object as s3rver stores it, or null. */
  object(bucket: string, key: string): Promise<Buffer | null>;
  deleteObject(bucket: string, key: string): Promise<void>;
  close(): Promise<void>;
}

function xmlError(res: http.ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

export async function startMirrorStore(directory: string, buckets: string[]): Promise<MirrorStore> {
  const s3 = new S3rver({
    directory,
    silent: true,
    address: '127.0.0.1',
    port: 0,
    // Clients use path-style URLs; a host name (a test's made-up store host behind a proxy) never names a bucket.
    ...({ vhostBuckets: false } as object), // an s3rver option its types do not list
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const inner = (await s3.run()) as AddressInfo;
  const upstream = { host: '127.0.0.1', port: inner.port };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const requests: StoreRequest[] = [];
  let corrupt = 0;
  let partDelayMs = 0;
  let partGate: Promise<void> = Promise.resolve();
  let slow: { times: number; retryAfter?: number } = { times: 0 };
  const uploadDir = (bucket: string, uploadId: string) => path.join(directory, bucket, '._S3rver_uploads', uploadId);

  const listParts = async (res: http.ServerResponse, bucket: string, key: string, uploadId: string) => {
    let names: string[];
    try {
      names = await readdir(uploadDir(bucket, uploadId));
    } catch {
      return xmlError(res, 404, 'NoSuchUpload', 'The specified upload does not exist.');
    }
    const parts: string[] = [];
    for (const n of names
      .filter((x) => /^\d+$/.test(x))
      .map(Number)
      .sort((a, b) => a - b)) {
      const file = path.join(uploadDir(bucket, uploadId), String(n));
      const md5 = await readFile(`${file}.md5`, 'utf8').catch(() => null);
      if (md5 === null) continue; // still being written
      parts.push(`<Part><PartNumber>${n}</PartNumber><ETag>"${md5}"</ETag><Size>${(await stat(file)).size}</Size></Part>`);
    }
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><ListPartsResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts.join('')}</ListPartsResult>`,
    );
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://store');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const entry: StoreRequest = {
      method: req.method ?? '',
      bucket,
      key: rest.map((s) => decodeURIComponent(s)).join('/'),
      query: url.searchParams,
      bytes: 0,
      checksum: typeof req.headers['x-amz-checksum-sha256'] === 'string',
      sent: 0,
    };
    requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      void (async () => {
        let body = Buffer.concat(chunks);
        entry.bytes = body.length;
        const verdict = checkSigV4(req, { accessKeyId: STORE_KEY, secretAccessKey: STORE_SECRET, region: 'us-east-1', service: 's3' });
        if (!verdict.ok) {
          entry.rejected = verdict.reason;
          return xmlError(res, 403, verdict.code, verdict.reason);
        }
        if (slow.times > 0) {
          slow.times--;
          res.setHeader('retry-after', String(slow.retryAfter ?? 0));
          entry.rejected = 'SlowDown';
          return xmlError(res, 503, 'SlowDown', 'Please reduce your request rate.');
        }
        const uploadId = url.searchParams.get('uploadId');
        if (req.method === 'PUT' && uploadId && corrupt > 0 && body.length > 0) {
          corrupt--;
          body = Buffer.from(body);
          const at = Math.floor(body.length / 2);
          body[at] = (body[at] as number) ^ 0xff;
        }
        if (req.method === 'PUT' && uploadId && partDelayMs > 0) {
          // One part at a time, `partDelayMs` each; a part whose client went away meanwhile is dropped.
          const turn = partGate.then(() => new Promise<void>((r) => setTimeout(r, partDelayMs)));
          partGate = turn;
          await turn;
          if (req.socket.destroyed) return res.destroy();
        }
        const payload = checkPayload(req.headers, body);
        if (!payload.ok) {
          entry.rejected = payload.code;
          return xmlError(res, 400, payload.code, payload.reason);
        }
        if (req.method === 'GET' && uploadId) return listParts(res, bucket, entry.key, uploadId);
        if (req.method === 'DELETE' && uploadId) {
          await rm(uploadDir(bucket, uploadId), { recursive: true, force: true });
          res.writeHead(204).end();
          return;
        }
        const headers = { ...req.headers, 'content-length': String(body.length) };
        delete headers['transfer-encoding'];
        const forward = http.request({ ...upstream, agent, method: req.method, path: req.url, headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.on('data', (chunk: Buffer) => (entry.sent += chunk.length));
          answer.pipe(res);
        });
        forward.on('error', () => res.destroy());
        forward.end(body);
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const objectPath = (bucket: string, key: string) => {
    const parts = key.split('/');
    const last = parts.pop() as string;
    return path.join(directory, bucket, ...parts, `${last}._S3rver_object`);
  };
  return {
    endpoint,
    requests,
    env: (overrides = {}) => ({
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: STORE_KEY,
      AWS_SECRET_ACCESS_KEY: STORE_SECRET,
      ...overrides,
    }),
    corruptParts: (times) => (corrupt = times),
    delayParts: (ms) => (partDelayMs = ms),
    slowDown: (times, retryAfter) => (slow = { times, ...(retryAfter !== undefined ? { retryAfter } : {}) }),
    object: (bucket, key) => readFile(objectPath(bucket, key)).catch(() => null),
    deleteObject: async (bucket, key) => {
      await rm(objectPath(bucket, key), { force: true });
      await rm(objectPath(bucket, key).replace(/object$/, 'object.md5'), { force: true });
      await rm(objectPath(bucket, key).replace(/object$/, 'metadata.json'), { force: true });
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
      await s3.close();
    },
  };
}
