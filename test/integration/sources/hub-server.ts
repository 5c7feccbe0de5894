/**
 * A small Hugging Face Hub look-alike on 127.0.0.1 for hf:// tests, with the behaviours a client
 * must get right:
 *   GET /{org}/{repo}/resolve/{revision}/{path}
 *     - private repo without the right `Authorization: Bearer` -> 401 (the Hub hides private repos)
 *     - unknown revision / file -> 404 with X-Error-Code RevisionNotFound / EntryNotFound
 *     - large (LFS) files -> 302 to a signed CDN URL on ANOTHER host (`localhost` instead of
 *       `127.0.0.1`), whose query string carries a signature; the CDN rejects requests that also
 *       carry an Authorization header, as presigned S3 URLs do
 *     - small files -> 307 to a relative `/api/resolve-cache/...` URL on the same host (token needed)
 * Every response honours Range (and If-Range against the ETag). Every request is recorded.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubRepo {
  /** "org/name" */
  id: string;
  private?: boolean;
  /** Revision name or commit hash -> files (path -> bytes). Branch names and commits may share content. */
  revisions: Record<string, Record<string, Buffer>>;
}

export interface HubRequest {
  host: string;
  path: string;
  authorization?: string;
  range?: string;
  status?: number;
}

export interface HubServer {
  /** The Hub's own origin: http://127.0.0.1:PORT */
  url: string;
  /** The CDN origin that LFS redirects point to: http://localhost:PORT */
  cdnUrl: string;
  /** The secret part of the CDN redirect URLs, which must never reach a message. */
  cdnSignature: string;
  requests: HubRequest[];
  /** Objects the CDN no longer has (by sha256), to make a redirect target fail. */
  cdnMissing: Set<string>;
  close(): Promise<void>;
}

/** Files at least this big are "LFS" and go through the CDN. */
const LFS_MIN_BYTES = 64 * 1024;

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function sendBytes(req: IncomingMessage, res: ServerResponse, data: Buffer): void {
  const etag = `"${sha256(data)}"`;
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const ifRange = req.headers['if-range'];
  const base = { etag, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
  if (!range || (ifRange !== undefined && ifRange !== etag)) {
    res.writeHead(200, { ...base, 'content-length': data.length });
    res.end(data);
    return;
  }
  const start = Number(range[1]);
  const end = range[2] ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
  if (start >= data.length || start > end) {
    res.writeHead(416, { 'content-range': `bytes */${data.length}` });
    res.end();
    return;
  }
  res.writeHead(206, { ...base, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${data.length}` });
  res.end(data.subarray(start, end + 1));
}

export async function startHubServer(repos: HubRepo[], token: string): Promise<HubServer> {
  const byId = new Map(repos.map((r) => [r.id, r]));
  const blobs = new Map<string, Buffer>();
  for (const repo of repos)
    for (const files of Object.values(repo.revisions)) for (const data of Object.values(files)) blobs.set(sha256(data), data);
  const cdnSignature = 'cdn-sig-7Hq2xPz9';
  const requests: HubRequest[] = [];
  const cdnMissing = new Set<string>();
  let port = 0;

  const fail = (res: ServerResponse, status: number, errorCode: string, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-error-code': errorCode, 'x-error-message': message });
    res.end(JSON.stringify({ error: message }));
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    const entry: HubRequest = { host: req.headers.host ?? '', path: `${url.pathname}${url.search}` };
    if (req.headers.authorization) entry.authorization = req.headers.authorization;
    if (req.headers.range) entry.range = req.headers.range;
    requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    const onCdn = entry.host.startsWith('localhost:');

    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    if (onCdn) {
      if (!cdn) return fail(res, 404, 'NotFound', 'no such CDN path');
      if (req.headers.authorization) return fail(res, 400, 'InvalidArgument', 'Only one auth mechanism allowed');
      if (url.searchParams.get('Signature') !== cdnSignature) return fail(res, 403, 'AccessDenied', 'bad signature');
      const data = blobs.get(cdn[1] as string);
      if (!data || cdnMissing.has(cdn[1] as string)) return fail(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      return sendBytes(req, res, data);
    }

    const route =
      /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname) ??
      /^\/api\/resolve-cache\/models\/([^/]+\/[^/]+)\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!route) return fail(res, 404, 'NotFound', 'no such route');
    const repo = byId.get(decodeURIComponent(route[1] as string));
    if (!repo || (repo.private && req.headers.authorization !== `Bearer ${token}`)) {
      return fail(res, 401, 'RepoNotFound', 'Repository not found');
    }
    const files = repo.revisions[decodeURIComponent(route[2] as string)];
    if (!files) return fail(res, 404, 'RevisionNotFound', 'Invalid rev id');
    const filePath = (route[3] as string).split('/').map(decodeURIComponent).join('/');
    const data = files[filePath];
    if (!data) return fail(res, 404, 'EntryNotFound', 'Entry not found');
    if (url.pathname.startsWith('/api/resolve-cache/')) return sendBytes(req, res, data);
    if (data.length >= LFS_MIN_BYTES) {
      const expires = Math.floor(Date.now() / 1000) + 3600;
      res.writeHead(302, {
        location: `http://localhost:${port}/cdn/${sha256(data)}?Expires=${expires}&Signature=${cdnSignature}&Key-Pair-Id=KTEST`,
        'x-linked-size': data.length,
      });
      return res.end();
    }
    res.writeHead(307, { location: `/api/resolve-cache/models/${route[1]}/${route[2]}/${route[3]}` });
    return res.end();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    cdnUrl: `http://localhost:${port}`,
    cdnSignature,
    requests,
    cdnMissing,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
