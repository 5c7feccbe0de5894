/**
 * Real models in, real tools out, end to end: real browser, real web host, real orchestrator,
 * and a Hugging Face Hub look-alike on 127.0.0.1 (HF_ENDPOINT points at it). A newcomer adds a
 * Hub repo with "Add model…" and downloads it, finds a model that Python already put in their
 * Hugging Face cache with "Find models on this computer…" (nothing downloaded), and hands a
 * stored model to the HF cache and to an app's folder with "Use with…". Each step waits for
 * what the screen shows; the files on disk are checked byte for byte.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshotDownload } from '@huggingface/hub';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHubLookalike, type HubLookalike } from '../helpers/hub-lookalike';
import { badgeStatus, dropFiles, modelCard, screenshot } from './support/page-helpers';
import { closeSharedBrowser, E2E_TARGETS, type LaunchedApp } from './support/targets';

const UI_TIMEOUT = 20_000;
const DOWNLOAD_TIMEOUT = 45_000;
const TOKEN = 'hf_e2e_token_0123456789';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
/** Deterministic bytes that differ per file (so no two files share a blob). */
const bytes = (size: number, seed: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + seed * 17) & 0xff));

/** A diffusers-like repo: full and fp16 weights, an old .bin, configs. */
const SD_FILES: Record<string, Buffer> = {
  'model_index.json': Buffer.from('{"_class_name": "TinyPipeline"}\n'),
  'README.md': Buffer.from('# tiny-sd\nA tiny test model.\n'),
  'unet/config.json': Buffer.from('{"sample_size": 8}\n'),
  'unet/diffusion_pytorch_model.safetensors': bytes(600_000, 1),
  'unet/diffusion_pytorch_model.fp16.safetensors': bytes(300_000, 2),
  'unet/diffusion_pytorch_model.bin': bytes(400_000, 3),
};
/** A model the user already downloaded with Python into their Hugging Face cache. */
const LLM_FILES: Record<string, Buffer> = {
  'config.json': Buffer.from('{"hidden_size": 16}\n'),
  'model.safetensors': bytes(500_000, 4),
  'tokenizer.json': Buffer.from('{"vocab": {"a": 0}}\n'),
};
const LLM_ID = 'tiny-llm@1';

/** sha256 of every file under dir, by relative path (to show a folder was not changed). */
async function hashTree(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, await hashTree(dir, rel));
    else out[rel] = sha256(await readFile(join(dir, rel)));
  }
  return out;
}

afterAll(async () => {
  await closeSharedBrowser();
});

for (const target of E2E_TARGETS) {
  const skipReason = target.unavailableReason();
  if (skipReason) console.warn(`e2e: skipping the ${target.name} target: ${skipReason}`);

  describe.skipIf(skipReason !== null)(`add, find and use models (${target.name}${skipReason ? `, skipped: ${skipReason}` : ''})`, () => {
    let dir: string;
    let hub: HubLookalike;
    let app: LaunchedApp;
    let page: Page;
    let hfCache: string;
    let sdId: string;
    const saved: Record<string, string | undefined> = {};
    const shot = (name: string) => screenshot(page, `${target.name}-catalog-${name}`);

    beforeAll(async () => {
      vi.spyOn(console, 'debug').mockImplementation(() => {}); // snapshotDownload logs each file
      dir = await mkdtemp(join(tmpdir(), 'mo-e2e-catalog-'));
      hub = await startHubLookalike(
        [
          { id: 'acme/tiny-sd', revisions: { main: SD_FILES } },
          { id: 'acme/tiny-llm', revisions: { main: LLM_FILES } },
          { id: 'acme/secret-model', private: true, revisions: { main: { 'a.txt': Buffer.from('a') } } },
        ],
        { token: TOKEN, pageSize: 4 },
      );
      hfCache = join(dir, 'home', '.cache', 'huggingface', 'hub');
      // The host runs in this process (web) or inherits this environment (Electron): a Hub, a home
      // and an HF cache of this test only, so nothing of the real user is scanned or written.
      for (const [name, value] of Object.entries({ HF_ENDPOINT: hub.url, HF_HUB_CACHE: hfCache, HOME: join(dir, 'home') })) {
        saved[name] = process.env[name];
        process.env[name] = value;
      }
      delete process.env.HF_TOKEN;
      await mkdir(join(dir, 'home'), { recursive: true });
      app = await target.launch({ root: join(dir, 'root'), configDir: join(dir, 'config') });
      page = app.page;
      page.setDefaultTimeout(UI_TIMEOUT);
    });

    afterAll(async () => {
      await app?.close();
      await hub?.close();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('explains a private repo: the code, the message and what to do about the token', async () => {
      await page.getByTestId('models-empty').waitFor();
      await page.getByTestId('models-empty').getByTestId('add-model-button').click();
      const dialog = page.getByTestId('add-model-dialog');
      await dialog.waitFor();
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('add-model-source');
      await page.keyboard.type('acme/secret-model');
      await page.keyboard.press('Enter');
      const error = dialog.getByTestId('add-model-error');
      await error.waitFor();
      expect(await error.getByTestId('error-code').textContent()).toBe('AUTH_FAIL');
      expect(await error.getByTestId('error-message').textContent()).toMatch(/token|HF_TOKEN/i);
      expect(await error.getByTestId('error-what-to-do').textContent()).toContain('Settings');
      await shot('01-add-auth-error');
    });

    it('adds a Hub repo: the file list with sizes, the fp16 preset and its total, the pinned commit; nothing large is fetched', async () => {
      const dialog = page.getByTestId('add-model-dialog');
      await dialog.getByTestId('add-model-source').fill('https://huggingface.co/acme/tiny-sd');
      hub.resetCounts();
      await dialog.getByTestId('add-model-lookup').click();
      await dialog.getByTestId('source-file').first().waitFor();
      expect(await dialog.getByTestId('source-file').count()).toBe(6);
      const commit = hub.commitOf('acme/tiny-sd');
      expect(await dialog.getByTestId('add-model-pinned').textContent()).toContain(`hf://acme/tiny-sd@${commit}`);
      expect(await dialog.getByTestId('add-model-total').textContent()).toBe('6 of 6 files · 1.30 MB of 1.30 MB');
      expect(await dialog.locator('[data-path="unet/diffusion_pytorch_model.bin"]').textContent()).toContain('400 KB');
      sdId = await dialog.getByTestId('add-model-id').inputValue();
      expect(sdId).toBe(`tiny-sd@${commit.slice(0, 7)}`);
      await shot('02-add-files');

      await dialog.getByTestId('preset-fp16').check();
      const kept = await dialog
        .locator('[data-testid="source-file"][data-kept="true"]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-path')));
      expect(kept.sort()).toEqual(['README.md', 'model_index.json', 'unet/config.json', 'unet/diffusion_pytorch_model.fp16.safetensors']);
      expect(await dialog.getByTestId('add-model-total').textContent()).toMatch(/^4 of 6 files · 300 KB of 1\.30 MB$/);
      await dialog.getByTestId('add-model-variant').fill('fp16');
      await shot('03-add-fp16');
      await dialog.getByTestId('add-model-add').click();

      const result = dialog.getByTestId('add-model-result');
      await result.waitFor();
      expect(await result.textContent()).toContain(`${sdId} is in Added models: 4 files`);
      // Listing and adding read Hub metadata and small files only: no LFS byte came from the CDN.
      expect(hub.count('cdn')).toBe(0);
      await shot('04-added');
    });

    it('downloads the added model with "Download now" and verifies every file against the Hub bytes', async () => {
      await page.getByTestId('add-model-download').click();
      await page.getByTestId('add-model-dialog').waitFor({ state: 'detached' });
      const card = modelCard(page, sdId);
      await pollUntil(
        () => badgeStatus(card),
        (s) => s === 'complete',
        DOWNLOAD_TIMEOUT,
      );
      const folder = join(dir, 'root', 'models', sdId, 'fp16');
      for (const path of ['unet/diffusion_pytorch_model.fp16.safetensors', 'unet/config.json', 'model_index.json', 'README.md']) {
        expect(sha256(await readFile(join(folder, path)))).toBe(sha256(SD_FILES[path] as Buffer));
      }
      await expect(stat(join(folder, 'unet/diffusion_pytorch_model.bin'))).rejects.toThrow();
      await shot('05-downloaded');
      // The app keeps added models in a manifest of its own, listed with the others.
      await page.getByTestId('manifest-list').locator('summary').click();
      expect(await page.getByTestId('manifest-row').allTextContents()).toEqual([expect.stringMatching(/^Added models1 model/)]);
    });

    it('finds a model already in the Hugging Face cache: adopted and complete with nothing downloaded, the cache unchanged', async () => {
      // The user's Python put tiny-llm into their HF cache; a manifest lists it (its own source is unreachable).
      await snapshotDownload({ repo: 'acme/tiny-llm', hubUrl: hub.url, cacheDir: hfCache });
      const before = await hashTree(hfCache);
      const manifest = [
        'schema_version = 1',
        '',
        `[models."${LLM_ID}"]`,
        'version = "1"',
        'variants = ["default"]',
        'default_variant = "default"',
        '',
        ...Object.entries(LLM_FILES).flatMap(([path, data]) => [
          `[[models."${LLM_ID}".files]]`,
          `path = "${path}"`,
          `size = ${data.length}`,
          `sha256 = "${sha256(data)}"`,
          '',
        ]),
        `[models."${LLM_ID}".sources]`,
        'priority = ["http://127.0.0.1:9/unreachable"]',
        '',
      ].join('\n');
      await dropFiles(page, [{ name: 'llm.toml', text: manifest }]);
      await pollUntil(
        () => badgeStatus(modelCard(page, LLM_ID)),
        (s) => s === 'not-present',
      );

      await page.getByTestId('nav-storage').click();
      await page.getByTestId('adopt-button').click();
      const dialog = page.getByTestId('adopt-dialog');
      const cacheRow = dialog.locator(`[data-testid="adopt-folder"][data-path="${hfCache}"]`);
      await cacheRow.waitFor();
      expect(await cacheRow.textContent()).toContain('Hugging Face cache');
      expect(await cacheRow.getByRole('checkbox').isChecked()).toBe(true);
      // Folders that do not exist here are listed but cannot be chosen.
      for (const row of await dialog.locator('[data-testid="adopt-folder"][data-exists="false"]').all()) {
        expect(await row.getByRole('checkbox').isDisabled()).toBe(true);
      }
      // A folder of the user's own, added and removed again.
      await dialog.getByTestId('adopt-new-folder').fill(join(dir, 'elsewhere'));
      await dialog.getByTestId('adopt-add-folder').click();
      await dialog.getByRole('button', { name: `Remove ${join(dir, 'elsewhere')} from the list` }).click();
      await shot('06-adopt-folders');

      hub.resetCounts();
      await dialog.getByTestId('adopt-scan').click();
      const result = dialog.getByTestId('adopt-result');
      await result.waitFor({ timeout: DOWNLOAD_TIMEOUT });
      expect(await result.getByTestId('adopt-summary').textContent()).toMatch(
        new RegExp(`^Adopted [1-9]\\d* files?, [\\d.]+ KB; these models are now complete: ${LLM_ID}\\.$`),
      );
      expect(await result.textContent()).toContain('Nothing was downloaded');
      await shot('07-adopt-result');
      expect(hub.requests.length).toBe(0);
      expect(await hashTree(hfCache)).toEqual(before);

      await page.keyboard.press('Escape');
      await page.getByTestId('nav-models').click();
      await pollUntil(
        () => badgeStatus(modelCard(page, LLM_ID)),
        (s) => s === 'complete',
      );
      const folder = join(dir, 'root', 'models', LLM_ID, 'default');
      for (const [path, data] of Object.entries(LLM_FILES)) expect(sha256(await readFile(join(folder, path)))).toBe(sha256(data));
    });

    it('uses a stored model with the Hugging Face cache: the snapshot resolves to our bytes, and the link is listed', async () => {
      const card = modelCard(page, sdId);
      await card.getByTestId('use-with-button').click();
      const dialog = page.getByTestId('use-with-dialog');
      await dialog.waitFor();
      expect(await dialog.getByTestId('use-with-hf-cache').isChecked()).toBe(true);
      await pollUntil(
        () => dialog.getByTestId('use-with-default-dir').textContent(),
        (t) => t === `Empty: the default cache at ${hfCache}.`,
      );
      await shot('08-use-with');
      await dialog.getByTestId('use-with-export').click();
      const result = dialog.getByTestId('use-with-result');
      await result.waitFor();
      expect(await result.getByTestId('use-with-result-dir').textContent()).toContain(hfCache);
      expect(await result.textContent()).toMatch(/4 files of/);
      expect(await result.getByTestId('use-with-python-hint').textContent()).toBe(
        `Python finds it offline: with HF_HUB_OFFLINE=1, load acme/tiny-sd at revision ${hub.commitOf('acme/tiny-sd')}.`,
      );
      const commit = hub.commitOf('acme/tiny-sd');
      const snapshot = join(hfCache, 'models--acme--tiny-sd', 'snapshots', commit);
      for (const path of ['unet/diffusion_pytorch_model.fp16.safetensors', 'unet/config.json', 'model_index.json']) {
        expect(sha256(await readFile(join(snapshot, path)))).toBe(sha256(SD_FILES[path] as Buffer));
      }
      // Added in the dialog from main: refs/main names the commit, so a plain offline load finds it.
      expect(await readFile(join(hfCache, 'models--acme--tiny-sd', 'refs', 'main'), 'utf8')).toBe(commit);
      await dialog.getByTestId('model-link').first().waitFor();
      expect(await dialog.getByTestId('model-link').allTextContents()).toEqual([expect.stringContaining(hfCache)]);
      await shot('09-use-with-hf-cache');
      await page.keyboard.press('Escape');
    });

    it('uses a stored model with an app folder, then Remove warns where it is still linked', async () => {
      const target = join(dir, 'ComfyUI', 'models', 'checkpoints');
      const card = modelCard(page, sdId);
      await card.getByTestId('use-with-button').click();
      const dialog = page.getByTestId('use-with-dialog');
      await dialog.getByTestId('use-with-folder').check();
      await dialog.getByTestId('use-with-folder-dir').fill(target);
      await dialog.getByTestId('use-with-export').click();
      const result = dialog.getByTestId('use-with-result');
      await result.waitFor();
      const exportedDir = (await result.getByTestId('use-with-result-dir').textContent()) ?? '';
      expect(exportedDir.startsWith(target)).toBe(true);
      expect(sha256(await readFile(join(exportedDir, 'unet/diffusion_pytorch_model.fp16.safetensors')))).toBe(
        sha256(SD_FILES['unet/diffusion_pytorch_model.fp16.safetensors'] as Buffer),
      );
      await pollUntil(
        () => dialog.getByTestId('model-link').count(),
        (n) => n === 2,
      );
      await shot('10-use-with-folder');
      await page.keyboard.press('Escape');

      await card.getByTestId('remove-button').click();
      const remove = page.getByTestId('remove-dialog');
      const warning = remove.getByTestId('remove-links-warning');
      await warning.waitFor();
      expect(await warning.textContent()).toContain('still linked in these 2 places');
      expect(await warning.textContent()).toContain(hfCache);
      expect(await warning.textContent()).toContain(target);
      await shot('11-remove-warns-links');
      await page.keyboard.press('Escape');
      expect(await badgeStatus(card)).toBe('complete');
    });

    it('keeps the new dialogs readable in the dark theme', async () => {
      await page.getByTestId('theme-toggle').click();
      await page.getByTestId('theme-toggle').click();
      expect(await page.evaluate(() => document.documentElement.getAttribute('data-theme'))).toBe('dark');
      await page.locator('.page-header').getByTestId('add-model-button').click();
      const dialog = page.getByTestId('add-model-dialog');
      await dialog.getByTestId('add-model-source').fill('acme/tiny-sd');
      await dialog.getByTestId('add-model-lookup').click();
      await dialog.getByTestId('preset-safetensors').check();
      await shot('12-add-dark');
      await page.keyboard.press('Escape');
      await modelCard(page, sdId).getByTestId('use-with-button').click();
      await page.getByTestId('model-link').first().waitFor();
      await shot('13-use-with-dark');
      await page.keyboard.press('Escape');
      await page.getByTestId('nav-storage').click();
      await page.getByTestId('adopt-button').click();
      await page.getByTestId('adopt-folders').waitFor();
      await shot('14-adopt-dark');
      await page.keyboard.press('Escape');
    });

    it('adds a model from a folder typed as a path in the web UI, and downloads it from there', async () => {
      const folder = join(dir, 'my-lora');
      await mkdir(join(folder, 'sub'), { recursive: true });
      const files = { 'lora.safetensors': bytes(120_000, 5), 'sub/notes.txt': Buffer.from('trained on cats\n') };
      for (const [path, data] of Object.entries(files)) await writeFile(join(folder, path), data);
      const before = await hashTree(folder);

      await page.getByTestId('nav-models').click();
      await page.locator('.page-header').getByTestId('add-model-button').click();
      const dialog = page.getByTestId('add-model-dialog');
      await dialog.getByTestId('add-model-source').fill(folder);
      await dialog.getByTestId('add-model-lookup').click();
      await dialog.getByTestId('source-file').first().waitFor();
      expect(await dialog.getByTestId('add-model-pinned').textContent()).toBe(`file://${folder}`);
      expect(await dialog.getByTestId('add-model-id').inputValue()).toBe('my-lora');
      expect(await dialog.getByTestId('add-model-total').textContent()).toMatch(/^2 of 2 files · 120 KB of 120 KB$/);
      await shot('15-add-folder');
      await dialog.getByTestId('add-model-add').click();
      await dialog.getByTestId('add-model-download').click();
      await pollUntil(
        () => badgeStatus(modelCard(page, 'my-lora')),
        (s) => s === 'complete',
        DOWNLOAD_TIMEOUT,
      );
      for (const [path, data] of Object.entries(files)) {
        expect(sha256(await readFile(join(dir, 'root', 'models', 'my-lora', 'default', path)))).toBe(sha256(data));
      }
      // The folder it came from is never changed.
      expect(await hashTree(folder)).toEqual(before);
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
