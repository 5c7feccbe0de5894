/**
 * The app's settings, persisted as JSON in the app's config folder. Secrets (Hugging Face
 * token, S3 secret key) are write-only through the API: reads say only whether one is set.
 * The Electron shell passes a `SecretCodec` backed by the OS keychain (safeStorage); without
 * one, secrets are stored as-is in a file only the user can read (mode 0600).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { SettingsPatch, SettingsView } from '../../../shared/api';
import { OrchestratorError, toOrchestratorError } from '../../../shared/errors';
import { readCaFile } from '../net/ca-certificates';
import type { NetworkOptions } from '../net/http-dispatcher';
import { normalizeProxyUrl, redactProxyUrl } from '../net/proxy-settings';

export interface SecretCodec {
  /** Short name stored next to sealed values, e.g. 'safeStorage'. */
  readonly kind: string;
  seal(plain: string): string;
  open(sealed: string): string;
}

/** The settings with secrets in the clear, for the core only (never sent to a UI). */
export interface AppSettings {
  modelsRoot: string | null;
  parallelDownloads: number;
  maxBytesPerSecond: number | null;
  quotaBytes: number | null;
  hfToken: string | null;
  s3: { endpoint: string | null; region: string | null; accessKeyId: string | null; secretAccessKey: string | null };
  /** Proxy URL for every request (may hold credentials, so stored like a secret); null = the environment. */
  proxy: string | null;
  /** PEM file of CA certificates trusted besides the default roots; null = none. */
  caFile: string | null;
  /** Free space kept beyond a download's bytes; null = the default (1 GiB). */
  minFreeBytes: number | null;
  /** Team mirror roots tried before every model's own sources (empty: MODELS_MIRRORS, if set). */
  mirrors: string[];
}

/** Proxy and CA for the app's requests: Settings first; empty falls back to MODELS_PROXY / MODELS_CA_FILE, then HTTP(S)_PROXY and the default roots. */
export function networkOptionsOf(settings: AppSettings, env: Record<string, string | undefined> = process.env): NetworkOptions {
  return { proxy: settings.proxy ?? env.MODELS_PROXY ?? null, caFile: settings.caFile ?? env.MODELS_CA_FILE ?? null };
}

export const DEFAULT_SETTINGS: AppSettings = {
  modelsRoot: null,
  parallelDownloads: 2,
  maxBytesPerSecond: null,
  quotaBytes: null,
  hfToken: null,
  s3: { endpoint: null, region: null, accessKeyId: null, secretAccessKey: null },
  proxy: null,
  caFile: null,
  minFreeBytes: null,
  mirrors: [],
};

const secretOnDisk = z.union([z.null(), z.strictObject({ codec: z.string(), value: z.string() })]);
const nullableString = z.union([z.string(), z.null()]);

const fileSchema = z.object({
  version: z.literal(1),
  modelsRoot: nullableString.default(null),
  parallelDownloads: z.number().int().min(1).max(16).default(2),
  maxBytesPerSecond: z.union([z.number().int().min(0), z.null()]).default(null),
  quotaBytes: z.union([z.number().int().min(0), z.null()]).default(null),
  hfToken: secretOnDisk.default(null),
  s3: z
    .object({
      endpoint: nullableString.default(null),
      region: nullableString.default(null),
      accessKeyId: nullableString.default(null),
      secretAccessKey: secretOnDisk.default(null),
    })
    .default({ endpoint: null, region: null, accessKeyId: null, secretAccessKey: null }),
  proxy: secretOnDisk.default(null),
  caFile: nullableString.default(null),
  minFreeBytes: z.union([z.number().int().min(0), z.null()]).default(null),
  mirrors: z.array(z.string()).default([]),
});

const PLAIN = 'plain';

/** The CA file to save: blank clears it; a file without a readable PEM certificate is refused (INVALID_CONFIG). */
function checkedCaFile(value: string | null): string | null {
  const file = value?.trim();
  if (!file) return null;
  readCaFile(file);
  return file;
}

export class SettingsStore {
  private current: AppSettings = structuredClone(DEFAULT_SETTINGS);
  readonly file: string;

  constructor(
    configDir: string,
    private readonly codec?: SecretCodec,
  ) {
    this.file = join(configDir, 'settings.json');
  }

  /** Reads the file; a missing file means defaults, an unreadable one is an INVALID_CONFIG error. */
  async load(): Promise<AppSettings> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.get();
      throw toOrchestratorError(error, `Reading settings ${this.file}`);
    }
    let parsed: z.infer<typeof fileSchema>;
    try {
      parsed = fileSchema.parse(JSON.parse(text));
    } catch {
      throw new OrchestratorError(
        'INVALID_CONFIG',
        `The settings file ${this.file} is damaged, so default settings are in use. Fix or delete it; saving the settings replaces it.`,
        { file: this.file },
      );
    }
    this.current = {
      modelsRoot: parsed.modelsRoot,
      parallelDownloads: parsed.parallelDownloads,
      maxBytesPerSecond: parsed.maxBytesPerSecond,
      quotaBytes: parsed.quotaBytes,
      hfToken: this.openSecret(parsed.hfToken),
      s3: {
        endpoint: parsed.s3.endpoint,
        region: parsed.s3.region,
        accessKeyId: parsed.s3.accessKeyId,
        secretAccessKey: this.openSecret(parsed.s3.secretAccessKey),
      },
      proxy: this.openSecret(parsed.proxy),
      caFile: parsed.caFile,
      minFreeBytes: parsed.minFreeBytes,
      mirrors: parsed.mirrors,
    };
    return this.get();
  }

  get(): AppSettings {
    return structuredClone(this.current);
  }

  /** Applies a validated patch and persists it atomically. */
  async update(patch: SettingsPatch): Promise<AppSettings> {
    const next = this.get();
    if (patch.modelsRoot !== undefined) next.modelsRoot = patch.modelsRoot;
    if (patch.parallelDownloads !== undefined) next.parallelDownloads = patch.parallelDownloads;
    if (patch.maxBytesPerSecond !== undefined) next.maxBytesPerSecond = patch.maxBytesPerSecond || null;
    if (patch.quotaBytes !== undefined) next.quotaBytes = patch.quotaBytes || null;
    if (patch.hfToken !== undefined) next.hfToken = patch.hfToken || null;
    if (patch.s3) {
      const s3 = patch.s3;
      if (s3.endpoint !== undefined) next.s3.endpoint = s3.endpoint || null;
      if (s3.region !== undefined) next.s3.region = s3.region || null;
      if (s3.accessKeyId !== undefined) next.s3.accessKeyId = s3.accessKeyId || null;
      if (s3.secretAccessKey !== undefined) next.s3.secretAccessKey = s3.secretAccessKey || null;
    }
    // A proxy or CA file that cannot work is refused here, when the user can still fix it.
    if (patch.proxy !== undefined) next.proxy = patch.proxy?.trim() ? normalizeProxyUrl(patch.proxy.trim()) : null;
    if (patch.caFile !== undefined) next.caFile = checkedCaFile(patch.caFile);
    if (patch.minFreeBytes !== undefined) next.minFreeBytes = patch.minFreeBytes;
    if (patch.mirrors !== undefined) next.mirrors = patch.mirrors;
    await this.save(next);
    this.current = next;
    return this.get();
  }

  /** What the UI may see. */
  view(modelsRoot: string): SettingsView {
    const s = this.current;
    return {
      modelsRoot,
      parallelDownloads: s.parallelDownloads,
      maxBytesPerSecond: s.maxBytesPerSecond,
      quotaBytes: s.quotaBytes,
      hfTokenSet: Boolean(s.hfToken),
      s3: {
        endpoint: s.s3.endpoint,
        region: s.s3.region,
        accessKeyId: s.s3.accessKeyId,
        secretAccessKeySet: Boolean(s.s3.secretAccessKey),
      },
      secretStorage: this.codec ? 'os-keychain' : 'file',
      proxy: s.proxy === null ? null : redactProxyUrl(s.proxy),
      proxyCredentialsSet: s.proxy !== null && new URL(s.proxy).username !== '',
      caFile: s.caFile,
      minFreeBytes: s.minFreeBytes,
      mirrors: [...s.mirrors],
    };
  }

  private async save(settings: AppSettings): Promise<void> {
    const onDisk = {
      version: 1,
      modelsRoot: settings.modelsRoot,
      parallelDownloads: settings.parallelDownloads,
      maxBytesPerSecond: settings.maxBytesPerSecond,
      quotaBytes: settings.quotaBytes,
      hfToken: this.sealSecret(settings.hfToken),
      s3: { ...settings.s3, secretAccessKey: this.sealSecret(settings.s3.secretAccessKey) },
      proxy: this.sealSecret(settings.proxy),
      caFile: settings.caFile,
      minFreeBytes: settings.minFreeBytes,
      mirrors: settings.mirrors,
    };
    try {
      await mkdir(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(onDisk, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, this.file);
    } catch (error) {
      throw toOrchestratorError(error, `Saving settings to ${this.file}`);
    }
  }

  private sealSecret(value: string | null): { codec: string; value: string } | null {
    if (!value) return null;
    return this.codec ? { codec: this.codec.kind, value: this.codec.seal(value) } : { codec: PLAIN, value };
  }

  /** A secret sealed by a codec we do not have (e.g. moved machine) reads as unset, never as garbage. */
  private openSecret(stored: { codec: string; value: string } | null): string | null {
    if (!stored) return null;
    if (stored.codec === PLAIN) return stored.value;
    if (this.codec && stored.codec === this.codec.kind) {
      try {
        return this.codec.open(stored.value);
      } catch {
        return null;
      }
    }
    return null;
  }
}
