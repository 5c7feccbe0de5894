/**
 * The web host for Prometheus and probes, over real HTTP: after a download through the API,
 * `GET /metrics` refuses a request without the token and, with `Authorization: Bearer` as a
 * scrape config sends it, serves text that parses as the exposition format with the download
 * counted by its labels and its bytes equal to what the test server sent. `GET /api/health`
 * answers the health JSON, 200 only when healthy.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from '../../../main/web/web-app';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';
import { parsePrometheusText } from '../../helpers/prometheus-text';
import { leakedSecrets, TEST_SECRETS } from '../../helpers/test-secrets';
import { generateFiles, writeManifest, type GeneratedFile } from '../cli/cli-harness';

let server: FaultServer;
let dir: string;
let web: WebApp;
const bearer = { authorization: `Bearer ${TEST_SECRETS.webToken}` };
const [x, y, z] = generateFiles([
  { path: 'x.bin', size: 200_000 },
  { path: 'nested/y.json', size: 3000 },
  { path: 'z.bin', size: 100 },
]) as [GeneratedFile, GeneratedFile, GeneratedFile];

beforeAll(async () => {
  server = await startFaultServer();
  for (const f of [x, y]) server.serve(`/web-m/${f.path}`, f.data);
  dir = await mkdtemp(join(tmpdir(), 'mo-web-metrics-'));
  const withPassword = `${server.url.replace('http://', `http://svc:${TEST_SECRETS.basicPassword}@`)}/web-m`;
  const manifest = writeManifest([
    { id: 'served@1', files: [x, y], sources: [withPassword] },
    { id: 'absent@1', files: [z], sources: [`${server.url}/nowhere`], variants: ['bf16'] },
  ]);
  const rendererDir = join(dir, 'renderer');
  await mkdir(rendererDir, { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  web = await startWebApp({ root: join(dir, 'root'), manifests: [manifest], port: 0, rendererDir, token: TEST_SECRETS.webToken });
});

afterAll(async () => {
  await web?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, input: unknown = {}): Promise<{ ok: boolean; result?: unknown }> {
  const response = await fetch(`${web.origin}/api/call/${method}`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify({ input }),
  });
  return (await response.json()) as { ok: boolean; result?: unknown };
}

describe('web host metrics and health', () => {
  it('serves /metrics only with the token, with the download counted by labels and bytes as served', async () => {
    const started = await call('startDownload', { id: 'served@1' });
    expect(started.ok).toBe(true);
    const deadline = Date.now() + 30_000;
    let state = '';
    while (state !== 'done' && Date.now() < deadline) {
      const jobs = (await call('listJobs')).result as Array<{ id: string; state: string }>;
      state = jobs.find((j) => j.id === 'served@1')?.state ?? '';
      if (state === 'failed') throw new Error('the download failed');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).toBe('done');

    const refused = await fetch(`${web.origin}/metrics`);
    expect(refused.status).toBe(401);
    const wrong = await fetch(`${web.origin}/metrics`, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);

    const response = await fetch(`${web.origin}/metrics`, { headers: bearer });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const metrics = parsePrometheusText(text);
    const source = `${server.url}/web-m`;
    expect(metrics.value('model_downloads_total', { model_id: 'served@1', variant: 'fp16', source, status: 'success' })).toBe(1);
    const served = server.requests.filter((r) => r.path.startsWith('/web-m/')).reduce((sum, r) => sum + r.bytesSent, 0);
    expect(served).toBe(x.data.length + y.data.length);
    expect(metrics.value('model_download_bytes_total', { source })).toBe(served);
    expect(metrics.value('model_storage_bytes_used')).toBe(served);
    expect(metrics.value('model_storage_files_total')).toBe(2);
    expect(metrics.value('model_lock_timeouts_total')).toBe(0);
    // The health of the root, checked on each scrape: one model complete, one not downloaded.
    expect(metrics.value('model_health_state', { state: 'degraded' })).toBe(1);
    expect(metrics.value('model_health_models', { status: 'COMPLETE' })).toBe(1);
    expect(metrics.value('model_health_models', { status: 'NOT_PRESENT' })).toBe(1);
    expect(leakedSecrets(text)).toEqual([]);
  });

  it('serves /api/health with the token: 503 while a model is missing, 200 for the complete one', async () => {
    expect((await fetch(`${web.origin}/api/health`)).status).toBe(401);

    const all = await fetch(`${web.origin}/api/health`, { headers: bearer });
    expect(all.status).toBe(503);
    const report = (await all.json()) as { health: string; models: Array<{ id: string; status: string; action: string | null }> };
    expect(report.health).toBe('degraded');
    expect(report.models).toEqual([
      expect.objectContaining({ id: 'served@1', status: 'COMPLETE', action: null }),
      expect.objectContaining({ id: 'absent@1', status: 'NOT_PRESENT', action: 'download' }),
    ]);

    const one = await fetch(`${web.origin}/api/health?id=served@1`, { headers: bearer });
    expect(one.status).toBe(200);
    const body = await one.text();
    expect(JSON.parse(body)).toMatchObject({ health: 'healthy' });
    expect(leakedSecrets(body)).toEqual([]);

    expect((await fetch(`${web.origin}/api/health?id=nope`, { headers: bearer })).status).toBe(404);
  });
});

describe('npm run web with MODELS_WEB_TOKEN', () => {
  const repo = join(import.meta.dirname, '..', '..', '..');
  const tsx = join(repo, 'node_modules', '.bin', 'tsx');
  const serve = join(repo, 'main', 'web', 'serve.ts');

  it('uses the fixed token, so a scrape config can send it as Bearer', async () => {
    const child = spawn(tsx, [serve, '--port', '0', '--root', join(dir, 'fixed-root'), '--no-demo'], {
      cwd: repo,
      env: { ...process.env, MODELS_WEB_TOKEN: TEST_SECRETS.webToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const [first] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const origin = new URL(first).origin;
      expect((await fetch(`${origin}/metrics`)).status).toBe(401);
      const metrics = await fetch(`${origin}/metrics`, { headers: bearer });
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(parsePrometheusText(text).value('model_lock_timeouts_total')).toBe(0);
      expect(leakedSecrets(text)).toEqual([]);
      const health = await fetch(`${origin}/api/health`, { headers: bearer });
      expect(health.status).toBe(503); // no models: the state is error
      expect(await health.json()).toMatchObject({ health: 'error' });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('refuses a token too short to be a secret, with exit 2', async () => {
    const child = spawn(tsx, [serve, '--port', '0', '--no-demo'], {
      cwd: repo,
      env: { ...process.env, MODELS_WEB_TOKEN: 'short' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain('MODELS_WEB_TOKEN must be 16 to 256');
  });
});
