/**
 * The API side of add, adopt and export for the app service: the app's own manifest
 * ("Added models", `added-models.toml` in the config folder, listed like an import), credentials
 * from Settings (else the environment), `adoptProgress` events, and the `models` / `status` /
 * `disk` events that make the lists refresh afterwards.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiEvent, ApiParsedInput } from '../../../shared/api';
import type { AddModelResult, AdoptFolderSuggestion, AdoptResult, ExportResult, ModelLink, SourcePreview } from '../../../shared/results';
import { suggestAdoptFolders } from '../catalog/adopt-folder-suggestions';
import { ModelCatalog, type CatalogCredentials } from '../catalog/model-catalog';
import { loadManifestFile } from '../manifest';
import { SharedFetch } from '../net/shared-fetch';
import type { ModelService } from '../ports';
import { s3OptionsFromEnv } from '../sources/s3-source';
import type { ManifestLibrary } from './manifest-library';
import { networkOptionsOf, type AppSettings } from './settings-store';

export const ADDED_MODELS_NAME = 'Added models';
export const ADDED_MODELS_FILE = 'added-models.toml';

export interface CatalogApiDeps {
  configDir: string;
  library: ManifestLibrary;
  settings: () => AppSettings;
  root: () => string;
  /** Runs `fn` on the current model service. */
  use: <T>(fn: (service: ModelService) => Promise<T>) => Promise<T>;
  emit: (event: ApiEvent) => void;
  emitStatus: (id: string, variant: string) => Promise<void>;
  env?: Record<string, string | undefined>;
  /** For Hub and S3 requests (a proxy/CA-aware fetch can be given); default global fetch. */
  fetch?: typeof fetch;
  now?: () => number;
  /** Minimum time between adoptProgress events (default 250 ms). */
  progressIntervalMs?: number;
}

export class CatalogApi {
  /** Through the proxy and CA of the current Settings, as downloads go (unless deps.fetch is given). */
  private readonly network = new SharedFetch();

  constructor(private readonly deps: CatalogApiDeps) {}

  close(): Promise<void> {
    return this.network.close();
  }

  get manifestFile(): string {
    return join(this.deps.configDir, ADDED_MODELS_FILE);
  }

  /** Puts the models added in earlier runs back in the list; returns a problem to show, if any. */
  async restore(): Promise<string | null> {
    if (!existsSync(this.manifestFile)) return null;
    try {
      this.deps.library.setOwned(ADDED_MODELS_NAME, await loadManifestFile(this.manifestFile), this.manifestFile);
      return null;
    } catch (error) {
      return `${ADDED_MODELS_NAME} (${this.manifestFile}) could not be loaded: ${(error as Error).message}`;
    }
  }

  previewModelSource(input: ApiParsedInput<'previewModelSource'>): Promise<SourcePreview> {
    return this.catalog().preview(input.source, input.revision);
  }

  async addModel(input: ApiParsedInput<'addModel'>): Promise<AddModelResult> {
    const { source, revision, ...choices } = input;
    const result = await this.catalog().add(this.manifestFile, { source, ...(revision ? { revision } : {}), ...choices });
    this.deps.library.setOwned(ADDED_MODELS_NAME, await loadManifestFile(this.manifestFile), this.manifestFile);
    this.deps.emit({ type: 'models' });
    for (const variant of result.variants) await this.deps.emitStatus(result.id, variant);
    return result;
  }

  suggestAdoptFolders(): { folders: AdoptFolderSuggestion[] } {
    return { folders: suggestAdoptFolders(this.env()) };
  }

  async adoptFolders(input: ApiParsedInput<'adoptFolders'>): Promise<AdoptResult> {
    const result = await this.catalog().adopt(input.dirs, {
      onProgress: (progress) => this.deps.emit({ type: 'adoptProgress', progress }),
      progressIntervalMs: this.deps.progressIntervalMs ?? 250,
    });
    for (const m of result.models) await this.deps.emitStatus(m.id, m.variant);
    this.deps.emit({ type: 'disk' });
    return result;
  }

  async exportModel(input: ApiParsedInput<'exportModel'>): Promise<ExportResult> {
    const result = await this.catalog().export(input);
    await this.deps.emitStatus(result.id, result.variant);
    return result;
  }

  async listModelLinks(input: ApiParsedInput<'listModelLinks'>): Promise<{ links: ModelLink[] }> {
    return { links: await this.catalog().links(input.id, input.variant) };
  }

  /** A catalog over the current root and service (both change when Settings name another folder). */
  private catalog(): ModelCatalog {
    const use = this.deps.use;
    return new ModelCatalog({
      root: this.deps.root(),
      service: {
        ensure: (id, options) => use((s) => s.ensure(id, options)),
        status: (id, options) => use((s) => s.status(id, options)),
        getModel: (id) => this.deps.library.get(id),
      },
      models: () => this.deps.library.models(),
      credentials: () => this.credentials(),
      env: this.env(),
      ...(this.deps.now ? { now: this.deps.now } : {}),
    });
  }

  private env(): Record<string, string | undefined> {
    return this.deps.env ?? process.env;
  }

  /** Settings first, then the environment (HF_TOKEN, HF_ENDPOINT, AWS_*), as downloads do. */
  private credentials(): CatalogCredentials {
    const s = this.deps.settings();
    const env = this.env();
    const hfToken = s.hfToken || env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN;
    const s3 = { ...s3OptionsFromEnv(env) };
    if (s.s3.endpoint) s3.endpoint = s.s3.endpoint;
    if (s.s3.region) s3.region = s.s3.region;
    if (s.s3.accessKeyId && s.s3.secretAccessKey) {
      s3.accessKeyId = s.s3.accessKeyId;
      s3.secretAccessKey = s.s3.secretAccessKey;
      delete s3.sessionToken;
    }
    return {
      ...(hfToken ? { hfToken } : {}),
      ...(env.HF_ENDPOINT ? { hfEndpoint: env.HF_ENDPOINT } : {}),
      s3,
      fetch: this.deps.fetch ?? this.network.for(networkOptionsOf(s, env)),
    };
  }
}
