/**
 * A failure the orchestrator knows reaches the web host's client as itself, never as
 * UNKNOWN_ERROR: a source that serves the right size with one flipped byte fails the download
 * job with CHECKSUM_FAIL, through the real HTTP API, and nothing is installed.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from '../../main/web/web-app';

function call<T>(
  web: WebApp,
  method: string,
  input: unknown,
): Promise<{ ok: boolean; result?: T; error?: { code: string; message: string } }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ input });
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: web.port,
        method: 'POST',
        path: `/api/call/${method}`,
        headers: { host: `127.0.0.1:${web.port}`, cookie: `mo_token=${web.token}`, 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('web host: failures keep their code', () => {
  let dir: string;
  let web: WebApp;
  let source: Server;
  const good = Buffer.alloc(200_000, 7);
  const damaged = Buffer.from(good);
  damaged.writeUInt8(damaged.readUInt8(123_456) ^ 0xff, 123_456);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mo-web-err-'));
    source = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': damaged.length, 'accept-ranges': 'none' });
      res.end(damaged);
    });
    await new Promise<void>((r) => source.listen(0, '127.0.0.1', r));
    const manifest = join(dir, 'models.json');
    await writeFile(
      manifest,
      JSON.stringify({
        schema_version: 1,
        models: {
          'flip@1': {
            version: '1',
            variants: ['a'],
            default_variant: 'a',
            files: [{ path: 'w.bin', size: good.length, sha256: createHash('sha256').update(good).digest('hex') }],
            sources: { priority: [`http://127.0.0.1:${(source.address() as AddressInfo).port}/m`] },
          },
        },
      }),
    );
    web = await startWebApp({ root: join(dir, 'root'), manifests: [manifest], demo: false, port: 0, rendererDir: dir });
  });

  afterAll(async () => {
    await web?.close();
    await new Promise((r) => source?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('a source serving one flipped byte fails the job with CHECKSUM_FAIL and installs nothing', async () => {
    const started = await call<{ jobId: string }>(web, 'startDownload', { id: 'flip@1' });
    expect(started.ok).toBe(true);
    let job: { state: string; error?: { code: string; message: string } } | undefined;
    for (let i = 0; i < 300; i++) {
      const jobs = await call<Array<{ jobId: string; state: string; error?: { code: string; message: string } }>>(web, 'listJobs', {});
      job = jobs.result?.find((j) => j.jobId === started.result?.jobId);
      if (job && ['failed', 'done', 'cancelled'].includes(job.state)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job?.state).toBe('failed');
    expect(job?.error?.code).toBe('CHECKSUM_FAIL');
    expect(job?.error?.message).toContain('nothing was installed');
    const status = await call<{ status: string }>(web, 'getStatus', { id: 'flip@1' });
    expect(status.result?.status).not.toBe('COMPLETE');
    expect(existsSync(join(web.root, 'models', 'flip@1'))).toBe(false);
  });
});
