/**
 * The catalog operations over one models root, shared by modelctl and the app service: preview
 * and add a source, adopt folders, export a stored model, and where a model is linked. Hosts
 * keep only the wiring (which manifest, which settings, which events).
 */
import os from 'node:os';
import path from 'node:path';
import type { ModelSpec } from '../../../shared/manifest';
import type { AddModelResult, AdoptProgress, AdoptResult, ExportResult, ModelLink, SourcePreview } from '../../../shared/results';
import { OrchestratorError } from '../../../shared/errors';
import { createHashPool } from '../hash/hash-pool';
import type { HashPool, ModelService } from '../ports';
import type { S3SourceOptions } from '../sources/index';
import { ModelLinkStore } from '../store/model-links';
import { ModelsRoot } from '../store/models-root';
import { addModel, previewModelSource, type AddModelRequest } from './add-model';
import { adoptFolders } from './adopt-folders';
import { exportModel } from './export-model';
import type { ListingProgress } from './source-listing';

export interface CatalogCredentials {
  hfToken?: string;
  hfEndpoint?: string;
  s3?: S3SourceOptions;
  /** For Hub and S3 requests; default global fetch. */
  fetch?: typeof fetch;
}

export interface ModelCatalogOptions {
  root: string;
  service: Pick<ModelService, 'ensure' | 'status' | 'getModel'>;
  /** The models of every manifest in use (adopt matches files against them). */
  models: () => ModelSpec[];
  /** Read when needed: settings may change at runtime. */
  credentials: () => CatalogCredentials;
  cwd?: string;
  /** For HF_HUB_CACHE / HF_HOME (the default export target); default process.env. */
  env?: Record<string, string | undefined>;
  /** A hash pool to share; otherwise one is made per operation and closed after it. */
  hashPool?: HashPool;
  now?: () => number;
}

export class ModelCatalog {
  constructor(private readonly options: ModelCatalogOptions) {}

  preview(source: string, revision?: string, hooks: { onProgress?: ListingProgress; signal?: AbortSignal } = {}): Promise<SourcePreview> {
    return this.withPool((hashPool) => previewModelSource(source, revision, { ...this.listingContext(hashPool), ...hooks }));
  }

  add(
    manifestFile: string,
    request: AddModelRequest,
    hooks: { onProgress?: ListingProgress; signal?: AbortSignal } = {},
  ): Promise<AddModelResult> {
    return this.withPool((hashPool) => addModel(manifestFile, request, { ...this.listingContext(hashPool), ...hooks }));
  }

  adopt(
    dirs: string[],
    hooks: { onProgress?: (p: AdoptProgress) => void; signal?: AbortSignal; progressIntervalMs?: number } = {},
  ): Promise<AdoptResult> {
    return this.withPool((hashPool) =>
      adoptFolders(dirs, {
        root: this.options.root,
        models: this.options.models(),
        hashPool,
        service: this.options.service,
        ...(this.options.now ? { now: this.options.now } : {}),
        ...hooks,
      }),
    );
  }

  async export(request: { id: string; variant?: string; target: 'hf-cache' | 'folder'; dir?: string }): Promise<ExportResult> {
    const model = this.options.service.getModel(request.id);
    const variant = request.variant ?? model.defaultVariant;
    const status = await this.options.service.status(model.id, { variant });
    if (status.status !== 'COMPLETE') {
      throw new OrchestratorError(
        'INVALID_CONFIG',
        `${model.id} (${variant}) is ${status.status.toLowerCase().replace('_', ' ')}, not complete, so it cannot be exported yet. Download it (\`modelctl ensure ${model.id} --variant ${variant}\`) or adopt its files first.`,
        { id: model.id, variant, status: status.status },
      );
    }
    const dir = request.dir ?? (request.target === 'hf-cache' ? defaultHfCache(this.options.env) : undefined);
    if (!dir)
      throw new OrchestratorError('INVALID_CONFIG', 'Exporting to a folder needs the folder: give dir (--to DIR).', { id: model.id });
    return exportModel(
      { model, variant, target: request.target, dir },
      { root: this.options.root, ...(this.options.now ? { now: this.options.now } : {}) },
    );
  }

  async links(id: string, variant?: string): Promise<ModelLink[]> {
    const model = this.options.service.getModel(id);
    return new ModelLinkStore(new ModelsRoot(this.options.root)).list(model.id, variant ?? model.defaultVariant);
  }

  private listingContext(hashPool: HashPool) {
    const c = this.options.credentials();
    return {
      hashPool,
      ...(c.hfToken ? { hfToken: c.hfToken } : {}),
      ...(c.hfEndpoint ? { hfEndpoint: c.hfEndpoint } : {}),
      ...(c.s3 ? { s3: c.s3 } : {}),
      ...(c.fetch ? { fetch: c.fetch } : {}),
      ...(this.options.cwd ? { cwd: this.options.cwd } : {}),
    };
  }

  private async withPool<T>(work: (pool: HashPool) => Promise<T>): Promise<T> {
    if (this.options.hashPool) return work(this.options.hashPool);
    const pool = createHashPool();
    try {
      return await work(pool);
    } finally {
      await pool.close();
    }
  }
}

/** Where huggingface_hub keeps its cache: HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub. */
export function defaultHfCache(env: Record<string, string | undefined> = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HF_HOME) return path.join(env.HF_HOME, 'hub');
  return path.join(os.homedir(), '.cache', 'huggingface', 'hub');
}
