/**
 * The production ModelServiceFactory: the real orchestrator for the chosen models root, with
 * the app settings applied. Source credentials (Hugging Face token, S3 keys) are read at the
 * moment a source is resolved, so changing them in the settings needs no restart.
 */
import type { ModelSpec } from '../../../shared/manifest';
import { createOrchestrator } from '../orchestrator';
import { createSourceResolver, type SourceResolver } from '../sources';
import type { ClosableModelService, ModelServiceContext } from './model-service-factory';
import { networkOptionsOf, type AppSettings } from './settings-store';

function resolverFor(settings: AppSettings): SourceResolver {
  const s3 = settings.s3;
  return createSourceResolver({
    ...(settings.hfToken ? { hfToken: settings.hfToken } : {}),
    // Mirrors from Settings; none set there leaves MODELS_MIRRORS in charge.
    ...(settings.mirrors.length > 0 ? { mirrors: settings.mirrors } : {}),
    s3: {
      ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
      ...(s3.region ? { region: s3.region } : {}),
      ...(s3.accessKeyId ? { accessKeyId: s3.accessKeyId } : {}),
      ...(s3.secretAccessKey ? { secretAccessKey: s3.secretAccessKey } : {}),
    },
  });
}

/** Rebuilds the resolver only when the credentials it was built from changed. */
function liveSourceResolver(settings: () => AppSettings): SourceResolver {
  let key = '';
  let current: SourceResolver | null = null;
  const get = () => {
    const s = settings();
    const next = JSON.stringify([s.hfToken, s.s3, s.mirrors]);
    if (!current || next !== key) {
      current = resolverFor(s);
      key = next;
    }
    return current;
  };
  return {
    resolve: (model: ModelSpec, filePath: string, sha256?: string) => get().resolve(model, filePath, sha256),
    resolveWithProblems: (model: ModelSpec, filePath: string, sha256?: string) => get().resolveWithProblems(model, filePath, sha256),
  };
}

export function createDefaultModelService(context: ModelServiceContext): ClosableModelService {
  const settings = context.settings();
  return createOrchestrator({
    root: context.root,
    models: context.models,
    sourceResolver: liveSourceResolver(context.settings),
    ...(context.onEvent ? { onEvent: context.onEvent } : {}),
    settings: {
      ...(settings.maxBytesPerSecond ? { maxBytesPerSecond: settings.maxBytesPerSecond } : {}),
      quotaBytes: settings.quotaBytes,
      ...(settings.minFreeBytes !== null ? { safetyMarginBytes: settings.minFreeBytes } : {}),
    },
    network: networkOptionsOf(settings),
  });
}
