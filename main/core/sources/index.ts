/**
 * Turns a model's `sources.priority` into concrete places to read one file from, in priority
 * order. Each URL scheme has a backend (local://, file://, http(s)://, hf://, s3://). A source
 * that cannot be used (unknown scheme, missing setting) is skipped and reported through
 * `problems` rather than hiding the others.
 */
import { OrchestratorError, toStructuredError } from '../../../shared/errors';
import type { ModelSpec } from '../../../shared/manifest';
import type { ResolvedSource, SourceBackend, SourceFailure } from '../ports';
import { createHfSourceBackend } from './hf-source';
import { createHttpSourceBackend } from './http-source';
import { createFileSourceBackend, createLocalSourceBackend } from './local-source';
import { createS3SourceBackend, s3OptionsFromEnv, type S3SourceOptions } from './s3-source';
import { contentAddressedBlob, mirrorBlobsBase, parseMirrorList } from '../mirror/mirror-layout';

export { joinUrlPath, redactUrl } from './url-path';
export type { S3SourceOptions } from './s3-source';
export { parseS3Url, s3AuthHelp, s3ObjectUrl, s3OptionsFromEnv } from './s3-source';

export interface SourceResolverOptions {
  /** Where `local://` sources resolve when the model has no `localMirrorRoot`. */
  localMirrorRoot?: string;
  /** Hugging Face token (default: env HF_TOKEN). */
  hfToken?: string;
  /** Replaces https://huggingface.co (default: env HF_ENDPOINT). */
  hfEndpoint?: string;
  /** S3 endpoint, region and credentials (defaults: AWS_ENDPOINT_URL(_S3), AWS_REGION, AWS_ACCESS_KEY_ID...). */
  s3?: S3SourceOptions;
  /** Environment to read defaults from (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Extra or replacement backends, by scheme. */
  backends?: SourceBackend[];
  /** Team mirrors (`s3://…`/`https://…` roots of the mirror layout), tried before every model's own sources (default: env MODELS_MIRRORS). */
  mirrors?: string[];
}

export interface SourceResolver {
  /**
   * Every usable source for `filePath` of `model`: the mirrors first, then the model's priority
   * order. With `sha256`, content-addressed sources (mirrors) can serve the file too.
   */
  resolve(model: ModelSpec, filePath: string, sha256?: string): ResolvedSource[];
  /** Like resolve, plus the sources that could not be used and why. */
  resolveWithProblems(model: ModelSpec, filePath: string, sha256?: string): { sources: ResolvedSource[]; problems: SourceFailure[] };
}

export function schemeOf(base: string): string {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(base);
  return m ? (m[1] as string).toLowerCase() : '';
}

export function createSourceResolver(options: SourceResolverOptions = {}): SourceResolver {
  const env = options.env ?? process.env;
  const hfToken = options.hfToken ?? env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN;
  const hfEndpoint = options.hfEndpoint ?? env.HF_ENDPOINT;
  const backends = new Map<string, SourceBackend>();
  const all: SourceBackend[] = [
    createLocalSourceBackend(options.localMirrorRoot ? { localMirrorRoot: options.localMirrorRoot } : {}),
    createFileSourceBackend(),
    createHttpSourceBackend(),
    createHfSourceBackend({ ...(hfEndpoint ? { endpoint: hfEndpoint } : {}), ...(hfToken ? { token: hfToken } : {}) }),
    createS3SourceBackend({ ...s3OptionsFromEnv(env), ...options.s3 }),
    ...(options.backends ?? []),
  ];
  for (const backend of all) for (const scheme of backend.schemes) backends.set(scheme, backend);
  const mirrors = (options.mirrors ?? parseMirrorList(env.MODELS_MIRRORS ?? '')).map(mirrorBlobsBase);

  const resolveWithProblems = (model: ModelSpec, filePath: string, sha256?: string) => {
    const sources: ResolvedSource[] = [];
    const problems: SourceFailure[] = [];
    const bases = [...mirrors.filter((m) => !model.sources.includes(m)), ...model.sources];
    for (const base of bases) {
      const backend = backends.get(schemeOf(base));
      const blob = contentAddressedBlob(base, sha256);
      // A content-addressed source cannot serve a file whose sha256 the caller did not give.
      if (blob === null) continue;
      try {
        if (!backend) {
          throw new OrchestratorError(
            'INVALID_CONFIG',
            `${base}: unsupported source type (use local://, file://, http(s)://, s3:// or hf://).`,
            { source: base },
          );
        }
        const source = backend.resolve(base, blob ?? filePath, model);
        // A mirror missing one blob says nothing about its other blobs: remember failures per blob.
        sources.push(blob && source.kind === 'http' ? { ...source, cacheKey: `${source.base}/${blob}` } : source);
      } catch (error) {
        problems.push({ source: base, error: toStructuredError(error) });
      }
    }
    return { sources, problems };
  };

  return {
    resolve: (model, filePath, sha256) => resolveWithProblems(model, filePath, sha256).sources,
    resolveWithProblems,
  };
}
