import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../../main/core/jobs/settings-store';
import { safeStorageCodec, type SafeStorageLike } from '../../../main/app/secret-codec';

/** Stands in for the OS keychain: reversible, and visibly not the plain text. */
function fakeSafeStorage(available: boolean, backend?: string): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (plain) => Buffer.from(`sealed:${Buffer.from(plain).reverse().toString('hex')}`),
    decryptString: (sealed) => {
      const text = sealed.toString();
      if (!text.startsWith('sealed:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(text.slice(7), 'hex').reverse().toString();
    },
    ...(backend ? { getSelectedStorageBackend: () => backend } : {}),
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secrets-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('settings secrets and the OS keychain', () => {
  it('stores tokens sealed by the keychain, never in the clear, and reads them back', async () => {
    const configDir = join(dir, 'sealed');
    const store = new SettingsStore(configDir, safeStorageCodec(fakeSafeStorage(true), 'darwin'));
    await store.update({ hfToken: 'hf_abcdefSECRET', s3: { secretAccessKey: 's3-SECRET-key' } });
    const onDisk = await readFile(store.file, 'utf8');
    expect(onDisk).not.toContain('SECRET');
    expect(onDisk).toContain('safeStorage');

    const reopened = new SettingsStore(configDir, safeStorageCodec(fakeSafeStorage(true), 'darwin'));
    const settings = await reopened.load();
    expect(settings.hfToken).toBe('hf_abcdefSECRET');
    expect(settings.s3.secretAccessKey).toBe('s3-SECRET-key');
    expect(reopened.view('/models').hfTokenSet).toBe(true);
    expect(reopened.view('/models').secretStorage).toBe('os-keychain');
  });

  it('says in the settings when secrets are only in a user-only file', async () => {
    const store = new SettingsStore(join(dir, 'plain'), safeStorageCodec(fakeSafeStorage(true, 'basic_text'), 'linux'));
    await store.update({ hfToken: 'hf_x' });
    expect(store.view('/models').secretStorage).toBe('file');
  });

  it('has no codec where the keychain is unavailable or only the basic_text fallback exists', () => {
    expect(safeStorageCodec(fakeSafeStorage(false), 'win32')).toBeUndefined();
    expect(safeStorageCodec(fakeSafeStorage(true, 'basic_text'), 'linux')).toBeUndefined();
    expect(safeStorageCodec(fakeSafeStorage(true, 'gnome_libsecret'), 'linux')).toBeDefined();
  });

  it('treats a token sealed on another machine as unset instead of failing', async () => {
    const configDir = join(dir, 'moved');
    await new SettingsStore(configDir, safeStorageCodec(fakeSafeStorage(true), 'darwin')).update({ hfToken: 'hf_SECRET' });
    const broken: SafeStorageLike = {
      ...fakeSafeStorage(true),
      decryptString: () => {
        throw new Error('cannot decrypt');
      },
    };
    const settings = await new SettingsStore(configDir, safeStorageCodec(broken, 'darwin')).load();
    expect(settings.hfToken).toBeNull();
  });
});
