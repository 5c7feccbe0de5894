/**
 * The AppService over the real orchestrator and a real HTTP source: imported manifests
 * survive a restart, conflicts are reported, secrets are write-only, a download job pushes
 * progress, status and a notification, and settings persist.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../../shared/api';
import { AppService } from '../../../main/core/jobs/app-service';
import { createDefaultModelService } from '../../../main/core/jobs/default-model-service';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function manifestJson(id: string, base: string, file: Buffer, description = 'test model'): string {
  return JSON.stringify({
    schema_version: 1,
    models: {
      [id]: {
        description,
        version: '1',
        variants: ['fp16'],
        default_variant: 'fp16',
        files: [{ path: 'weights.bin', size: file.length, sha256: sha(file) }],
        sources: { priority: [base] },
      },
    },
  });
}

describe('AppService', () => {
  let dir: string;
  let server: FaultServer;
  let app: AppService | null = null;
  const file = randomBytes(256 * 1024);

  const start = () =>
    AppService.create({
      root: join(dir, 'root'),
      configDir: join(dir, 'config'),
      host: 'web',
      createModelService: createDefaultModelService,
      progressIntervalMs: 20,
    });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mo-app-'));
    server = await startFaultServer();
    server.serve('/m/weights.bin', file, { bytesPerSecond: 512 * 1024 });
  });

  afterEach(async () => {
    await app?.close();
    app = null;
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps imported manifests across a restart and reports a conflicting definition', async () => {
    app = await start();
    const first = await app.importManifest({ name: 'a.json', text: manifestJson('m@1', `${server.url}/m`, file) });
    expect(first).toMatchObject({ ok: true, added: ['m@1'], conflicts: [], error: null });
    const clash = await app.importManifest({ name: 'b.json', text: manifestJson('m@1', `${server.url}/other`, file, 'different') });
    expect(clash.ok).toBe(true);
    expect(clash.added).toEqual([]);
    expect(clash.conflicts[0]?.code).toBe('DUPLICATE_MODEL_ID');
    await app.close();

    app = await start();
    expect(app.listModels().map((m) => [m.id, m.manifest, m.description])).toEqual([['m@1', 'a.json', 'test model']]);
    expect(app.listManifests().map((m) => m.name)).toEqual(['a.json', 'b.json']);
    const removed = await app.removeManifest({ name: 'a.json' });
    expect(removed.removed).toEqual([]);
    // b.json's definition takes over once a.json is gone.
    expect(app.listModels()[0]?.description).toBe('different');
  });

  it('answers an invalid manifest with its problems and adds nothing', async () => {
    app = await start();
    const result = await app.importManifest({ name: 'bad.toml', text: 'schema_version = 1\n[models."x@1"]\nversion = "1"\n' });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('MANIFEST_VALIDATION_ERROR');
    expect(result.error?.message).toContain('bad.toml');
    expect(result.problems.length).toBeGreaterThan(0);
    expect(app.listModels()).toEqual([]);
  });

  it('downloads through the queue with progress, a status change and a completion notification', async () => {
    app = await start();
    await app.importManifest({ name: 'a.json', text: manifestJson('m@1', `${server.url}/m`, file) });
    const events: ApiEvent[] = [];
    app.subscribe((e) => events.push(e));
    const job = await app.startDownload({ id: 'm@1' });
    expect(job).toMatchObject({ id: 'm@1', variant: 'fp16', bytesTotal: file.length });
    await expect.poll(() => events.some((e) => e.type === 'notification'), { timeout: 20_000 }).toBe(true);

    const jobEvents = events.flatMap((e) => (e.type === 'job' ? [e.job] : []));
    expect(jobEvents.at(-1)).toMatchObject({ state: 'done', bytesDone: file.length });
    expect(jobEvents.some((j) => j.state === 'running' && j.bytesDone > 0 && j.bytesDone < file.length)).toBe(true);
    expect(events.find((e) => e.type === 'notification')).toMatchObject({ notification: { kind: 'completed', id: 'm@1' } });
    await expect.poll(() => events.some((e) => e.type === 'status' && e.status.status === 'COMPLETE')).toBe(true);
    const onDisk = await readFile(join(dir, 'root', 'models', 'm@1', 'fp16', 'weights.bin'));
    expect(sha(onDisk)).toBe(sha(file));
    expect((await app.diskUsage()).models.map((m) => m.id)).toEqual(['m@1']);
  });

  it('reports a failed download with its error code in the job and a notification', async () => {
    app = await start();
    await app.importManifest({ name: 'a.json', text: manifestJson('gone@1', `${server.url}/missing`, file) });
    const events: ApiEvent[] = [];
    app.subscribe((e) => events.push(e));
    await app.startDownload({ id: 'gone@1' });
    await expect.poll(() => events.some((e) => e.type === 'notification'), { timeout: 20_000 }).toBe(true);
    const failed = app.listJobs()[0];
    expect(failed?.state).toBe('failed');
    expect(failed?.error?.code).toBeTruthy();
    expect(events.find((e) => e.type === 'notification')).toMatchObject({ notification: { kind: 'failed', id: 'gone@1' } });
  });

  it('keeps secrets write-only and persists settings', async () => {
    app = await start();
    const view = await app.setSettings({
      hfToken: 'hf_secret_value',
      parallelDownloads: 3,
      quotaBytes: 5_000_000,
      s3: { secretAccessKey: 'shh', region: 'eu-west-1' },
    });
    expect(view).toMatchObject({
      hfTokenSet: true,
      parallelDownloads: 3,
      quotaBytes: 5_000_000,
      s3: { region: 'eu-west-1', secretAccessKeySet: true },
    });
    expect(JSON.stringify(view)).not.toContain('hf_secret_value');
    expect(JSON.stringify(view)).not.toContain('shh');
    await app.close();
    app = await start();
    expect(app.getSettings()).toMatchObject({ hfTokenSet: true, parallelDownloads: 3, quotaBytes: 5_000_000 });
    expect((await app.setSettings({ hfToken: null })).hfTokenSet).toBe(false);
    expect((await app.diskUsage()).quotaBytes).toBe(5_000_000);
  });

  it('starts with default settings when the settings file is damaged, and says so', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(dir, 'config'), { recursive: true });
    await writeFile(join(dir, 'config', 'settings.json'), '{ not json');
    app = await start();
    expect(app.getSettings().parallelDownloads).toBe(2);
    expect(app.getAppInfo().notices?.[0]).toMatch(/settings\.json is damaged, so default settings are in use/);
  });

  it('moves to another models folder when the setting changes, and remembers it', async () => {
    app = await start();
    expect((await app.diskUsage()).root).toBe(join(dir, 'root'));
    const elsewhere = join(dir, 'elsewhere');
    expect((await app.setSettings({ modelsRoot: elsewhere })).modelsRoot).toBe(elsewhere);
    expect((await app.diskUsage()).root).toBe(elsewhere);
    expect(app.getAppInfo().modelsRoot).toBe(elsewhere);
    await app.close();
    app = await start();
    expect((await app.diskUsage()).root).toBe(elsewhere);
    await app.close();
    // A root chosen for one launch (--root) wins over the saved one.
    app = await AppService.create({
      root: join(dir, 'root'),
      forcedRoot: join(dir, 'root'),
      configDir: join(dir, 'config'),
      host: 'web',
      createModelService: createDefaultModelService,
    });
    expect((await app.diskUsage()).root).toBe(join(dir, 'root'));
  });

  it('has no folder picker in the web host and says to type the path', async () => {
    app = await start();
    await expect(app.chooseFolder()).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('Type the path') });
  });

  it('refuses to open folders in the web host, saying what to do instead', async () => {
    app = await start();
    await app.importManifest({ name: 'a.json', text: manifestJson('m@1', `${server.url}/m`, file) });
    await expect(app.openFolder({ id: 'm@1' })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringContaining('Copy the path'),
    });
  });
});
