/** What the specs do to a page like a user would: drop files, take screenshots, find a model card. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { REPO } from './renderer-build';

export const SCREENSHOT_DIR = join(REPO, 'test-results', 'screenshots');

/** Dispatches real dragenter/dragover/drop events carrying Files in a DataTransfer onto the window. */
export async function dropFiles(page: Page, files: Array<{ name: string; text: string; type?: string }>): Promise<void> {
  await page.evaluate((list) => {
    const transfer = new DataTransfer();
    for (const f of list) transfer.items.add(new File([f.text], f.name, { type: f.type ?? 'text/plain' }));
    const target = document.querySelector('main') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }
  }, files);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // Dialogs fade in: finish their animations so a screenshot shows what the user then sees.
  await page.screenshot({ path, animations: 'disabled' });
  return path;
}

export function modelCard(page: Page, id: string): Locator {
  return page.locator(`[data-testid="model-card"][data-model-id="${id}"]`);
}

/** The status the badge of a model card shows (`data-status`: complete, paused, corrupt...). */
export async function badgeStatus(card: Locator): Promise<string | null> {
  return card.getByTestId('status-badge').getAttribute('data-status');
}

export async function progressPercent(card: Locator): Promise<number> {
  const value = await card.getByTestId('model-progress').getByRole('progressbar').getAttribute('aria-valuenow');
  return Number(value ?? 0);
}
