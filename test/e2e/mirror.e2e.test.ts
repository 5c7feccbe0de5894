/**
 * A team mirror end to end in the real UI: on one machine (app A) a model is downloaded from its
 * origin, the mirror is added in Settings and tested, and the model is pushed with Push to
 * mirror…; a second machine (app B, a fresh root with the mirror in its settings) downloads the
 * model with the origin shut down, and its card says the files came from the mirror. The store
 * is s3rver behind the SigV4 + checksum checker on 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMirrorStore, STORE_KEY, STORE_SECRET, type MirrorStore } from '../helpers/s3-mirror-store';
import { badgeStatus, dropFiles, modelCard, screenshot } from './support/page-helpers';
import { closeSharedBrowser, E2E_TARGETS, type LaunchedApp } from './support/targets';
import { startTestCatalogue, type TestCatalogue } from './support/test-catalogue';

const UI_TIMEOUT = 20_000;
const MIRROR = 's3://team-models/e2e';

async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterAll(async () => {
  await closeSharedBrowser();
});

for (const target of E2E_TARGETS) {
  const skipReason = target.unavailableReason();
  describe.skipIf(skipReason !== null)(`team mirror (${target.name}${skipReason ? `, skipped: ${skipReason}` : ''})`, () => {
    let dir: string;
    let catalogue: TestCatalogue;
    let store: MirrorStore;
    const apps: LaunchedApp[] = [];
    let page: Page;
    const s3Settings = () => ({
      s3: { endpoint: store.endpoint, region: null, accessKeyId: STORE_KEY, secretAccessKey: { codec: 'plain', value: STORE_SECRET } },
    });

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'mo-e2e-mirror-'));
      catalogue = await startTestCatalogue({ bytesPerSecond: 64 * 1024 * 1024 });
      store = await startMirrorStore(join(dir, 's3'), ['team-models']);
      const app = await target.launch({ root: join(dir, 'root-a'), configDir: join(dir, 'config-a'), settings: s3Settings() });
      apps.push(app);
      page = app.page;
      page.setDefaultTimeout(UI_TIMEOUT);
    });

    afterAll(async () => {
      for (const app of apps) await app.close();
      await store?.close();
      await catalogue?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('machine A: downloads a model, adds and tests the mirror in Settings, pushes the model', async () => {
      const { id } = catalogue.smallModel;
      await dropFiles(page, [{ name: 'models.toml', text: catalogue.manifestToml }]);
      const card = modelCard(page, id);
      await card.getByTestId('download-button').click();
      expect(
        await pollUntil(
          () => badgeStatus(card),
          (s) => s === 'complete',
          30_000,
        ),
      ).toBe('complete');
      expect(await card.getByTestId('model-source').textContent()).toBe(`via ${catalogue.server.url}/small`);

      await page.getByTestId('settings-button').click();
      const settings = page.getByTestId('mirror-settings');
      await settings.getByTestId('mirror-add').click();
      await settings.getByTestId('mirror-input').fill(MIRROR);
      await settings.getByTestId('mirror-test').click();
      expect(await settings.getByTestId('mirror-test-result').textContent()).toBe('Reachable; nothing pushed to this mirror yet.');
      await screenshot(page, `${target.name}-mirror-01-settings-tested`);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByTestId('settings-dialog').waitFor({ state: 'detached' });

      await card.getByTestId('push-button').click();
      const dialog = page.getByTestId('push-dialog');
      expect(await dialog.getByTestId('push-target').inputValue()).toBe(MIRROR);
      await dialog.getByTestId('push-confirm').click();
      const result = dialog.getByTestId('push-result');
      await result.waitFor();
      expect(await result.textContent()).toMatch(/^Pushed: .* uploaded to s3:\/\/team-models\/e2e\.$/);
      await screenshot(page, `${target.name}-mirror-02-pushed`);
      for (const f of catalogue.smallModel.files) {
        const { createHash } = await import('node:crypto');
        const sha = createHash('sha256').update(f.data).digest('hex');
        expect((await store.object('team-models', `e2e/blobs/sha256/${sha}`))?.equals(f.data)).toBe(true);
      }
      await page.keyboard.press('Escape');
    });

    it('machine B: with the origin gone, downloads the model from the mirror and says so', async () => {
      await catalogue.server.close();
      const app = await target.launch({
        root: join(dir, 'root-b'),
        configDir: join(dir, 'config-b'),
        settings: { ...s3Settings(), mirrors: [MIRROR] },
      });
      apps.push(app);
      const b = app.page;
      b.setDefaultTimeout(UI_TIMEOUT);
      await dropFiles(b, [{ name: 'models.toml', text: catalogue.manifestToml }]);
      const card = modelCard(b, catalogue.smallModel.id);
      await card.getByTestId('download-button').click();
      expect(
        await pollUntil(
          () => badgeStatus(card),
          (s) => s === 'complete' || s === 'failed',
          30_000,
        ),
      ).toBe('complete');
      expect(await card.getByTestId('model-source').textContent()).toBe(`via ${MIRROR}/blobs/sha256`);
      await screenshot(b, `${target.name}-mirror-03-from-mirror`);
    });
  });
}
