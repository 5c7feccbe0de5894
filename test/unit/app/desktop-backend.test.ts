/**
 * With no manifest configured, the desktop app starts the offline demo: its catalogue is
 * listed, a model downloads from the local mirror and a GC preview lists it — the newcomer's
 * first minute, without internet.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../../shared/api';
import { DEMO_CATALOGUE_NAME, startDesktopBackend, type DesktopBackend } from '../../../main/app/desktop-backend';

let dir: string;
let backend: DesktopBackend;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'desktop-backend-'));
  backend = await startDesktopBackend({ root: join(dir, 'models'), demoSizeScale: 0.005, demoBytesPerSecond: 0 });
});
afterAll(async () => {
  await backend?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('desktop backend without a configured manifest', () => {
  it('lists the demo catalogue served by the local mirror', () => {
    expect(backend.demo).not.toBeNull();
    expect(backend.app.listManifests()).toEqual([expect.objectContaining({ name: DEMO_CATALOGUE_NAME, builtIn: true })]);
    expect(backend.app.listModels().map((m) => m.id)).toEqual(backend.demo!.modelIds);
    expect(backend.app.getAppInfo().host).toBe('electron');
  });

  it('downloads a demo model, then a GC preview under a tiny quota proposes it', async () => {
    const finished = new Promise<ApiEvent>((resolve) => {
      backend.app.subscribe((e) => {
        if (e.type === 'job' && ['done', 'failed'].includes(e.job.state)) resolve(e);
      });
    });
    await backend.app.startDownload({ id: 'hello-embeddings@1.0.0' });
    expect(await finished).toMatchObject({ job: { state: 'done' } });
    expect((await backend.app.getStatus({ id: 'hello-embeddings@1.0.0' })).status).toBe('COMPLETE');

    const plan = await backend.app.gcPlan({ maxSizeBytes: 0 });
    expect(plan.dryRun).toBe(true);
    expect(plan.removed.map((r) => r.id)).toContain('hello-embeddings@1.0.0');
    expect((await backend.app.getStatus({ id: 'hello-embeddings@1.0.0' })).status).toBe('COMPLETE'); // a preview removes nothing
  });

  it('closes idempotently, stopping the mirror', async () => {
    const url = backend.demo!.baseUrl;
    await Promise.all([backend.close(), backend.close()]);
    await expect(fetch(`${url}/hello-embeddings/config.json`)).rejects.toThrow();
  });
});
