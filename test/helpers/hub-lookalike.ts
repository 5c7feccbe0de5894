/**
 * A Hugging Face Hub look-alike on 127.0.0.1 that speaks what `@huggingface/hub` (listFiles,
 * modelInfo, pathsInfo, snapshotDownload, downloadFileToCacheDir) and our hf:// source expect,
 * read from the client's source:
 *   GET  /api/models/{org}/{name}[/revision/{rev}]          model info with `sha` (the 40-hex commit)
 *   GET  /api/models/{org}/{name}/tree/{rev}[/{path}]       paged (`Link: <…>; rel="next"`), `?recursive=true`
 *   POST /api/models/{org}/{name}/paths-info/{rev}          `{paths, expand}` → entries (+ lastCommit with expand)
 *   GET  /{org}/{name}/resolve/{rev}/{path}                 small files served here (ETag = git blob sha1);
 *                                                           LFS files 302 to the CDN on ANOTHER port, signed query
 *   GET  (CDN) /blobs/{sha256}?Expires=…&Signature=…        Range; refuses a request that carries Authorization
 * Tree entries: LFS files carry `lfs.oid` (sha256) / `lfs.size` and the pointer's git oid; other files
 * only their git blob oid, as on the Hub. A private repo answers 401 without the token; a gated repo
 * answers 401 without a token and 403 (with the Hub's message) to a token that has not accepted its terms;
 * an unknown repo or revision answers 404 with `X-Error-Code`. Every request is recorded per route.
 * Repos are defined by the test from in-memory bytes.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LookalikeRepo {
  /** "org/name" */
  id: string;
  private?: boolean;
  /** Gated: only the server's token may read; another token gets 403 "accept the terms". */
  gated?: boolean;
  /** Branch or tag name -> files (path -> bytes). Each gets its own commit (see `commitOf`). */
  revisions: Record<string, Record<string, Buffer>>;
}

export type HubRoute = 'model-info' | 'tree' | 'paths-info' | 'resolve' | 'cdn' | 'other';

export interface LookalikeRequest {
  route: HubRoute;
  method: string;
  /** Which server: the Hub or the CDN. */
  server: 'hub' | 'cdn';
  path: string;
  authorization?: string;
  range?: string;
  status?: number;
}

export interface HubLookalike {
  /** The Hub origin: http://127.0.0.1:PORT (use as hubUrl / HF_ENDPOINT). */
  url: string;
  /** The CDN origin LFS downloads are redirected to: http://127.0.0.1:OTHER_PORT. */
  cdnUrl: string;
  /** The secret part of signed CDN URLs: it must never reach a message or a log. */
  cdnSignature: string;
  requests: LookalikeRequest[];
  /** Requests per route since start (or the last `resetCounts`). */
  count(route: HubRoute): number;
  resetCounts(): void;
  /** The 40-hex commit a branch, tag or commit of a repo resolves to. */
  commitOf(repo: string, revision?: string): string;
  /** The git blob sha1 of bytes, as the Hub reports non-LFS files (`oid`). */
  gitOid(data: Buffer): string;
  close(): Promise<void>;
}

export interface HubLookalikeOptions {
  /** The one valid token (must start with "hf_", as the client insists). */
  token?: string;
  /** Tree entries per page (default 50): small values make tests follow the `Link` header. */
  pageSize?: number;
  /** Which files are stored with LFS (default: weights-like extensions or ≥ 10 MiB). */
  isLfs?: (path: string, data: Buffer) => boolean;
}

const LFS_EXTENSIONS = /\.(safetensors|bin|gguf|pt|pth|ckpt|onnx|msgpack|h5|pkl|zip|tar|npz)$/i;
const defaultIsLfs = (path: string, data: Buffer) => LFS_EXTENSIONS.test(path) || data.length >= 10 * 1024 * 1024;

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const sha1 = (data: Buffer | string): string => createHash('sha1').update(data).digest('hex');
const gitOid = (data: Buffer): string => sha1(Buffer.concat([Buffer.from(`blob ${data.length}\0`), data]));
const lfsPointer = (data: Buffer): string =>
  `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(data)}\nsize ${data.length}\n`;

interface FileEntry {
  path: string;
  data: Buffer;
  lfs: boolean;
}

interface Revision {
  commit: string;
  files: Map<string, FileEntry>;
}

function sendBytes(req: IncomingMessage, res: ServerResponse, data: Buffer, headers: Record<string, string | number>): void {
  const etag = String(headers.etag);
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const ifRange = req.headers['if-range'];
  const base = { ...headers, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
  const body = (chunk: Buffer): void => void (req.method === 'HEAD' ? res.end() : res.end(chunk));
  if (!range || (ifRange !== undefined && ifRange !== etag)) {
    res.writeHead(200, { ...base, 'content-length': data.length });
    return body(data);
  }
  const start = Number(range[1]);
  const end = range[2] ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
  if (start >= data.length || start > end) {
    res.writeHead(416, { 'content-range': `bytes */${data.length}` });
    return void res.end();
  }
  res.writeHead(206, { ...base, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${data.length}` });
  body(data.subarray(start, end + 1));
}

function fail(res: ServerResponse, status: number, errorCode: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-error-code': errorCode, 'x-error-message': message });
  res.end(JSON.stringify({ error: message }));
}

function json(res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += (chunk as Buffer).toString();
  return body;
}

export async function startHubLookalike(repos: LookalikeRepo[], options: HubLookalikeOptions = {}): Promise<HubLookalike> {
  const token = options.token ?? 'hf_lookalike_token_0123456789';
  const pageSize = options.pageSize ?? 50;
  const isLfs = options.isLfs ?? defaultIsLfs;
  const cdnSignature = 'cdnsig-Q8v3LmZt1kR7';
  const requests: LookalikeRequest[] = [];
  const counts = new Map<HubRoute, number>();
  const blobs = new Map<string, Buffer>();

  // repo id -> (branch, tag or commit) -> revision
  const byRepo = new Map<string, { repo: LookalikeRepo; revisions: Map<string, Revision> }>();
  for (const repo of repos) {
    const revisions = new Map<string, Revision>();
    for (const [name, files] of Object.entries(repo.revisions)) {
      const entries = new Map<string, FileEntry>();
      for (const [path, data] of Object.entries(files)) {
        entries.set(path, { path, data, lfs: isLfs(path, data) });
        blobs.set(sha256(data), data);
      }
      const listing = [...entries.values()].map((f) => `${f.path}:${gitOid(f.data)}`).sort();
      const revision: Revision = { commit: sha1(`${repo.id}\n${name}\n${listing.join('\n')}`), files: entries };
      revisions.set(name, revision);
      revisions.set(revision.commit, revision);
    }
    byRepo.set(repo.id, { repo, revisions });
  }

  const record = (req: IncomingMessage, res: ServerResponse, server: 'hub' | 'cdn', route: HubRoute, path: string) => {
    const entry: LookalikeRequest = { route, method: req.method ?? 'GET', server, path };
    if (req.headers.authorization) entry.authorization = req.headers.authorization;
    if (req.headers.range) entry.range = req.headers.range;
    requests.push(entry);
    counts.set(route, (counts.get(route) ?? 0) + 1);
    res.on('finish', () => (entry.status = res.statusCode));
  };

  /** Resolves repo + revision with the Hub's auth rules; answers the error itself and returns null. */
  const access = (req: IncomingMessage, res: ServerResponse, repoId: string, revisionName: string): Revision | null => {
    const found = byRepo.get(repoId);
    const auth = req.headers.authorization;
    if (!found) {
      fail(res, 404, 'RepoNotFound', `Repository Not Found for url: ${req.url}. Please make sure you specified the correct repo id.`);
      return null;
    }
    if (found.repo.private && auth !== `Bearer ${token}`) {
      fail(res, 401, 'RepoNotFound', 'Invalid username or password.');
      return null;
    }
    if (found.repo.gated && auth !== `Bearer ${token}`) {
      if (!auth) fail(res, 401, 'GatedRepo', `Access to model ${repoId} is restricted. You must be authenticated to access it.`);
      else
        fail(
          res,
          403,
          'GatedRepo',
          `Access to model ${repoId} is restricted and you are not in the authorized list. Visit https://huggingface.co/${repoId} to ask for access.`,
        );
      return null;
    }
    const revision = found.revisions.get(revisionName);
    if (!revision) {
      fail(res, 404, 'RevisionNotFound', `Invalid rev id: ${revisionName}`);
      return null;
    }
    return revision;
  };

  const entryOf = (file: FileEntry, revision: Revision, expand: boolean) => {
    const lastCommit = expand ? { lastCommit: { id: revision.commit, title: 'Upload', date: '2026-01-01T00:00:00.000Z' } } : {};
    if (!file.lfs) return { type: 'file', oid: gitOid(file.data), size: file.data.length, path: file.path, ...lastCommit };
    const pointer = Buffer.from(lfsPointer(file.data));
    return {
      type: 'file',
      oid: gitOid(pointer),
      size: file.data.length,
      lfs: { oid: sha256(file.data), size: file.data.length, pointerSize: pointer.length },
      path: file.path,
      ...lastCommit,
    };
  };

  /** The tree under `dir` ('' = root): files and directories, recursively or one level. */
  const treeOf = (revision: Revision, dir: string, recursive: boolean) => {
    const prefix = dir ? `${dir}/` : '';
    const dirs = new Set<string>();
    const files: FileEntry[] = [];
    for (const file of revision.files.values()) {
      if (!file.path.startsWith(prefix)) continue;
      const parts = file.path.slice(prefix.length).split('/');
      const depth = recursive ? parts.length - 1 : Math.min(parts.length - 1, 1);
      for (let i = 1; i <= depth; i++) dirs.add(prefix + parts.slice(0, i).join('/'));
      if (recursive || parts.length === 1) files.push(file);
    }
    return [
      ...[...dirs].sort().map((path) => ({ type: 'directory', oid: sha1(`${revision.commit}:${path}`), size: 0, path })),
      ...files.sort((a, b) => a.path.localeCompare(b.path)).map((f) => entryOf(f, revision, false)),
    ];
  };

  let cdnPort = 0;

  const hub: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://hub');
      const path = url.pathname;
      const api = /^\/api\/models\/([^/]+\/[^/]+)(?:\/(revision|tree|paths-info)\/([^/]+)(?:\/(.*))?)?$/.exec(path);
      if (api) {
        const repoId = decodeURIComponent(api[1] as string);
        const kind = api[2];
        const revisionName = decodeURIComponent(api[3] ?? 'main');
        const route: HubRoute = kind === 'tree' ? 'tree' : kind === 'paths-info' ? 'paths-info' : 'model-info';
        record(req, res, 'hub', route, `${path}${url.search}`);
        const revision = access(req, res, repoId, revisionName === 'HEAD' ? 'main' : revisionName);
        if (!revision) return;
        const found = byRepo.get(repoId)!.repo;
        if (route === 'model-info') {
          return json(res, {
            _id: sha1(repoId).slice(0, 24),
            id: repoId,
            sha: revision.commit,
            private: Boolean(found.private),
            gated: found.gated ? 'manual' : false,
            disabled: false,
            downloads: 0,
            likes: 0,
            tags: [],
            library_name: 'diffusers',
            lastModified: '2026-01-01T00:00:00.000Z',
            createdAt: '2026-01-01T00:00:00.000Z',
            siblings: [...revision.files.keys()].sort().map((rfilename) => ({ rfilename })),
          });
        }
        if (route === 'tree') {
          const dir = api[4] ? api[4].split('/').map(decodeURIComponent).join('/') : '';
          const all = treeOf(revision, dir.replace(/\/+$/, ''), url.searchParams.get('recursive') === 'true');
          const start = Number(Buffer.from(url.searchParams.get('cursor') ?? '', 'base64url').toString() || '0');
          const page = all.slice(start, start + pageSize);
          const headers: Record<string, string> = {};
          if (start + pageSize < all.length) {
            const next = new URL(`http://127.0.0.1:${(hub.address() as AddressInfo).port}${path}`);
            for (const [k, v] of url.searchParams) if (k !== 'cursor') next.searchParams.set(k, v);
            next.searchParams.set('cursor', Buffer.from(String(start + pageSize)).toString('base64url'));
            headers.link = `<${next.href}>; rel="next"`;
          }
          return json(res, page, headers);
        }
        if (req.method !== 'POST') return fail(res, 405, 'MethodNotAllowed', 'paths-info takes POST');
        const body = JSON.parse((await readBody(req)) || '{}') as { paths?: string[]; expand?: boolean };
        const entries = (body.paths ?? []).flatMap((p) => {
          const file = revision.files.get(p);
          return file ? [entryOf(file, revision, Boolean(body.expand))] : [];
        });
        return json(res, entries);
      }

      const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
      if (!resolve) {
        record(req, res, 'hub', 'other', path);
        return fail(res, 404, 'NotFound', 'no such route');
      }
      record(req, res, 'hub', 'resolve', `${path}${url.search}`);
      const repoId = decodeURIComponent(resolve[1] as string);
      const revision = access(req, res, repoId, decodeURIComponent(resolve[2] as string));
      if (!revision) return;
      const file = revision.files.get((resolve[3] as string).split('/').map(decodeURIComponent).join('/'));
      if (!file) return fail(res, 404, 'EntryNotFound', 'Entry not found');
      const commitHeaders = { 'x-repo-commit': revision.commit };
      if (!file.lfs) return sendBytes(req, res, file.data, { ...commitHeaders, etag: `"${gitOid(file.data)}"` });
      const hex = sha256(file.data);
      const expires = Math.floor(Date.now() / 1000) + 3600;
      res.writeHead(302, {
        ...commitHeaders,
        location: `http://127.0.0.1:${cdnPort}/blobs/${hex}?Expires=${expires}&Signature=${cdnSignature}&Key-Pair-Id=KLOOKALIKE`,
        'x-linked-size': file.data.length,
        'x-linked-etag': `"${hex}"`,
        etag: `"${hex}"`,
      });
      res.end();
    })().catch((error: unknown) => {
      if (!res.headersSent) fail(res, 500, 'Internal', String(error));
      else res.destroy();
    });
  });

  const cdn: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://cdn');
    record(req, res, 'cdn', 'cdn', url.pathname);
    const blob = /^\/blobs\/([0-9a-f]{64})$/.exec(url.pathname);
    if (!blob) return fail(res, 404, 'NoSuchKey', 'The specified key does not exist.');
    // Like a presigned S3/CloudFront URL: a second auth mechanism is an error.
    if (req.headers.authorization) return fail(res, 400, 'InvalidArgument', 'Only one auth mechanism allowed');
    if (url.searchParams.get('Signature') !== cdnSignature) return fail(res, 403, 'AccessDenied', 'Request has expired or bad signature');
    const data = blobs.get(blob[1] as string);
    if (!data) return fail(res, 404, 'NoSuchKey', 'The specified key does not exist.');
    sendBytes(req, res, data, { etag: `"${blob[1]}"` });
  });

  await new Promise<void>((done) => hub.listen(0, '127.0.0.1', done));
  await new Promise<void>((done) => cdn.listen(0, '127.0.0.1', done));
  cdnPort = (cdn.address() as AddressInfo).port;
  const close = (server: Server) =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });

  return {
    url: `http://127.0.0.1:${(hub.address() as AddressInfo).port}`,
    cdnUrl: `http://127.0.0.1:${cdnPort}`,
    cdnSignature,
    requests,
    count: (route) => counts.get(route) ?? 0,
    resetCounts: () => {
      counts.clear();
      requests.length = 0;
    },
    commitOf: (repo, revision = 'main') => {
      const found = byRepo.get(repo)?.revisions.get(revision);
      if (!found) throw new Error(`hub look-alike: no revision ${revision} in ${repo}`);
      return found.commit;
    },
    gitOid,
    close: async () => {
      await Promise.all([close(hub), close(cdn)]);
    },
  };
}
