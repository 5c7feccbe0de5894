/**
 * A user's first session with the model manager, end to end: real browser, real web host (or
 * the real Electron app), real orchestrator, real HTTP source on 127.0.0.1. The steps build on
 * each other like a session does; each waits for what the screen shows, never for time.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badgeStatus, dropFiles, modelCard, progressPercent, screenshot } from './support/page-helpers';
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

  describe.skipIf(skipReason !== null)(`model manager (${target.name}${skipReason ? `, skipped: ${skipReason}` : ''})`, () => {
    let dir: string;
    let catalogue: TestCatalogue;
    let app: LaunchedApp;
    let page: Page;
    const shot = (name: string) => screenshot(page, `${target.name}-${name}`);

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'mo-e2e-'));
      catalogue = await startTestCatalogue();
      app = await target.launch({
        root: join(dir, 'root'),
        configDir: join(dir, 'config'),
        // A bandwidth cap keeps the big download on screen long enough to pause it.
        settings: { maxBytesPerSecond: 1_000_000, parallelDownloads: 2, quotaBytes: 10_000_000 },
      });
      page = app.page;
      page.setDefaultTimeout(UI_TIMEOUT);
    });

    afterAll(async () => {
      await app?.close();
      await catalogue?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('tells a newcomer what to do when no manifest is loaded', async () => {
      await page.getByTestId('models-empty').waitFor();
      expect(await page.getByTestId('models-empty').textContent()).toContain('Drop a manifest');
      await page.getByTestId('import-button').first().waitFor();
      await shot('01-empty-light');
    });

    it('lists every problem of an invalid manifest dropped on the window, with its error code', async () => {
      await dropFiles(page, [{ name: 'broken.toml', text: catalogue.invalidToml }]);
      const dialog = page.getByTestId('import-dialog');
      await dialog.waitFor();
      expect(await dialog.getByTestId('import-error-code').textContent()).toBe('MANIFEST_VALIDATION_ERROR');
      const problems = await dialog.getByTestId('import-problem').allTextContents();
      expect(problems.length).toBeGreaterThanOrEqual(3);
      expect(problems.join('\n')).toMatch(/sha256/);
      expect(problems.join('\n')).toMatch(/size/);
      expect(problems.join('\n')).toMatch(/path/);
      await shot('02-invalid-manifest');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      // Nothing was added.
      await page.getByTestId('models-empty').waitFor();
    });

    it('imports a manifest dropped on the window and lists its models', async () => {
      await dropFiles(page, [{ name: 'models.toml', text: catalogue.manifestToml }]);
      await modelCard(page, catalogue.bigModel.id).waitFor();
      await modelCard(page, catalogue.smallModel.id).waitFor();
      await pollUntil(
        () => badgeStatus(modelCard(page, catalogue.bigModel.id)),
        (s) => s === 'not-present',
      );
    });

    it('downloads with visible, advancing progress, and pauses and resumes without starting over', async () => {
      const card = modelCard(page, catalogue.bigModel.id);
      await card.getByTestId('download-button').click();
      await card.getByTestId('model-progress').waitFor();
      const first = await pollUntil(
        () => progressPercent(card),
        (p) => p > 0,
      );
      const later = await pollUntil(
        () => progressPercent(card),
        (p) => p > first,
      );
      expect(later).toBeGreaterThan(first);
      expect(await card.getByTestId('progress-speed').textContent()).toMatch(/\/s$/);
      await shot('03-downloading');

      await card.getByTestId('pause-button').click();
      await pollUntil(
        () => badgeStatus(card),
        (s) => s === 'paused',
      );
      expect(await card.getByTestId('status-badge').textContent()).toMatch(/Paused \d+%/);
      await shot('04-paused');

      await card.getByTestId('resume-button').click();
      await pollUntil(
        () => badgeStatus(card),
        (s) => s === 'complete',
        DOWNLOAD_TIMEOUT,
      );
      // Resuming reused the partial data: the source sent little more than the file once.
      const size = catalogue.bigModel.files[0]?.data.length ?? 0;
      expect(catalogue.server.bytesSent('/big/weights.safetensors')).toBeLessThan(size * 1.5);
      // On disk: the verified file, identical to the source.
      const onDisk = await readFile(join(dir, 'root', 'models', catalogue.bigModel.id, 'default', 'weights.safetensors'));
      expect(createHash('sha256').update(onDisk).digest('hex')).toBe(
        createHash('sha256')
          .update(catalogue.bigModel.files[0]?.data ?? Buffer.alloc(0))
          .digest('hex'),
      );
    });

    it('verifies a downloaded model and shows each file as verified', async () => {
      const card = modelCard(page, catalogue.bigModel.id);
      await card.getByTestId('verify-button').click();
      const summary = card.getByTestId('verify-summary');
      await summary.waitFor();
      expect(await summary.textContent()).toMatch(/All 2 files match/);
      expect(await card.locator('[data-testid="file-row"][data-result="verified"]').count()).toBe(2);
      await shot('05-verified');
    });

    it('shows the damaged file as failed when one byte on disk is corrupted', async () => {
      const file = join(dir, 'root', 'models', catalogue.bigModel.id, 'default', 'weights.safetensors');
      const handle = await open(file, 'r+');
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, 1000);
      byte[0] = (byte[0] ?? 0) ^ 0xff;
      await handle.write(byte, 0, 1, 1000);
      await handle.close();

      const card = modelCard(page, catalogue.bigModel.id);
      await card.getByTestId('verify-button').click();
      await card.locator('[data-testid="file-row"][data-path="weights.safetensors"][data-result="failed"]').waitFor();
      expect(await card.locator('[data-testid="file-row"][data-path="config.json"]').getAttribute('data-result')).toBe('verified');
      expect(await card.getByTestId('verify-summary').textContent()).toMatch(/1 of 2 files failed/);
      await pollUntil(
        () => badgeStatus(card),
        (s) => s === 'corrupt',
      );
      await shot('06-corrupt');
    });

    it('queues downloads beyond the parallel limit, repairs the model, and the storage view counts both', async () => {
      await page.getByTestId('nav-downloads').click();
      await page.getByTestId('parallel-limit').selectOption('1');
      await pollUntil(
        () => page.getByTestId('parallel-limit').inputValue(),
        (v) => v === '1',
      );
      await page.getByTestId('nav-models').click();

      const big = modelCard(page, catalogue.bigModel.id);
      await big.getByTestId('download-button').click();
      // The file list is still open from the verification above; open it if not.
      if ((await big.getByTestId('files-toggle').getAttribute('aria-expanded')) !== 'true') await big.getByTestId('files-toggle').click();
      const small = modelCard(page, catalogue.smallModel.id);
      await small.getByTestId('download-button').click();
      // One at a time: the second waits its turn.
      await pollUntil(
        () => badgeStatus(small),
        (s) => s === 'queued',
      );
      await pollUntil(
        () => badgeStatus(big),
        (s) => s === 'downloading',
      );
      // Each file shows its own progress while the model downloads.
      await big.locator('[data-testid="file-row"][data-path="weights.safetensors"]').getByRole('progressbar').waitFor();
      await shot('07-queue-and-file-progress');
      await page.getByTestId('nav-downloads').click();
      await pollUntil(
        () => page.getByTestId('job-row').count(),
        (n) => n >= 2,
      );
      expect(await page.getByTestId('queue-summary').textContent()).toMatch(/1 running · 1 waiting/);
      await shot('08-downloads-queue');
      await page.getByTestId('nav-models').click();
      await pollUntil(
        () => badgeStatus(big),
        (s) => s === 'complete',
        DOWNLOAD_TIMEOUT,
      );
      await pollUntil(
        () => badgeStatus(small),
        (s) => s === 'complete',
        DOWNLOAD_TIMEOUT,
      );

      await page.getByTestId('nav-storage').click();
      await page.getByTestId('disk-chart').waitFor();
      await pollUntil(
        () => page.getByTestId('usage-row').count(),
        (n) => n === 2,
      );
      const modelsLegend = await page.getByTestId('legend-models').textContent();
      expect(modelsLegend).toMatch(/Models\s*4\.\d+ MB/);
      expect(await page.getByTestId('quota-meter').textContent()).toMatch(/of the 10\.0 MB quota/);
      await shot('09-storage-light');
    });

    it('previews a clean-up, respects pins, then runs it and frees the space', async () => {
      // Pin the small model: clean-up must keep it whatever the limit.
      await page.getByTestId('nav-models').click();
      const small = modelCard(page, catalogue.smallModel.id);
      await small.getByTestId('pin-button').click();
      await small.getByTestId('pinned-chip').waitFor();

      await page.getByTestId('nav-storage').click();
      await page.getByTestId('gc-button').click();
      const dialog = page.getByTestId('gc-dialog');
      await dialog.waitFor();
      await dialog.getByTestId('gc-max-size').fill('1 KB');
      await dialog.getByTestId('gc-preview').click();
      await dialog.getByTestId('gc-plan').waitFor();
      const planned = await dialog.getByTestId('gc-plan-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model-id')));
      expect(planned).toEqual([catalogue.bigModel.id]);
      await shot('10-gc-plan');

      await dialog.getByTestId('gc-run').click();
      await dialog.getByTestId('gc-result').waitFor();
      expect(await dialog.getByTestId('gc-result').textContent()).toMatch(/4\.\d+ MB freed/);
      await page.keyboard.press('Escape');
      await pollUntil(
        () => page.getByTestId('usage-row').count(),
        (n) => n === 1,
      );
      expect(await page.getByTestId('usage-row').getAttribute('data-model-id')).toBe(catalogue.smallModel.id);

      await page.getByTestId('nav-models').click();
      await pollUntil(
        () => badgeStatus(modelCard(page, catalogue.bigModel.id)),
        (s) => s === 'not-present',
      );
      expect(await badgeStatus(modelCard(page, catalogue.smallModel.id))).toBe('complete');
    });

    it('can be driven from the keyboard: dialogs trap focus, Esc closes them and focus returns', async () => {
      const settingsButton = page.getByTestId('settings-button');
      await settingsButton.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByTestId('settings-dialog');
      await dialog.waitFor();
      const insideDialog = () => page.evaluate(() => Boolean(document.activeElement?.closest('[role="dialog"]')));
      expect(await insideDialog()).toBe(true);
      for (let i = 0; i < 25; i++) {
        await page.keyboard.press(i % 5 === 4 ? 'Shift+Tab' : 'Tab');
        expect(await insideDialog()).toBe(true);
      }
      await shot('11-settings-dialog');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('settings-button');
      // "/" jumps to the model search.
      await page.getByTestId('nav-models').click();
      await page.keyboard.press('/');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('model-search');
      await page.keyboard.type('small');
      await pollUntil(
        () => page.getByTestId('model-card').count(),
        (n) => n === 1,
      );
      await page.getByTestId('model-search').fill('');
    });

    it('imports with the Import button too, and says when nothing new was added', async () => {
      await page.getByTestId('nav-models').click();
      await page
        .getByTestId('import-input')
        .first()
        .setInputFiles({ name: 'models.toml', mimeType: 'text/plain', buffer: Buffer.from(catalogue.manifestToml) });
      await page.getByTestId('toast').filter({ hasText: 'Imported models.toml' }).first().waitFor();
      expect(await page.getByTestId('model-card').count()).toBe(2);
      // Importing a file of the same name again updates it rather than adding a second copy.
      await page.getByTestId('manifest-list').locator('summary').click();
      expect(await page.getByTestId('manifest-row').allTextContents()).toEqual([expect.stringMatching(/^models\.toml2 models · imported/)]);
    });

    it('switches to the dark theme and keeps every view readable', async () => {
      // system -> light -> dark
      await page.getByTestId('theme-toggle').click();
      await page.getByTestId('theme-toggle').click();
      expect(await page.evaluate(() => document.documentElement.getAttribute('data-theme'))).toBe('dark');
      await shot('12-models-dark');
      await page.getByTestId('nav-storage').click();
      await page.getByTestId('disk-chart').waitFor();
      await shot('13-storage-dark');
      await page.getByTestId('nav-downloads').click();
      await page.getByTestId('job-list').waitFor();
      await shot('14-downloads-dark');
    });

    it('removes a model from disk after confirmation, and the storage view empties', async () => {
      await page.getByTestId('nav-models').click();
      const small = modelCard(page, catalogue.smallModel.id);
      await small.getByTestId('remove-button').click();
      const dialog = page.getByTestId('remove-dialog');
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain('pinned');
      // The safe choice has the focus: Enter now would keep the model.
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Keep it');
      await dialog.getByTestId('confirm-remove').click();
      await pollUntil(
        () => badgeStatus(small),
        (s) => s === 'not-present',
      );
      await page.getByTestId('nav-storage').click();
      await page.getByTestId('storage-empty').waitFor();
    });
  });
}

/** Polls `read` until `done(value)`, returning that value; fails with the last value seen. */
async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeout = UI_TIMEOUT): Promise<T> {
  let last: T | undefined;
  await expect
    .poll(
      async () => {
        last = await read();
        return done(last);
      },
      { timeout, interval: 50 },
    )
    .toBe(true);
  return last as T;
}
