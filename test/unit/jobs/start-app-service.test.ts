/**
 * startAppService and the catalogue a host hands in for a launch without manifests: started only
 * when no manifest is given, shown as a built-in manifest, stopped with the app, and stopped
 * too when the app cannot start.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAppService, type StartupCatalogue } from '../../../main/core/jobs/start-app-service';

function manifestToml(id: string): string {
  const sha = createHash('sha256').update('x').digest('hex');
  return [
    'schema_version = 1',
    `[models."${id}"]`,
    'version = "1"',
    'variants = ["fp16"]',
    'default_variant = "fp16"',
    `[[models."${id}".files]]`,
    'path = "w.bin"',
    'size = 1',
    `sha256 = "${sha}"`,
    `[models."${id}".sources]`,
    'priority = ["http://127.0.0.1:9/"]',
    '',
  ].join('\n');
}

describe('startAppService', () => {
  let dir: string;
  let closed: string[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'start-app-'));
    closed = [];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A catalogue like the demo: a manifest file in the models root, and something to stop. */
  const catalogue =
    (started: string[]) =>
    async (root: string): Promise<StartupCatalogue & { root: string }> => {
      started.push(root);
      const manifestPath = join(dir, 'catalogue.toml');
      await writeFile(manifestPath, manifestToml('from-catalogue'));
      return { name: 'Try me', manifestPath, root, close: async () => void closed.push('catalogue') };
    };

  it('starts the handed-in catalogue when no manifest is given, lists its models, and stops it on close', async () => {
    const started: string[] = [];
    const running = await startAppService({ host: 'web', root: join(dir, 'models'), catalogueWhenEmpty: catalogue(started) });
    expect(started).toEqual([join(dir, 'models')]);
    expect(running.catalogue?.root).toBe(join(dir, 'models'));
    expect(running.app.listManifests()).toEqual([expect.objectContaining({ name: 'Try me', builtIn: true })]);
    expect(running.app.listModels().map((m) => m.id)).toEqual(['from-catalogue']);
    await running.close();
    await running.close();
    expect(closed).toEqual(['catalogue']);
  });

  it('leaves the catalogue alone when a manifest is given, and starts empty without either', async () => {
    const manifest = join(dir, 'models.toml');
    await writeFile(manifest, manifestToml('mine'));
    const started: string[] = [];
    const withManifest = await startAppService({
      host: 'web',
      root: join(dir, 'a'),
      manifests: [manifest],
      catalogueWhenEmpty: catalogue(started),
    });
    expect(started).toEqual([]);
    expect(withManifest.catalogue).toBeNull();
    expect(withManifest.app.listModels().map((m) => m.id)).toEqual(['mine']);
    await withManifest.close();
    const empty = await startAppService({ host: 'web', root: join(dir, 'b') });
    expect(empty.app.listModels()).toEqual([]);
    await empty.close();
  });

  it('stops the catalogue again when the app service cannot start', async () => {
    const failing = startAppService({
      host: 'web',
      root: join(dir, 'models'),
      catalogueWhenEmpty: catalogue([]),
      createModelService: () => Promise.reject(new Error('no service today')),
    });
    await expect(failing).rejects.toThrow('no service today');
    expect(closed).toEqual(['catalogue']);
  });
});
