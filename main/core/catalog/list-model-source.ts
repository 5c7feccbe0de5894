/** Lists any source `add` accepts (Hub repo, S3 prefix, folder) into files with sizes and sha256. */
import { listFolder } from './folder-listing';
import { listHubRepo } from './hub-listing';
import { parseModelSource } from './model-source';
import { listS3Prefix } from './s3-listing';
import type { ListingContext, SourceListing } from './source-listing';

export async function listModelSource(source: string, revision: string | undefined, context: ListingContext): Promise<SourceListing> {
  const parsed = parseModelSource(source, {
    ...(revision ? { revision } : {}),
    ...(context.cwd ? { cwd: context.cwd } : {}),
    ...(context.hfEndpoint ? { hfEndpoint: context.hfEndpoint } : {}),
  });
  switch (parsed.kind) {
    case 'hf':
      return listHubRepo(parsed.repo, parsed.revision, context);
    case 's3':
      return listS3Prefix(parsed.bucket, parsed.prefix, context);
    case 'folder':
      return listFolder(parsed.dir, context);
  }
}
