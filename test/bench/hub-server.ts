/**
 * A local stand-in for the Hugging Face Hub with just the endpoints `snapshotDownload` of
 * @huggingface/hub calls (read from its source):
 *   GET  /api/models/:org/:name/revision/:rev      model info with `sha` (the commit)
 *   GET  /api/models/:org/:name/tree/:rev?recursive=true   file list
 *   POST /api/models/:org/:name/paths-info/:rev    per-path oid / lfs info / last commit
 *   GET  /:org/:name/resolve/:rev/:path            302 to the same bytes on nginx
 * Repos map file paths to URL paths on the nginx server that holds the bytes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubRepo {
  /** "org/name" */
  id: string;
  files: Array<{ path: string; size: number; sha256: string; urlPath: string }>;
}

export interface HubServer {
  url: string;
  close(): Promise<void>;
}

const COMMIT = '0123456789abcdef0123456789abcdef01234567';

export async function startHubServer(repos: HubRepo[], bytesOrigin: string): Promise<HubServer> {
  const byId = new Map(repos.map((r) => [r.id, r]));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/(revision|tree|paths-info)\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
    if (api) {
      const repo = byId.get(decodeURIComponent(api[1] as string));
      if (!repo) return json(404, { error: 'Repository not found' });
      const kind = api[2];
      if (kind === 'revision') {
        return json(200, {
          _id: repo.id,
          id: repo.id,
          sha: COMMIT,
          private: false,
          gated: false,
          downloads: 0,
          likes: 0,
          lastModified: '2025-01-01T00:00:00.000Z',
          siblings: repo.files.map((f) => ({ rfilename: f.path })),
        });
      }
      const entry = (f: HubRepo['files'][number]) => ({
        type: 'file',
        path: f.path,
        size: f.size,
        oid: f.sha256.slice(0, 40),
        lfs: { oid: f.sha256, size: f.size, pointerSize: 134 },
        lastCommit: { id: COMMIT, title: 'bench', date: '2025-01-01T00:00:00.000Z' },
      });
      if (kind === 'tree') {
        const dirs = new Set<string>();
        for (const f of repo.files) {
          const parts = f.path.split('/');
          for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
        }
        return json(200, [...[...dirs].map((d) => ({ type: 'directory', path: d, oid: COMMIT, size: 0 })), ...repo.files.map(entry)]);
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const wanted = (JSON.parse(body || '{}') as { paths?: string[] }).paths ?? [];
        json(200, repo.files.filter((f) => wanted.includes(f.path)).map(entry));
      });
      return;
    }
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve) {
      const repo = byId.get(decodeURIComponent(resolve[1] as string));
      const path = decodeURIComponent(resolve[3] as string);
      const file = repo?.files.find((f) => f.path === path);
      if (!file) {
        res.writeHead(404, { 'x-error-code': 'EntryNotFound' });
        return res.end();
      }
      // Like the Hub: metadata headers on the redirect, the bytes from another host.
      res.writeHead(302, {
        location: `${bytesOrigin}${file.urlPath}`,
        'x-linked-etag': `"${file.sha256}"`,
        'x-linked-size': String(file.size),
        'x-repo-commit': COMMIT,
      });
      return res.end();
    }
    json(404, { error: 'not found' });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
