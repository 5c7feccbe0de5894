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

export { joinUrlPath, redactUrl } from './url-path';
export type { S3SourceOptions } from './s3-source';

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
}

export interface SourceResolver {
  /** Every usable source for `filePath` of `model`, in the model's priority order. */
  resolve(model: ModelSpec, filePath: string): ResolvedSource[];
  /** Like resolve, plus the sources that could not be used and why. */
  resolveWithProblems(model: ModelSpec, filePath: string): { sources: ResolvedSource[]; problems: SourceFailure[] };
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

  const resolveWithProblems = (model: ModelSpec, filePath: string) => {
    const sources: ResolvedSource[] = [];
    const problems: SourceFailure[] = [];
    for (const base of model.sources) {
      const backend = backends.get(schemeOf(base));
      try {
        if (!backend) {
          throw new OrchestratorError(
            'INVALID_CONFIG',
            `${base}: unsupported source type (use local://, file://, http(s)://, s3:// or hf://).`,
            { source: base },
          );
        }
        sources.push(backend.resolve(base, filePath, model));
      } catch (error) {
        problems.push({ source: base, error: toStructuredError(error) });
      }
    }
    return { sources, problems };
  };

  return {
    resolve: (model, filePath) => resolveWithProblems(model, filePath).sources,
    resolveWithProblems,
  };
}
