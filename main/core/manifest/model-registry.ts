/**
 * The models known to the application, merged from one or more manifests. The first
 * definition of an id wins; a different definition of the same id from another manifest is
 * reported as a conflict rather than silently replacing what may already be on disk.
 */
import { OrchestratorError } from '../../../shared/errors';
import type { Manifest, ManifestProblem, ModelSpec } from '../../../shared/manifest';
import { collisionKey } from './safe-names';
import { suggestSimilar } from './suggest-similar';
import { quote } from './validate-manifest';

export interface RegistryAddResult {
  /** Ids added by this call (identical re-imports are not listed). */
  added: string[];
  /** Ids defined differently elsewhere; the earlier definition was kept. */
  conflicts: ManifestProblem[];
}

interface Entry {
  model: ModelSpec;
  origin: string;
}

export class ModelRegistry {
  /** Keyed by collisionKey(id): ids differing only in case would share a folder on disk. */
  private readonly entries = new Map<string, Entry>();

  constructor(manifest?: Manifest, origin?: string) {
    if (manifest) this.add(manifest, origin);
  }

  add(manifest: Manifest, origin?: string): RegistryAddResult {
    const added: string[] = [];
    const conflicts: ManifestProblem[] = [];
    for (const model of manifest.models) {
      const from = origin ?? model.manifestPath ?? 'a manifest';
      const key = collisionKey(model.id);
      const existing = this.entries.get(key);
      if (!existing) {
        this.entries.set(key, { model, origin: from });
        added.push(model.id);
        continue;
      }
      if (existing.model.id === model.id && sameDefinition(existing.model, model)) continue;
      conflicts.push(
        existing.model.id === model.id
          ? {
              path: `models.${quote(model.id)}`,
              message: `is defined differently in ${from} and in ${existing.origin}; keeping the one from ${existing.origin}. Rename one of them or remove the duplicate.`,
              code: 'DUPLICATE_MODEL_ID',
            }
          : {
              path: `models.${quote(model.id)}`,
              message: `collides with ${quote(existing.model.id)} from ${existing.origin} on case-insensitive filesystems; keeping ${quote(existing.model.id)}. Rename one of them.`,
              code: 'CASE_COLLISION_DETECTED',
            },
      );
    }
    return { added, conflicts };
  }

  /** Forgets a model (files on disk are untouched). Returns whether it was known. */
  remove(id: string): boolean {
    const key = collisionKey(id);
    const entry = this.entries.get(key);
    if (!entry || entry.model.id !== id) return false;
    return this.entries.delete(key);
  }

  has(id: string): boolean {
    return this.entries.get(collisionKey(id))?.model.id === id;
  }

  /** All models, in the order they were added. */
  models(): ModelSpec[] {
    return [...this.entries.values()].map((e) => e.model);
  }

  /** Where a model's definition came from (manifest path or the origin given to `add`). */
  originOf(id: string): string | undefined {
    const entry = this.entries.get(collisionKey(id));
    return entry?.model.id === id ? entry.origin : undefined;
  }

  get(id: string): ModelSpec {
    const entry = this.entries.get(collisionKey(id));
    if (entry && entry.model.id === id) return entry.model;
    throw modelNotFound(
      id,
      this.models().map((m) => m.id),
    );
  }

  /** The model and the variant to use: `variant` if given and valid, else the default one. */
  resolveVariant(id: string, variant?: string): { model: ModelSpec; variant: string } {
    const model = this.get(id);
    return { model, variant: chooseVariant(model, variant) };
  }
}

/** `variant` when the model has it, the model's default when omitted; VARIANT_NOT_FOUND otherwise. */
export function chooseVariant(model: ModelSpec, variant?: string): string {
  if (variant === undefined || variant === '') return model.defaultVariant;
  if (model.variants.includes(variant)) return variant;
  throw new OrchestratorError(
    'VARIANT_NOT_FOUND',
    `Model ${model.id} has no variant ${quote(variant)}. Choose one of: ${model.variants.join(', ')}.`,
    { id: model.id, variant, variants: model.variants },
  );
}

export function modelNotFound(id: string, known: string[]): OrchestratorError {
  const similar = suggestSimilar(id, known);
  const hint =
    similar.length > 0
      ? ` Did you mean ${similar.join(' or ')}?`
      : known.length > 0
        ? ' Run `modelctl list` to see the models in the manifest.'
        : ' The manifest lists no models.';
  return new OrchestratorError('MODEL_NOT_FOUND', `No model ${quote(id)} in the manifest.${hint}`, { id, suggestions: similar });
}

/** Same definition, wherever it was loaded from (the manifest path alone is no conflict). */
function sameDefinition(a: ModelSpec, b: ModelSpec): boolean {
  const strip = ({ manifestPath: _p, localMirrorRoot: _r, ...rest }: ModelSpec) => rest;
  const aLocal = a.sources.some((s) => s.startsWith('local://'));
  // local:// sources point at different folders when the mirror roots differ.
  if (aLocal && a.localMirrorRoot !== b.localMirrorRoot) return false;
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}
