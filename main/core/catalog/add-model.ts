/** `add`: list a source, apply the user's choices, write the model into a manifest. */
import path from 'node:path';
import type { AddModelResult, SourcePreview } from '../../../shared/results';
import { buildAddedModel, type AddChoices } from './added-model';
import { listModelSource } from './list-model-source';
import { writeModelIntoManifest } from './manifest-writer';
import type { ListingContext, SourceListing } from './source-listing';

export interface AddModelRequest extends AddChoices {
  source: string;
  revision?: string;
  /**
   * The branch or tag a pinned source was resolved from (the preview's `revisionName`), so a
   * model added from `hf://org/repo@<commit>` still records `hf_revision` and its export writes
   * `refs/<name>` for `from_pretrained("org/repo")` offline.
   */
  revisionName?: string;
}

export async function previewModelSource(source: string, revision: string | undefined, context: ListingContext): Promise<SourcePreview> {
  return toPreview(await listModelSource(source, revision, context));
}

export function toPreview(listing: SourceListing): SourcePreview {
  return {
    source: listing.source,
    revision: listing.revision,
    revisionName: listing.revisionName,
    suggestedId: listing.suggestedId,
    files: listing.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, lfs: f.lfs })),
    totalBytes: listing.files.reduce((s, f) => s + f.size, 0),
  };
}

export async function addModel(manifestFile: string, request: AddModelRequest, context: ListingContext): Promise<AddModelResult> {
  const listed = await listModelSource(request.source, request.revision, context);
  const listing =
    listed.revision && !listed.revisionName && request.revisionName ? { ...listed, revisionName: request.revisionName } : listed;
  const model = buildAddedModel(listing, request);
  const manifest = path.resolve(manifestFile);
  await writeModelIntoManifest(manifest, model);
  return {
    id: model.id,
    variants: model.variants,
    files: model.files.length,
    totalBytes: model.files.reduce((s, f) => s + f.size, 0),
    source: listing.source,
    revision: listing.revision,
    manifest,
  };
}
