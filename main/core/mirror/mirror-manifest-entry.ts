/**
 * `<prefix>/manifests/<model-id>.toml`: a complete, loadable manifest holding one model, with
 * the mirror's blobs first among its sources and the model's own sources after them, so a
 * machine that imports it pulls from the mirror and still falls back to the origin.
 */
import { stringify } from 'smol-toml';
import type { ModelSpec } from '../../../shared/manifest';
import { mirrorBlobsBase } from './mirror-layout';

/** The manifest table of one model, as a manifest file spells it (snake_case keys). */
export function manifestTableOf(model: ModelSpec, sources: string[]): Record<string, unknown> {
  return {
    ...(model.description !== undefined ? { description: model.description } : {}),
    version: model.version,
    variants: model.variants,
    default_variant: model.defaultVariant,
    ...(model.allowPatterns.length === 1 && model.allowPatterns[0] === '*' ? {} : { allow_patterns: model.allowPatterns }),
    files: model.files.map((f) => ({
      path: f.path,
      size: f.size,
      sha256: f.sha256,
      ...(f.optional ? { optional: true } : {}),
      ...(f.variants ? { variants: f.variants } : {}),
      ...(f.component !== undefined ? { component: f.component } : {}),
    })),
    sources: { priority: sources },
  };
}

export function mirrorManifestEntry(model: ModelSpec, mirror: string): string {
  const blobs = mirrorBlobsBase(mirror);
  // local:// and file:// name folders of the pushing machine; other machines cannot use them.
  const portable = model.sources.filter((s) => s !== blobs && !/^(local|file):/i.test(s));
  const document = { schema_version: 1, models: { [model.id]: manifestTableOf(model, [blobs, ...portable]) } };
  return `# Written by \`modelctl mirror push\`: the files are in ${blobs}/<sha256>.\n${stringify(document)}\n`;
}
