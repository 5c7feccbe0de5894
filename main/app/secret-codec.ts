/**
 * Seals settings secrets (Hugging Face token, S3 secret key) with Electron's safeStorage, i.e.
 * the OS keychain (Keychain, DPAPI, libsecret/kwallet). Where no real keychain is available —
 * including Linux's `basic_text` fallback, which uses a fixed password — there is no codec and
 * the settings store keeps secrets in a user-only file; the settings view says so.
 */
import type { SecretCodec } from '../core/jobs/settings-store';

/** The part of Electron's `safeStorage` we use (injected so tests run in Node). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?: () => string;
}

export function keychainAvailable(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend) {
    const backend = safeStorage.getSelectedStorageBackend();
    return backend !== 'basic_text' && backend !== 'unknown';
  }
  return true;
}

/** A codec backed by the OS keychain, or undefined when there is none. */
export function safeStorageCodec(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretCodec | undefined {
  if (!keychainAvailable(safeStorage, platform)) return undefined;
  return {
    kind: 'safeStorage',
    seal: (plain) => safeStorage.encryptString(plain).toString('base64'),
    open: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
