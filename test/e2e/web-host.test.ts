/**
 * The localhost web host's guard rails, over real HTTP: the per-launch token, Host and Origin
 * checks (DNS rebinding, cross-site requests), the CSP on the page, JSON-only API calls, bad
 * payloads answered as structured errors, and events over server-sent events.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from '../../main/web/web-app';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('web host', () => {
  let dir: string;
  let web: WebApp;
  let auth: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mo-web-'));
    const rendererDir = join(dir, 'renderer');
    await mkdir(join(rendererDir, 'assets'), { recursive: true });
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>t</title><div id="root"></div>');
    await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    web = await startWebApp({ root: join(dir, 'root'), demo: false, port: 0, rendererDir });
    auth = { cookie: `mo_token=${web.token}` };
  });

  afterAll(async () => {
    await web?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and puts a long random token in its URL', () => {
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it("cannot be reached through the machine's other network addresses", async (context) => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!external) {
      context.skip('this machine has no non-loopback IPv4 address to try');
      return;
    }
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: external.address, port: web.port });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(outcome).toBe('ECONNREFUSED');
  });

  it('refuses the page and the API without the token', async () => {
    const page = await send(web.port, {});
    expect(page.status).toBe(401);
    expect(page.body).not.toContain('<div id="root">');
    const api = await send(web.port, {
      method: 'POST',
      path: '/api/call/listModels',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    const wrong = await send(web.port, { path: '/?token=wrong' });
    expect(wrong.status).toBe(401);
  });

  it('trades the token in the URL for an HttpOnly cookie and strips it from the address', async () => {
    const first = await send(web.port, { path: `/?token=${web.token}` });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toContain(`mo_token=${web.token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const page = await send(web.port, { headers: auth });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
  });

  it('serves the page with a strict Content Security Policy', async () => {
    const page = await send(web.port, { headers: auth });
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('rejects a foreign Host header (DNS rebinding) and a foreign Origin (cross-site), even with the token', async () => {
    const rebound = await send(web.port, { headers: { ...auth, host: `evil.example:${web.port}` } });
    expect(rebound.status).toBe(421);
    const crossSite = await send(web.port, {
      method: 'POST',
      path: '/api/call/listModels',
      headers: { ...auth, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(crossSite.status).toBe(403);
    const sameOrigin = await send(web.port, {
      method: 'POST',
      path: '/api/call/listModels',
      headers: { ...auth, origin: web.origin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(JSON.parse(sameOrigin.body)).toEqual({ ok: true, result: [] });
  });

  it('accepts API calls only as JSON, and answers bad payloads with structured errors', async () => {
    const form = await send(web.port, {
      method: 'POST',
      path: '/api/call/listModels',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(form.status).toBe(415);
    const notJson = await send(web.port, {
      method: 'POST',
      path: '/api/call/getStatus',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(JSON.parse(notJson.body)).toMatchObject({ ok: false, error: { code: 'INVALID_CONFIG' } });
    const badInput = await send(web.port, {
      method: 'POST',
      path: '/api/call/getStatus',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ input: { id: ['x'] } }),
    });
    expect(JSON.parse(badInput.body)).toMatchObject({ ok: false, error: { code: 'INVALID_CONFIG' } });
    const unknownModel = await send(web.port, {
      method: 'POST',
      path: '/api/call/getStatus',
      headers: { ...auth, 'x-model-orchestrator-token': web.token, 'content-type': 'application/json' },
      body: JSON.stringify({ input: { id: 'nope@1' } }),
    });
    expect(JSON.parse(unknownModel.body)).toMatchObject({ ok: false, error: { code: 'MODEL_NOT_FOUND' } });
    // Still serving.
    const again = await send(web.port, {
      method: 'POST',
      path: '/api/call/getAppInfo',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(JSON.parse(again.body)).toMatchObject({ ok: true, result: { host: 'web', canOpenFolder: false } });
  });

  it('never serves files outside the renderer folder', async () => {
    const escape = await send(web.port, { path: '/..%2f..%2f..%2fetc%2fpasswd', headers: auth });
    expect(escape.body).not.toContain('root:');
    const asset = await send(web.port, { path: '/assets/app.js', headers: auth });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    const missing = await send(web.port, { path: '/assets/nope.js', headers: auth });
    expect(missing.status).toBe(404);
  });

  it('pushes events over server-sent events', async () => {
    const received = new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: web.port, path: '/api/events', headers: { host: `127.0.0.1:${web.port}`, ...auth } },
        (res) => {
          expect(res.headers['content-type']).toContain('text/event-stream');
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString('utf8');
            const line = text.split('\n').find((l) => l.startsWith('data: '));
            if (line) {
              resolve(line.slice(6));
              req.destroy();
            }
          });
          // Once subscribed, cause an event: importing a manifest announces new models.
          void send(web.port, {
            method: 'POST',
            path: '/api/call/importManifest',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({
              input: {
                name: 'one.json',
                text: JSON.stringify({
                  schema_version: 1,
                  models: {
                    'one@1': {
                      version: '1',
                      variants: ['a'],
                      default_variant: 'a',
                      files: [{ path: 'f.bin', size: 1, sha256: 'a'.repeat(64) }],
                      sources: { priority: ['http://127.0.0.1:9/x'] },
                    },
                  },
                }),
              },
            }),
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(await received)).toEqual({ type: 'models' });
  });
});
