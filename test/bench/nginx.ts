/**
 * Starts nginx-light on 127.0.0.1 with its own temporary prefix and config (no root-owned
 * paths needed), sendfile on, serving `root`. Optionally logs body bytes sent per request so
 * the resume case can count bytes fetched twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface Nginx {
  url: string;
  port: number;
  /** Sum of $body_bytes_sent in the access log so far. */
  bytesSent(): number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startNginx(root: string, prefix: string): Promise<Nginx> {
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  const port = await freePort();
  const log = join(prefix, 'logs', 'bytes.log');
  writeFileSync(log, '');
  const conf = join(prefix, 'nginx.conf');
  const runAsRoot = process.getuid?.() === 0 ? 'user root;\n' : '';
  writeFileSync(
    conf,
    `${runAsRoot}worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 1024; }
http {
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  keepalive_timeout 60s;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  log_format bytes '$body_bytes_sent';
  access_log ${log} bytes;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / { }
  }
}
`,
  );
  const proc: ChildProcess = spawn('/usr/sbin/nginx', ['-p', prefix, '-c', conf, '-e', join(prefix, 'logs', 'error.log')], {
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`${url}/`, { method: 'HEAD' });
      await res.arrayBuffer();
      break;
    } catch {
      if (i > 100 || proc.exitCode !== null) throw new Error(`nginx did not start (see ${prefix}/logs/error.log)`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    port,
    bytesSent: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .reduce((n, l) => n + Number(l), 0),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGQUIT');
      }),
  };
}
