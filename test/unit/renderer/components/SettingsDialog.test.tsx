// @vitest-environment happy-dom
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiCallError, type SettingsPatch, type SettingsView } from '../../../../shared/api';
import { Toasts } from '../../../../renderer/components/Toasts';
import { disk, fakeClient, OpenDialog, renderWithStore, store } from './render-with-store';

const saved: SettingsView = {
  modelsRoot: '/models',
  parallelDownloads: 2,
  maxBytesPerSecond: 5_000_000,
  quotaBytes: 20_000_000_000,
  hfTokenSet: true,
  s3: { endpoint: 'https://s3.example.org', region: 'eu-west-1', accessKeyId: 'AKIAEXAMPLE', secretAccessKeySet: true },
  secretStorage: 'os-keychain',
};

/** A host that applies the patch and, like the real one, never sends a secret back. */
function settingsHost() {
  return fakeClient({
    setSettings: async (patch: SettingsPatch) => ({
      ...saved,
      parallelDownloads: patch.parallelDownloads ?? saved.parallelDownloads,
      quotaBytes: patch.quotaBytes === undefined ? saved.quotaBytes : patch.quotaBytes,
      hfTokenSet: patch.hfToken === undefined ? saved.hfTokenSet : patch.hfToken !== null,
    }),
    diskUsage: async () => disk(),
  });
}

function openSettings(settings: SettingsView = saved, client = settingsHost()) {
  const rendered = renderWithStore(
    <>
      <OpenDialog />
      <Toasts />
    </>,
    client,
  );
  act(() => {
    store.getState().setSettings(settings);
    store.getState().openDialog({ kind: 'settings' });
  });
  return rendered;
}

const dialog = () => screen.getByRole('dialog', { name: 'Settings' });
/** The field whose label starts with `name` (labels also carry a short hint). */
const field = (name: string) => within(dialog()).getByLabelText(new RegExp(`^${name.replace(/[()]/g, '\\$&')}`)) as HTMLInputElement;
const lastPatch = (client: ReturnType<typeof settingsHost>) => client.setSettings.mock.calls.at(-1)?.[0];

describe('SettingsDialog', () => {
  it('shows the saved values, with the models folder focused', () => {
    openSettings();
    expect(document.activeElement).toBe(field('Models folder'));
    expect(field('Models folder').value).toBe('/models');
    expect(field('Quota for models').value).toBe('20.0 GB');
    expect(field('Bandwidth limit (per second)').value).toBe('5.00 MB');
    expect((within(dialog()).getByLabelText('Downloads at the same time') as HTMLSelectElement).value).toBe('2');
    expect(field('Endpoint').value).toBe('https://s3.example.org');
    expect(field('Access key id').value).toBe('AKIAEXAMPLE');
    expect(within(dialog()).getByText('Tokens and keys are encrypted with your system keychain.')).toBeTruthy();
  });

  it('never shows a saved secret: the fields stay empty password fields that only say one is saved', () => {
    openSettings();
    const token = field('Access token');
    const secret = field('Secret access key');
    for (const input of [token, secret]) {
      expect(input.type).toBe('password');
      expect(input.value).toBe('');
    }
    expect(token.placeholder).toBe('A token is saved — type to replace it');
    expect(secret.placeholder).toBe('Saved — type to replace it');
  });

  it('saving without typing a secret leaves the saved secrets alone', async () => {
    const client = settingsHost();
    const { user } = openSettings(saved, client);
    await user.click(within(dialog()).getByRole('button', { name: 'Save' }));
    const patch = lastPatch(client)!;
    expect(patch).not.toHaveProperty('hfToken');
    expect(patch.s3).not.toHaveProperty('secretAccessKey');
    expect(patch).toEqual({
      parallelDownloads: 2,
      maxBytesPerSecond: 5_000_000,
      quotaBytes: 20_000_000_000,
      s3: { endpoint: 'https://s3.example.org', region: 'eu-west-1', accessKeyId: 'AKIAEXAMPLE' },
    });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect((await screen.findByTestId('toast')).textContent).toContain('Settings saved');
  });

  it('sends a typed secret once and does not show it again', async () => {
    const client = settingsHost();
    const { user } = openSettings(saved, client);
    await user.type(field('Access token'), 'hf_secretvalue');
    await user.type(field('Secret access key'), 's3-secret');
    await user.click(within(dialog()).getByRole('button', { name: 'Save' }));
    expect(lastPatch(client)).toMatchObject({ hfToken: 'hf_secretvalue', s3: { secretAccessKey: 's3-secret' } });
    act(() => store.getState().openDialog({ kind: 'settings' }));
    expect(field('Access token').value).toBe('');
    expect(field('Secret access key').value).toBe('');
    expect(document.body.textContent).not.toContain('hf_secretvalue');
    expect(document.body.textContent).not.toContain('s3-secret');
  });

  it('forgets the saved token only when asked', async () => {
    const client = settingsHost();
    const { user } = openSettings(saved, client);
    await user.click(within(dialog()).getByRole('checkbox', { name: 'Forget the saved token' }));
    await user.click(within(dialog()).getByRole('button', { name: 'Save' }));
    expect(lastPatch(client)).toMatchObject({ hfToken: null });
    act(() => store.getState().openDialog({ kind: 'settings' }));
    expect(field('Access token').placeholder).toBe('hf_…');
    expect(within(dialog()).queryByRole('checkbox', { name: 'Forget the saved token' })).toBeNull();
  });

  it('reads sizes the way people write them, and empty means no limit', async () => {
    const client = settingsHost();
    const { user } = openSettings(saved, client);
    await user.clear(field('Quota for models'));
    await user.type(field('Quota for models'), '500 MB');
    await user.clear(field('Bandwidth limit (per second)'));
    await user.selectOptions(within(dialog()).getByLabelText('Downloads at the same time'), '4');
    await user.click(within(dialog()).getByRole('button', { name: 'Save' }));
    expect(lastPatch(client)).toMatchObject({ quotaBytes: 500_000_000, maxBytesPerSecond: null, parallelDownloads: 4 });
  });

  it('says how to write a size it cannot read, and saves nothing', async () => {
    const client = settingsHost();
    const { user } = openSettings(saved, client);
    await user.clear(field('Quota for models'));
    await user.type(field('Quota for models'), 'a lot');
    await user.click(within(dialog()).getByRole('button', { name: 'Save' }));
    expect(within(dialog()).getByRole('alert').textContent).toBe('Write sizes like "20 GB" or "5 MB".');
    expect(client.setSettings).not.toHaveBeenCalled();
  });

  it('submits with Enter from a field', async () => {
    const client = settingsHost();
    const { user } = openSettings(saved, client);
    await user.type(field('Region'), '{Backspace}2{Enter}');
    expect(lastPatch(client)).toMatchObject({ s3: { region: 'eu-west-2' } });
  });

  it('keeps the dialog open with the error code and message when the host refuses', async () => {
    const client = fakeClient({
      setSettings: async () => {
        throw new ApiCallError({
          code: 'PERMISSION_DENIED',
          message: 'Cannot write to /root/models. Choose a folder you can write to.',
          details: {},
          retryable: false,
        });
      },
    });
    const { user } = openSettings(saved, client);
    await user.clear(field('Models folder'));
    await user.type(field('Models folder'), '/root/models');
    await user.click(within(dialog()).getByRole('button', { name: 'Save' }));
    expect(lastPatch(client)).toMatchObject({ modelsRoot: '/root/models' });
    expect(dialog()).toBeTruthy();
    expect((await screen.findByTestId('toast')).textContent).toContain(
      'PERMISSION_DENIED: Cannot write to /root/models. Choose a folder you can write to.',
    );
  });

  it('closes on Escape or Cancel without saving', async () => {
    const client = settingsHost();
    const { user } = openSettings(saved, client);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    act(() => store.getState().openDialog({ kind: 'settings' }));
    await user.click(within(dialog()).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(client.setSettings).not.toHaveBeenCalled();
  });

  it('shows the proxy without its credentials, and sends proxy, CA file and free-space margin only when changed', async () => {
    const withNetwork: SettingsView = {
      ...saved,
      proxy: 'http://proxy.corp:3128',
      proxyCredentialsSet: true,
      caFile: null,
      minFreeBytes: null,
    };
    const client = settingsHost();
    const { user } = openSettings(withNetwork, client);
    expect(field('Proxy').value).toBe('http://proxy.corp:3128');
    expect(within(dialog()).getByText(/A user and password are saved with this proxy/)).toBeTruthy();
    expect(field('Keep free on disk').placeholder).toBe('1 GiB (default)');
    await user.click(within(dialog()).getByRole('button', { name: 'Save' }));
    const untouched = lastPatch(client)!;
    for (const key of ['proxy', 'caFile', 'minFreeBytes']) expect(untouched).not.toHaveProperty(key);

    act(() => {
      store.getState().setSettings(withNetwork);
      store.getState().openDialog({ kind: 'settings' });
    });
    await user.type(field('Keep free on disk'), '200 MB');
    await user.type(field('CA certificates file'), '/etc/ssl/company-ca.pem');
    await user.clear(field('Proxy'));
    await user.click(within(dialog()).getByRole('button', { name: 'Save' }));
    expect(lastPatch(client)).toMatchObject({ minFreeBytes: 200_000_000, caFile: '/etc/ssl/company-ca.pem', proxy: null });
  });

  it('refuses a free-space margin it cannot read', async () => {
    const client = settingsHost();
    const { user } = openSettings(saved, client);
    await user.type(field('Keep free on disk'), 'plenty');
    await user.click(within(dialog()).getByRole('button', { name: 'Save' }));
    expect(within(dialog()).getByRole('alert').textContent).toBe('Write sizes like "20 GB" or "5 MB".');
    expect(client.setSettings).not.toHaveBeenCalled();
  });
});
