/**
 * A listed source + the user's choices (id, include/exclude, variants, description) → the model
 * entry `add` writes. Files matching no variant pattern belong to every variant.
 */
import { createHash } from 'node:crypto';
import { OrchestratorError } from '../../../shared/errors';
import { compilePattern, matchesAny } from './path-patterns';
import type { ListedFile, SourceListing } from './source-listing';

export interface AddChoices {
  id?: string;
  include?: string[];
  exclude?: string[];
  variants?: Array<{ name: string; patterns: string[] }>;
  description?: string;
}

export interface AddedModel {
  id: string;
  description?: string;
  version: string;
  variants: string[];
  defaultVariant: string;
  /** The branch or tag an hf:// source was resolved from. */
  hfRevision?: string;
  files: Array<ListedFile & { variants?: string[] }>;
  sources: string[];
}

const MODEL_ID = /^[A-Za-z0-9._@+-]{1,128}$/;
const VARIANT = /^[A-Za-z0-9._@+-]{1,128}$/;
export const DEFAULT_VARIANT = 'default';

export function buildAddedModel(listing: SourceListing, choices: AddChoices): AddedModel {
  const id = choices.id ?? listing.suggestedId;
  if (!MODEL_ID.test(id) || id === '.' || id === '..') {
    throw new OrchestratorError('INVALID_MODEL_ID', `"${id}" cannot be a model id: use letters, digits and . _ - @ + (at most 128).`, {
      id,
    });
  }
  const include = (choices.include ?? []).map(compilePattern);
  const exclude = (choices.exclude ?? []).map(compilePattern);
  const chosen = listing.files.filter((f) => (include.length === 0 || matchesAny(f.path, include)) && !matchesAny(f.path, exclude));
  if (chosen.length === 0) {
    throw new OrchestratorError(
      'INVALID_CONFIG',
      `No file of ${listing.source} is left after --include/--exclude (${listing.files.length} listed). Check the patterns.`,
      { source: listing.source, include: choices.include ?? [], exclude: choices.exclude ?? [] },
    );
  }
  const variantSpecs = (choices.variants ?? []).map((v) => {
    if (!VARIANT.test(v.name)) {
      throw new OrchestratorError('INVALID_CONFIG', `"${v.name}" cannot be a variant name: use letters, digits and . _ - @ +.`, {
        variant: v.name,
      });
    }
    return { name: v.name, patterns: v.patterns.map(compilePattern) };
  });
  const names = variantSpecs.map((v) => v.name);
  if (new Set(names).size !== names.length)
    throw new OrchestratorError('INVALID_CONFIG', `A variant is named twice: ${names.join(', ')}.`, {});
  const variants = names.length > 0 ? names : [DEFAULT_VARIANT];
  const files = chosen.map((f) => {
    const matched = variantSpecs.filter((v) => matchesAny(f.path, v.patterns)).map((v) => v.name);
    return matched.length > 0 && matched.length < variantSpecs.length ? { ...f, variants: matched } : { ...f };
  });
  for (const v of variantSpecs) {
    if (!chosen.some((f) => matchesAny(f.path, v.patterns))) {
      throw new OrchestratorError('INVALID_CONFIG', `The patterns of variant "${v.name}" match no file of ${listing.source}. Check them.`, {
        variant: v.name,
      });
    }
  }
  const model: AddedModel = {
    id,
    version: listing.revision ?? contentVersion(files),
    variants,
    defaultVariant: variants[0] as string,
    files,
    sources: [listing.source],
  };
  if (choices.description !== undefined) model.description = choices.description;
  if (listing.revisionName) model.hfRevision = listing.revisionName;
  return model;
}

/** Sources without commits get a version naming their content, so a changed folder gets a new one. */
function contentVersion(files: ListedFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) h.update(`${f.path}\0${f.size}\0${f.sha256}\n`);
  return h.digest('hex').slice(0, 12);
}
