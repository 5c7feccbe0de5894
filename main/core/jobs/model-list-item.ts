/**
 * How one catalogue model appears in the UI's list: sizes per variant, its files, the manifest
 * it came from, and its sources with any credentials in them redacted.
 */
import type { ModelListItem } from '../../../shared/api';
import { filesForVariant, type ModelSpec } from '../../../shared/manifest';
import { redactSource } from '../manifest';

export function modelListItem(m: ModelSpec, manifest: string | null): ModelListItem {
  const variantBytes: Record<string, number> = {};
  for (const v of m.variants) variantBytes[v] = filesForVariant(m, v).reduce((s, f) => s + f.size, 0);
  return {
    id: m.id,
    ...(m.description !== undefined ? { description: m.description } : {}),
    version: m.version,
    variants: [...m.variants],
    defaultVariant: m.defaultVariant,
    totalBytes: variantBytes[m.defaultVariant] ?? 0,
    sources: m.sources.map(redactSource),
    variantBytes,
    files: m.files.map((f) => ({
      path: f.path,
      size: f.size,
      optional: f.optional,
      ...(f.variants ? { variants: [...f.variants] } : {}),
    })),
    manifest,
  };
}
