/**
 * The Storage page's health summary in a real browser against the real web host (and the real
 * Electron app where it exists): degraded with each missing model and its Download button, a
 * download from there, a file damaged behind the app's back found by Check again and fixed by
 * Repair, then healthy. Waits for what the screen shows, never for time.
 */
import { truncate } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelsRoot } from '../../main/core/store/models-root';
import { dropFiles, modelCard, screenshot } from './support/page-helpers';
import { closeSharedBrowser, E2E_TARGETS, type LaunchedApp } from './support/targets';
import { startTestCatalogue, type TestCatalogue } from './support/test-catalogue';

const UI_TIMEOUT = 20_000;
const DOWNLOAD_TIMEOUT = 45_000;

afterAll(async () => {
  await closeSharedBrowser();
});

for (const target of E2E_TARGETS) {
  const skipReason = target.unavailableReason();
  if (skipReason) console.warn(`e2e: skipping the ${target.name} target: ${skipReason}`);

  describe.skipIf(skipReason !== null)(`storage health summary (${target.name}${skipReason ? `, skipped: ${skipReason}` : ''})`, () => {
    let dir: string;
    let root: string;
    let catalogue: TestCatalogue;
    let app: LaunchedApp;
    let page: Page;

    const summary = () => page.getByTestId('health-summary');
    const problem = (id: string) => summary().locator(`[data-testid="health-problem"][data-model-id="${id}"]`);

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'mo-e2e-health-'));
      root = join(dir, 'root');
      catalogue = await startTestCatalogue({ bigBytes: 512 * 1024, bytesPerSecond: 4 * 1024 * 1024 });
      app = await target.launch({ root, configDir: join(dir, 'config') });
      page = app.page;
      page.setDefaultTimeout(UI_TIMEOUT);
      await dropFiles(page, [{ name: 'models.toml', text: catalogue.manifestToml }]);
      await modelCard(page, catalogue.smallModel.id).waitFor();
    });

    afterAll(async () => {
      await app?.close();
      await catalogue?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('is degraded with every missing model listed, and Download there fetches one', async () => {
      await page.getByTestId('nav-storage').click();
      await summary().waitFor();
      await page.waitForFunction(
        () => document.querySelector('[data-testid="health-summary"]')?.getAttribute('data-health') === 'degraded',
      );
      expect(await page.getByTestId('health-state').textContent()).toBe('Degraded: 0 of 2 complete');
      expect(await problem(catalogue.smallModel.id).textContent()).toContain('Missing');
      expect(await problem(catalogue.bigModel.id).textContent()).toContain('Not downloaded.');

      await problem(catalogue.smallModel.id).getByRole('button', { name: 'Download' }).click();
      await problem(catalogue.smallModel.id).waitFor({ state: 'detached', timeout: DOWNLOAD_TIMEOUT });
      await page.getByText('Degraded: 1 of 2 complete').waitFor();
      await screenshot(page, `${target.name}-health-degraded`);
    });

    it('finds a file damaged outside the app on Check again, and Repair fixes it', async () => {
      const file = catalogue.smallModel.files[1] as { path: string };
      await truncate(new ModelsRoot(root).modelFile(catalogue.smallModel.id, catalogue.smallModel.variant, file.path), 10);
      await summary().getByRole('button', { name: 'Check again' }).first().click();
      const damaged = problem(catalogue.smallModel.id);
      await damaged.getByText('Damaged', { exact: true }).waitFor();
      expect(await damaged.textContent()).toContain(file.path);
      await screenshot(page, `${target.name}-health-damaged`);

      await damaged.getByRole('button', { name: 'Repair' }).click();
      await damaged.waitFor({ state: 'detached', timeout: DOWNLOAD_TIMEOUT });
      await page.getByText('Degraded: 1 of 2 complete').waitFor();
    });

    it('is healthy once every model is complete', async () => {
      await problem(catalogue.bigModel.id).getByRole('button', { name: 'Download' }).click();
      await page.getByText('Healthy: all 2 complete').waitFor({ timeout: DOWNLOAD_TIMEOUT });
      expect(await summary().getAttribute('data-health')).toBe('healthy');
      expect(await summary().textContent()).toContain('Every model is present with every file at its size.');
      await screenshot(page, `${target.name}-health-healthy`);
    });
  });
}
