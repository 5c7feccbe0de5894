/**
 * Starts nginx-light on 127.0.0.1 (or another address, optionally inside a network namespace)
 * with its own temporary prefix and config (no root-owned paths needed), sendfile on, serving
 * `root`, and the same files paced under /paced/ (limit_rate per connection). Logs body bytes
 * sent per request so the resume cases can count bytes served again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

export interface NginxOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Command prefix nginx runs under, e.g. ['ip', 'netns', 'exec', 'ns'] (then port 8080 is used). */
  wrap?: string[];
  /** Per-connection rate of /paced/ (nginx syntax, default 5m = 5 MiB/s). */
  pacedRate?: string;
}

export async function startNginx(root: string, prefix: string, options: NginxOptions = {}): Promise<Nginx> {
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  const host = options.host ?? '127.0.0.1';
  const wrap = options.wrap ?? [];
  const port = wrap.length > 0 ? 8080 : await freePort();
  rmSync(join(prefix, 'nginx.pid'), { force: true });
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
  log_format bytes '$body_bytes_sent $status $uri "$http_range"';
  access_log ${log} bytes;
  server {
    listen ${host}:${port};
    root ${root};
    location / { }
    # Small sends, each followed by its proportional delay: smooth pacing, not a burst a second.
    location /paced/ { alias ${root}/; limit_rate ${options.pacedRate ?? '5m'}; sendfile_max_chunk 64k; }
  }
}
`,
  );
  const argv = ['/usr/sbin/nginx', '-p', prefix, '-c', conf, '-e', join(prefix, 'logs', 'error.log')];
  const all = [...wrap, ...argv];
  const proc: ChildProcess = spawn(all[0] as string, all.slice(1), { stdio: 'ignore' });
  const url = `http://${host}:${port}`;
  for (let i = 0; ; i++) {
    try {
      if (wrap.length > 0) {
        // Not reachable from here: nginx writes its pid file once its socket listens.
        if (!existsSync(join(prefix, 'nginx.pid'))) throw new Error('not yet');
        break;
      }
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
        .reduce((n, l) => n + Number(l.split(' ')[0]), 0),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGQUIT');
      }),
  };
}
