import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsStore, type SecretCodec } from '../../../main/core/jobs/settings-store';

/** A reversible stand-in for the OS keychain (what cannot exist here: Electron safeStorage). */
const rot13: SecretCodec = {
  kind: 'rot13',
  seal: (s) =>
    s.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.toLowerCase().charCodeAt(0) - 97 + 13) % 26) + (c === c.toLowerCase() ? 97 : 65))),
  open: (s) => rot13.seal(s),
};

describe('settings store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mo-settings-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts from defaults and persists changes in a file only the user can read', async () => {
    const store = new SettingsStore(dir);
    expect((await store.load()).parallelDownloads).toBe(2);
    await store.update({ parallelDownloads: 4, hfToken: 'hf_abc', quotaBytes: 0 });
    expect((await stat(store.file)).mode & 0o077).toBe(0);
    const again = new SettingsStore(dir);
    expect(await again.load()).toMatchObject({ parallelDownloads: 4, hfToken: 'hf_abc', quotaBytes: null });
    expect(again.view('/root')).toMatchObject({ hfTokenSet: true, secretStorage: 'file' });
    expect(JSON.stringify(again.view('/root'))).not.toContain('hf_abc');
  });

  it('seals secrets with the codec, and reads a secret sealed by an unavailable codec as unset', async () => {
    const sealed = new SettingsStore(dir, rot13);
    await sealed.update({ hfToken: 'hf_secret', s3: { secretAccessKey: 'topsecret' } });
    const text = await readFile(sealed.file, 'utf8');
    expect(text).not.toContain('hf_secret');
    expect(text).not.toContain('topsecret');
    expect((await new SettingsStore(dir, rot13).load()).hfToken).toBe('hf_secret');
    const withoutKeychain = new SettingsStore(dir);
    expect((await withoutKeychain.load()).hfToken).toBeNull();
  });

  it('says which file is damaged instead of starting with garbage', async () => {
    await writeFile(join(dir, 'settings.json'), '{"version": 1, "parallelDownloads": "many"}');
    await expect(new SettingsStore(dir).load()).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringContaining('settings.json'),
    });
  });

  it('keeps a proxy (credentials sealed, never shown), a CA file and a free-space margin', async () => {
    const ca = join(dir, 'company-ca.pem');
    await writeFile(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const store = new SettingsStore(dir, rot13);
    await store.update({ proxy: 'http://alice:pw-4711@proxy.corp:3128', caFile: ca, minFreeBytes: 0 });
    expect(await readFile(store.file, 'utf8')).not.toContain('pw-4711');
    const again = new SettingsStore(dir, rot13);
    expect(await again.load()).toMatchObject({ proxy: 'http://alice:pw-4711@proxy.corp:3128/', caFile: ca, minFreeBytes: 0 });
    const view = again.view('/root');
    expect(view).toMatchObject({ proxy: 'http://proxy.corp:3128', proxyCredentialsSet: true, caFile: ca, minFreeBytes: 0 });
    expect(JSON.stringify(view)).not.toContain('pw-4711');
    await again.update({ proxy: '', caFile: null, minFreeBytes: null });
    expect(again.view('/root')).toMatchObject({ proxy: null, proxyCredentialsSet: false, caFile: null, minFreeBytes: null });
  });

  it('refuses a proxy that is not an http(s) URL and a CA file without a certificate', async () => {
    const store = new SettingsStore(dir);
    await expect(store.update({ proxy: 'ftp://proxy.corp' })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await writeFile(join(dir, 'empty.pem'), 'nothing here');
    await expect(store.update({ caFile: join(dir, 'empty.pem') })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringContaining('no PEM certificate'),
    });
    await expect(store.update({ caFile: join(dir, 'missing.pem') })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    expect(store.get()).toMatchObject({ proxy: null, caFile: null });
  });
});
