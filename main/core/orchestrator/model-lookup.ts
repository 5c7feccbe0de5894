/**
 * Finding a model and variant in the manifest by what the user typed, with the errors that
 * tell them what exists instead.
 */
import { OrchestratorError } from '../../../shared/errors';
import { filesForVariant, type ModelSpec } from '../../../shared/manifest';
import type { ModelSummary } from '../../../shared/results';

const MODEL_ID = /^[A-Za-z0-9._@+-]{1,128}$/;

export function findModel(models: ModelSpec[], id: string): ModelSpec {
  if (typeof id !== 'string' || !MODEL_ID.test(id)) {
    throw new OrchestratorError(
      'INVALID_MODEL_ID',
      `"${String(id)}" is not a valid model id (letters, digits and . _ - @ + only, at most 128 characters).`,
      { id },
    );
  }
  const model = models.find((m) => m.id === id);
  if (!model) {
    const known = models.map((m) => m.id);
    throw new OrchestratorError(
      'MODEL_NOT_FOUND',
      `Model "${id}" is not in the manifest. Known models: ${known.length ? known.join(', ') : '(none)'}. Run "modelctl list" to see them.`,
      { id, known },
    );
  }
  return model;
}

/** The model and the variant asked for (default: the model's default variant). */
export function findModelVariant(models: ModelSpec[], id: string, requested?: string): { model: ModelSpec; variant: string } {
  const model = findModel(models, id);
  const variant = requested ?? model.defaultVariant;
  if (!model.variants.includes(variant)) {
    throw new OrchestratorError(
      'VARIANT_NOT_FOUND',
      `Model "${model.id}" has no variant "${variant}". Available: ${model.variants.join(', ')}.`,
      { id: model.id, variant, variants: [...model.variants] },
    );
  }
  return { model, variant };
}

export function summarizeModel(m: ModelSpec): ModelSummary {
  return {
    id: m.id,
    ...(m.description !== undefined ? { description: m.description } : {}),
    version: m.version,
    variants: [...m.variants],
    defaultVariant: m.defaultVariant,
    totalBytes: sumSizes(filesForVariant(m, m.defaultVariant)),
    sources: [...m.sources],
  };
}

export function sumSizes(files: Array<{ size: number }>): number {
  return files.reduce((s, f) => s + f.size, 0);
}
