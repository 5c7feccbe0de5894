/**
 * A real HTTP server on 127.0.0.1 (ephemeral port) that serves byte blobs with Range support,
 * ETag / Last-Modified / If-Range, and injects faults on demand, so download tests exercise
 * the real network stack. Every request is logged with its Range and the bytes actually sent,
 * so tests can assert how much was fetched (e.g. "a resume re-fetched less than 2%").
 *
 * Usage:
 *   const server = await startFaultServer();
 *   server.serve('/m/a.bin', bytes);                       // ETag derived from the content
 *   server.fault('/m/a.bin', { type: 'reset', afterBytes: 1000 });          // next request only
 *   server.fault('/m/a.bin', { type: 'status', status: 503 }, { times: 2 }); // next two
 *   server.redirect('/hf/a.bin', '/m/a.bin', { expireAfterUses: 1 });      // signed-URL style
 *   ...  server.url + '/m/a.bin'
 *   server.bytesSent('/m/a.bin'); server.requests; await server.close();
 *
 * Faults queue per path and are consumed one per request, in order (each `times` times).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /**
   * Sends `afterBytes` of the body then destroys the connection (ECONNRESET for the client). A
   * body no longer than that is sent whole and ends normally: a reset right behind the last byte
   * would make the client's kernel drop bytes it already received, which no real broken link does
   * to a response it has finished.
   */
  | { type: 'reset'; afterBytes: number }
  /** Answers a Range request with 200 and the whole file. */
  | { type: 'ignore-range' }
  /** Answers 206 with a Content-Range that does not match the requested range. */
  | { type: 'wrong-content-range' }
  /** Declares the full length but ends the connection after `afterBytes` of the body. */
  | { type: 'truncate'; afterBytes: number }
  /** Sends the body gzip-compressed with Content-Encoding: gzip although identity was asked. */
  | { type: 'gzip' }
  /** Sends `afterBytes` (or `atFraction` of the body) then stops sending, keeping the socket open. */
  | { type: 'stall'; afterBytes?: number; atFraction?: number }
  /** Answers with this status (e.g. 500, 503, 429, 401, 404), optional Retry-After. */
  | { type: 'status'; status: number; retryAfter?: string | number }
  /** Sends the body at this rate (bytes per second). */
  | { type: 'throttle'; bytesPerSecond: number }
  /** Declares a Content-Length different from the real size (for a 200). */
  | { type: 'wrong-length'; length: number }
  /** Answers 200 chunked (no Content-Length) with the file and then more bytes, without end. */
  | { type: 'endless' }
  /** Sends the body one byte at a time at this rate (bytes per second): slow but never silent. */
  | { type: 'trickle'; bytesPerSecond: number }
  /** Answers 200 with an HTML error page (a login page or proxy error), chunked unless `withLength`. */
  | { type: 'html'; withLength?: boolean };

export interface RequestLogEntry {
  method: string;
  path: string;
  /** The Range header, if any. */
  range?: string;
  ifRange?: string;
  authorization?: string;
  acceptEncoding?: string;
  status: number;
  /** Body bytes written to the socket for this request. */
  bytesSent: number;
  fault?: Fault['type'];
}

export interface ServeOptions {
  /** ETag to send (default: a quoted prefix of the content's sha256); null sends none. */
  etag?: string | null;
  /** Last-Modified to send; default none. */
  lastModified?: string | null;
  /** false: ignore Range headers always (a server without range support). */
  ranges?: boolean;
  /** Send every response for this path at this rate (bytes per second). */
  bytesPerSecond?: number;
  /** Answer with `Connection: close` and close the socket after each response (like `python3 -m http.server`). */
  connectionClose?: boolean;
}

export interface FaultServer {
  /** Base URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
  readonly url: string;
  readonly requests: RequestLogEntry[];
  /** Publishes (or replaces) `data` at `path` (URL path, already encoded as sent on the wire). */
  serve(path: string, data: Uint8Array, options?: ServeOptions): void;
  /** Replaces the content at `path` and its ETag (an upstream file that changed). */
  change(path: string, data: Uint8Array, options?: ServeOptions): void;
  /** Queues a fault for the next `times` (default 1) requests to `path`. */
  fault(path: string, fault: Fault, options?: { times?: number }): void;
  /**
   * `from` answers 302 to `to?sig=N`, a fresh signature per request; a signature stops working
   * (403) after `expireAfterUses` requests (default: never), like an expiring signed CDN URL.
   */
  redirect(from: string, to: string, options?: { expireAfterUses?: number; status?: number }): void;
  /** Most requests in progress at the same time so far (for connection-budget tests). */
  readonly peakConcurrency: number;
  /** Sum of body bytes sent for `path` (all paths when omitted). */
  bytesSent(path?: string): number;
  /** Forgets the request log and queued faults (content stays). */
  reset(): void;
  close(): Promise<void>;
}

interface Entry {
  data: Buffer;
  etag: string | null;
  lastModified: string | null;
  ranges: boolean;
  bytesPerSecond?: number;
  connectionClose?: boolean;
}

/** Resolves when `res` can take more bytes, or is closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((r) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      r();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function defaultEtag(data: Buffer): string {
  return `"${createHash('sha256').update(data).digest('hex').slice(0, 16)}"`;
}

export async function startFaultServer(): Promise<FaultServer> {
  const files = new Map<string, Entry>();
  const faults = new Map<string, Array<{ fault: Fault; times: number }>>();
  const redirects = new Map<string, { to: string; expireAfterUses?: number; status: number }>();
  const signatures = new Map<string, number>();
  const requests: RequestLogEntry[] = [];
  const sockets = new Set<Socket>();
  let sigCounter = 0;
  let inProgress = 0;
  let peakConcurrency = 0;

  const nextFault = (path: string): Fault | undefined => {
    const queue = faults.get(path);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.times--;
    if (head.times <= 0) queue.shift();
    return head.fault;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const log: RequestLogEntry = { method: req.method ?? 'GET', path, status: 0, bytesSent: 0 };
    if (typeof req.headers.range === 'string') log.range = req.headers.range;
    if (typeof req.headers['if-range'] === 'string') log.ifRange = req.headers['if-range'];
    if (typeof req.headers.authorization === 'string') log.authorization = req.headers.authorization;
    if (typeof req.headers['accept-encoding'] === 'string') log.acceptEncoding = req.headers['accept-encoding'];
    requests.push(log);
    const send = (status: number, headers: Record<string, string | number> = {}, body?: string) => {
      log.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };

    const redirect = redirects.get(path);
    if (redirect) {
      const sig = `s${++sigCounter}`;
      signatures.set(sig, 0);
      const fault = nextFault(path);
      if (fault?.type === 'status')
        return send(fault.status, fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {});
      return send(redirect.status, { location: `${redirect.to}?sig=${sig}&expire=${redirect.expireAfterUses ?? ''}` });
    }

    const sig = url.searchParams.get('sig');
    if (sig !== null) {
      const used = signatures.get(sig);
      const limit = Number(url.searchParams.get('expire') || Infinity);
      if (used === undefined || used >= limit) return send(403, {}, 'signature expired');
      signatures.set(sig, used + 1);
    }

    const entry = files.get(path);
    if (!entry) return send(404, {}, 'not found');
    const fault = nextFault(path);
    if (fault) log.fault = fault.type;
    if (fault?.type === 'status') {
      return send(
        fault.status,
        fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {},
        `status ${fault.status}`,
      );
    }

    if (fault?.type === 'html') {
      const page = '<!doctype html><html><head><title>Sign in</title></head><body><h1>Please sign in</h1></body></html>\n';
      log.status = 200;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...(fault.withLength ? { 'content-length': page.length } : {}) });
      log.bytesSent += page.length;
      return res.end(page);
    }
    if (fault?.type === 'endless') {
      log.status = 200;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const filler = Buffer.alloc(64 * 1024, 0x5a);
      for (let first = true; !res.destroyed; first = false) {
        const piece = first ? entry.data : filler;
        log.bytesSent += piece.length;
        if (!res.write(piece)) await drained(res);
      }
      return;
    }

    const size = entry.data.length;
    const headers: Record<string, string | number> = {
      'accept-ranges': entry.ranges ? 'bytes' : 'none',
      'content-type': 'application/octet-stream',
    };
    if (entry.etag) headers.etag = entry.etag;
    if (entry.lastModified) headers['last-modified'] = entry.lastModified;
    if (entry.connectionClose) headers.connection = 'close';

    let start = 0;
    let end = size; // exclusive
    let status = 200;
    const rangeHeader = req.headers.range;
    const ifRange = req.headers['if-range'];
    const validatorMatches = ifRange === undefined || ifRange === entry.etag || ifRange === entry.lastModified;
    if (entry.ranges && typeof rangeHeader === 'string' && fault?.type !== 'ignore-range' && validatorMatches) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(rangeHeader);
      if (m) {
        const a = m[1] === '' ? size - Number(m[2]) : Number(m[1]);
        const b = m[1] === '' || m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
        if (a >= size || a > b) {
          return send(416, { 'content-range': `bytes */${size}` });
        }
        start = a;
        end = b + 1;
        status = 206;
      }
    }
    if (status === 206) {
      headers['content-range'] =
        fault?.type === 'wrong-content-range' ? `bytes ${start + 1}-${end}/${size}` : `bytes ${start}-${end - 1}/${size}`;
    }
    let body = entry.data.subarray(start, end);
    if (fault?.type === 'gzip') {
      const { gzipSync } = await import('node:zlib');
      body = gzipSync(body);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = fault?.type === 'wrong-length' ? fault.length : body.length;
    log.status = status;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') return res.end();

    let limit = body.length;
    let after: 'end' | 'reset' | 'truncate' | 'stall' = 'end';
    if (fault?.type === 'reset' && fault.afterBytes < body.length) [limit, after] = [fault.afterBytes, 'reset'];
    if (fault?.type === 'truncate') [limit, after] = [Math.min(fault.afterBytes, body.length), 'truncate'];
    if (fault?.type === 'wrong-length' && fault.length > body.length) after = 'truncate';
    if (fault?.type === 'stall') {
      limit = fault.afterBytes ?? Math.floor(body.length * (fault.atFraction ?? 0.99));
      after = 'stall';
    }
    const rate = fault?.type === 'throttle' || fault?.type === 'trickle' ? fault.bytesPerSecond : entry.bytesPerSecond;
    const chunk = fault?.type === 'trickle' ? 1 : rate ? Math.max(1024, Math.min(64 * 1024, Math.floor(rate / 20))) : 64 * 1024;
    let at = 0;
    while (at < limit) {
      if (res.destroyed) return;
      const piece = body.subarray(at, Math.min(limit, at + chunk));
      at += piece.length;
      log.bytesSent += piece.length;
      if (!res.write(piece)) await drained(res);
      if (rate && at < limit) await new Promise((r) => setTimeout(r, (piece.length / rate) * 1000));
    }
    if (after === 'end') res.end();
    else if (after === 'reset') res.socket?.resetAndDestroy?.() ?? res.destroy();
    else if (after === 'truncate') res.socket?.end();
    // 'stall': keep the socket open and silent until the client gives up or the server closes.
  };

  const server: Server = createServer((req, res) => {
    inProgress++;
    peakConcurrency = Math.max(peakConcurrency, inProgress);
    res.once('close', () => inProgress--);
    handle(req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const put = (path: string, data: Uint8Array, options: ServeOptions = {}) => {
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const entry: Entry = {
      data: buf,
      etag: options.etag === undefined ? defaultEtag(buf) : options.etag,
      lastModified: options.lastModified ?? null,
      ranges: options.ranges ?? true,
    };
    if (options.bytesPerSecond) entry.bytesPerSecond = options.bytesPerSecond;
    if (options.connectionClose) entry.connectionClose = true;
    files.set(path, entry);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get peakConcurrency() {
      return peakConcurrency;
    },
    serve: put,
    change: put,
    fault(path, fault, options = {}) {
      const queue = faults.get(path) ?? [];
      queue.push({ fault, times: options.times ?? 1 });
      faults.set(path, queue);
    },
    redirect(from, to, options = {}) {
      const r: { to: string; expireAfterUses?: number; status: number } = { to, status: options.status ?? 302 };
      if (options.expireAfterUses !== undefined) r.expireAfterUses = options.expireAfterUses;
      redirects.set(from, r);
    },
    bytesSent(path) {
      return requests.filter((r) => path === undefined || r.path === path).reduce((n, r) => n + r.bytesSent, 0);
    },
    reset() {
      requests.length = 0;
      faults.clear();
      peakConcurrency = inProgress;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
