/**
 * The localhost web host: the built renderer plus the API of shared/api.ts over HTTP
 * (`POST /api/call/<method>` with `{ "input": ... }`) and server-sent events
 * (`GET /api/events`). Listens on 127.0.0.1 only; every request needs the per-launch token
 * and a Host/Origin naming this server (see request-guard.ts).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import { createApiHandlers, handleApiCall, type ApiEvent, type ApiResponse, type ApiService } from '../../shared/api';
import { OrchestratorError, toStructuredError } from '../../shared/errors';
import type { HealthReport } from '../../shared/results';
import { checkHostAndOrigin, newToken, requestToken, sameToken, TOKEN_COOKIE } from './request-guard';
import { securityHeaders, sendText, serveStatic } from './static-files';

export interface ApiEventSource {
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

/** What `GET /metrics` serves: the Prometheus text exposition of the host's metrics. */
export interface MetricsSource {
  readonly metrics: { readonly contentType: string; text(): Promise<string> };
}

export interface WebHostOptions {
  service: ApiService & ApiEventSource & Partial<MetricsSource>;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Built renderer folder (default `<repo>/dist/renderer`). */
  rendererDir?: string;
  /** Fixed token (tests); a random one per launch otherwise. */
  token?: string;
  /** Seconds between SSE keep-alive comments (default 15). */
  heartbeatSeconds?: number;
}

export interface WebHost {
  /** `http://127.0.0.1:PORT/?token=...`: opening it logs the browser in. */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/** API bodies are small JSON; a manifest import is the largest (limit in shared/api.ts). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Two levels up from main/web/ (tsx) and from dist/web/ (the bundle) is the repository. */
export const DEFAULT_RENDERER_DIR = resolve(import.meta.dirname, '..', '..', 'dist', 'renderer');

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? newToken();
  const rendererDir = resolve(options.rendererDir ?? DEFAULT_RENDERER_DIR);
  const handlers = createApiHandlers(options.service);
  const heartbeatMs = (options.heartbeatSeconds ?? 15) * 1000;
  const sockets = new Set<Socket>();
  const streams = new Set<ServerResponse>();
  let port = 0;

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { ok: false, error: toStructuredError(error) });
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const verdict = checkHostAndOrigin(request, port);
    if (!verdict.ok) return sendText(response, verdict.status, verdict.message);
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);

    // First page load: trade the token in the URL for a cookie, then drop it from the address bar.
    const urlToken = url.searchParams.get('token');
    if (urlToken !== null && request.method === 'GET' && !url.pathname.startsWith('/api/')) {
      if (!sameToken(urlToken, token))
        return sendText(response, 401, 'This link has an old or wrong token. Use the URL printed when the server started.');
      url.searchParams.delete('token');
      const location = `${url.pathname}${url.search}`;
      response.writeHead(303, {
        ...securityHeaders(),
        location,
        'set-cookie': `${TOKEN_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`,
        'cache-control': 'no-store',
      });
      response.end();
      return;
    }

    if (!sameToken(requestToken(request), token)) {
      if (url.pathname.startsWith('/api/')) {
        return sendJson(response, 401, {
          ok: false,
          error: toStructuredError(
            new OrchestratorError(
              'PERMISSION_DENIED',
              'The access token is missing or wrong. Open the URL printed when the server started.',
            ),
          ),
        });
      }
      return sendText(response, 401, 'Open the URL printed by `npm run web` (it carries the access token for this launch).');
    }

    // For Prometheus and probes: the same token, sent as `Authorization: Bearer <token>`.
    if (url.pathname === '/metrics') {
      if (request.method !== 'GET') return sendText(response, 405, 'Use GET.', { allow: 'GET' });
      const metrics = options.service.metrics;
      if (!metrics) return sendText(response, 404, 'This host has no metrics.');
      const body = Buffer.from(await metrics.text());
      response.writeHead(200, {
        ...securityHeaders(),
        'content-type': metrics.contentType,
        'content-length': String(body.length),
        'cache-control': 'no-store',
      });
      response.end(body);
      return;
    }
    if (url.pathname === '/api/health') {
      if (request.method !== 'GET') return sendText(response, 405, 'Use GET.', { allow: 'GET' });
      const ids = url.searchParams.getAll('id');
      const answer = await handleApiCall(handlers, 'getHealth', ids.length ? { ids } : {});
      if (!answer.ok) return sendJson(response, answer.error.code === 'MODEL_NOT_FOUND' ? 404 : 500, answer);
      // 200 only when healthy, so a load balancer or a readiness probe can gate on the status alone.
      return sendJson(response, (answer.result as HealthReport).health === 'healthy' ? 200 : 503, answer.result);
    }
    if (url.pathname === '/api/events') {
      if (request.method !== 'GET') return sendText(response, 405, 'Use GET.', { allow: 'GET' });
      return openEventStream(request, response);
    }
    if (url.pathname.startsWith('/api/call/')) {
      if (request.method !== 'POST') return sendText(response, 405, 'Use POST.', { allow: 'POST' });
      return callApi(decodeURIComponent(url.pathname.slice('/api/call/'.length)), request, response);
    }
    if (url.pathname.startsWith('/api/')) return sendText(response, 404, 'No such API endpoint.');
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'Use GET.', { allow: 'GET' });
    return serveStatic(rendererDir, url.pathname, response);
  }

  async function callApi(method: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    // A JSON content type cannot be sent cross-site without a CORS preflight, which we never grant.
    if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return sendJson(response, 415, invalid('Send the request body as application/json.'));
    }
    let raw: string;
    try {
      raw = await readBody(request);
    } catch (error) {
      return sendJson(response, 413, { ok: false, error: toStructuredError(error) });
    }
    let body: unknown;
    try {
      body = raw.length ? JSON.parse(raw) : {};
    } catch {
      return sendJson(response, 400, invalid('The request body is not valid JSON.'));
    }
    const input = typeof body === 'object' && body !== null ? (body as { input?: unknown }).input : undefined;
    const result = await handleApiCall(handlers, method, input);
    sendJson(response, 200, result);
  }

  function openEventStream(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, {
      ...securityHeaders(),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write('retry: 1000\n: connected\n\n');
    streams.add(response);
    const unsubscribe = options.service.subscribe((event) => {
      response.write(`data: ${JSON.stringify(event)}\n\n`);
    });
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), heartbeatMs);
    heartbeat.unref();
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(response);
    };
    request.on('close', end);
    response.on('close', end);
  }

  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    port,
    async close() {
      for (const stream of streams) stream.end();
      const closed = new Promise<void>((done) => server.close(() => done()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function invalid(message: string): ApiResponse {
  return { ok: false, error: toStructuredError(new OrchestratorError('INVALID_CONFIG', message)) };
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  response.writeHead(status, {
    ...securityHeaders(),
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(body.length),
    'cache-control': 'no-store',
  });
  response.end(body);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new OrchestratorError('INVALID_CONFIG', `The request is larger than ${MAX_BODY_BYTES} bytes.`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
