/**
 * A small forward proxy on 127.0.0.1, the only place where made-up host names resolve: plain
 * HTTP forwarding (`GET http://host/path`) and CONNECT tunnels (for https), optionally asking
 * for Basic credentials (407 without them). It logs what it was asked, so tests can prove a
 * request went through it, or did not.
 *
 *   const proxy = await startForwardProxy({ hosts: { 'models.internal.test:80': server.url } });
 *   proxy.url; proxy.requests; await proxy.close();
 */
import { createServer, request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ProxyLogEntry {
  method: string;
  /** `http://host/path` for forwarding, `host:port` for CONNECT. */
  target: string;
  /** The status the proxy answered (for CONNECT: 200 when the tunnel opened). */
  status: number;
  /** Whether a Proxy-Authorization header came with it. */
  credentials: boolean;
}

export interface ForwardProxy {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly port: number;
  readonly requests: ProxyLogEntry[];
  close(): Promise<void>;
}

export interface ForwardProxyOptions {
  /** `host:port` as clients name it → where it really is (`http://127.0.0.1:PORT` or `127.0.0.1:PORT`). */
  hosts: Record<string, string>;
  /** Demand these Basic credentials. */
  auth?: { user: string; password: string };
}

function upstream(hosts: Record<string, string>, hostPort: string): { host: string; port: number } | null {
  const to = hosts[hostPort.toLowerCase()];
  if (!to) return null;
  const url = new URL(to.includes('://') ? to : `tcp://${to}`);
  return { host: url.hostname, port: Number(url.port) };
}

export async function startForwardProxy(options: ForwardProxyOptions): Promise<ForwardProxy> {
  const requests: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();
  const agent = new Agent({ keepAlive: true });
  const expected = options.auth ? `Basic ${Buffer.from(`${options.auth.user}:${options.auth.password}`).toString('base64')}` : null;
  const authorized = (req: IncomingMessage) => expected === null || req.headers['proxy-authorization'] === expected;
  const log = (req: IncomingMessage, target: string, status: number) =>
    requests.push({ method: req.method ?? '', target, status, credentials: req.headers['proxy-authorization'] !== undefined });

  const server = createServer((req, res) => {
    const target = req.url ?? '';
    if (!authorized(req)) {
      log(req, target, 407);
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test proxy"', connection: 'close' });
      return void res.end('proxy authentication required');
    }
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      log(req, target, 400);
      return void res.writeHead(400).end('absolute URL expected');
    }
    const to = upstream(options.hosts, `${url.hostname}:${url.port || 80}`);
    if (!to) {
      log(req, target, 502);
      return void res.writeHead(502).end(`unknown host ${url.hostname}`);
    }
    log(req, target, 200);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const forward = httpRequest(
      { host: to.host, port: to.port, method: req.method, path: `${url.pathname}${url.search}`, headers, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on('error', () => res.destroy());
      },
    );
    forward.on('error', () => res.destroy());
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    client.on('error', () => undefined);
    if (!authorized(req)) {
      log(req, target, 407);
      return void client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test proxy"\r\nContent-Length: 0\r\n\r\n',
      );
    }
    const to = upstream(options.hosts, target);
    if (!to) {
      log(req, target, 502);
      return void client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    }
    log(req, target, 200);
    const up = connect(to.port, to.host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', () => client.destroy());
    client.on('close', () => up.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: async () => {
      agent.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
