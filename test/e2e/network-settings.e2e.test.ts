/**
 * Network settings end to end in a real browser: a user behind a proxy with a company CA types
 * both into Settings, downloads a model from a host only the proxy can reach over https, and
 * never sees the proxy password again. Also the free-space margin field.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer } from '../helpers/fault-server';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy';
import { makeTestCa, type TestCa } from '../helpers/test-ca';
import { startTlsFront, type TlsFront } from '../helpers/tls-front';
import { badgeStatus, dropFiles, modelCard, screenshot } from './support/page-helpers';
import { closeSharedBrowser, E2E_TARGETS, type LaunchedApp } from './support/targets';

const HOST = 'models.internal.test';
const PASSWORD = 'e2e-proxy-pw';
const data = randomBytes(256 * 1024);
const manifestToml = stringify({
  schema_version: 1,
  models: {
    'proxied-model': {
      version: '1.0.0',
      variants: ['fp16'],
      default_variant: 'fp16',
      files: [{ path: 'weights.bin', size: data.length, sha256: createHash('sha256').update(data).digest('hex') }],
      sources: { priority: [`https://${HOST}/m`] },
    },
  },
});

afterAll(async () => {
  await closeSharedBrowser();
});

const web = E2E_TARGETS.find((t) => t.name === 'web')!;
const skipReason = web.unavailableReason();

describe.skipIf(skipReason !== null)('network settings (web)', () => {
  let dir: string;
  let ca: TestCa;
  let server: FaultServer;
  let tls: TlsFront;
  let proxy: ForwardProxy;
  let app: LaunchedApp;
  let page: Page;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mo-e2e-net-'));
    ca = makeTestCa([HOST]);
    server = await startFaultServer();
    server.serve('/m/weights.bin', data);
    tls = await startTlsFront(server.url, ca);
    proxy = await startForwardProxy({ hosts: { [`${HOST}:443`]: `127.0.0.1:${tls.port}` }, auth: { user: 'alice', password: PASSWORD } });
    app = await web.launch({ root: join(dir, 'root'), configDir: join(dir, 'config') });
    page = app.page;
    page.setDefaultTimeout(20_000);
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([proxy?.close(), tls?.close(), server?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const openSettings = async () => {
    await page.getByTestId('settings-button').click();
    const dialog = page.getByTestId('settings-dialog');
    await dialog.waitFor();
    return dialog;
  };

  it('fails with the certificate message before the CA is set, then downloads through the proxy once proxy and CA file are saved', async () => {
    await dropFiles(page, [{ name: 'models.toml', text: manifestToml }]);
    const card = modelCard(page, 'proxied-model');
    await card.waitFor();

    let dialog = await openSettings();
    await dialog.getByTestId('settings-proxy').fill(proxy.url.replace('http://', `http://alice:${PASSWORD}@`));
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    await card.getByTestId('download-button').click();
    const error = card.getByTestId('job-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(new RegExp(`${HOST.replace(/\./g, '\\.')}.*certificate.*MODELS_CA_FILE`));

    dialog = await openSettings();
    await dialog.getByTestId('settings-ca-file').fill(ca.caFile);
    await screenshot(page, 'web-network-settings');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    await card.getByTestId('download-button').click();
    await expect.poll(() => badgeStatus(card), { timeout: 30_000, interval: 100 }).toBe('complete');
    expect(proxy.requests.some((r) => r.method === 'CONNECT' && r.target === `${HOST}:443` && r.status === 200)).toBe(true);
  });

  it('shows the saved proxy without its password, and keeps the credentials when saved again untouched', async () => {
    const dialog = await openSettings();
    expect(await dialog.getByTestId('settings-proxy').inputValue()).toBe(proxy.url);
    expect(await dialog.textContent()).toContain('A user and password are saved with this proxy');
    expect(await page.content()).not.toContain(PASSWORD);
    await dialog.getByTestId('settings-min-free').fill('0');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const again = await openSettings();
    expect(await again.getByTestId('settings-min-free').inputValue()).toBe('0 B');
    expect(await again.textContent()).toContain('A user and password are saved with this proxy');
    await page.keyboard.press('Escape');
  });

  it('refuses a CA file that holds no certificate, saying which file', async () => {
    const dialog = await openSettings();
    await dialog.getByTestId('settings-ca-file').fill(join(dir, 'missing.pem'));
    await dialog.getByRole('button', { name: 'Save' }).click();
    const toast = page.getByTestId('toast').filter({ hasText: 'INVALID_CONFIG' });
    await toast.first().waitFor();
    expect(await toast.first().textContent()).toContain('missing.pem');
    await page.keyboard.press('Escape');
  });
});
