/** What listing a source (Hub repo, S3 prefix, folder) yields: every file with its size and sha256. */
import type { HashPool } from '../ports';
import type { S3SourceOptions } from '../sources/index';

export interface ListedFile {
  path: string;
  size: number;
  sha256: string;
  /** Hub files stored with Git LFS (sha256 from the Hub's metadata, no byte fetched). */
  lfs: boolean;
  /** Hub non-LFS files: the git blob sha1 the Hub names them by. */
  gitOid?: string;
}

export interface SourceListing {
  /** Normalised and pinned: hf://org/repo@<commit>, s3://b/p, file:///abs. */
  source: string;
  /** The 40-hex commit (hf), else null. */
  revision: string | null;
  /** The branch or tag the commit was resolved from (hf), else null. */
  revisionName: string | null;
  suggestedId: string;
  files: ListedFile[];
}

/** Progress while a source is listed: bytes hashed of bytes that must be hashed. */
export type ListingProgress = (progress: { hashedBytes: number; bytesToHash: number; currentFile: string | null }) => void;

/** Where credentials and endpoints come from (settings or environment), and the collaborators. */
export interface ListingContext {
  hfToken?: string;
  /** HF_ENDPOINT: replaces https://huggingface.co. */
  hfEndpoint?: string;
  s3?: S3SourceOptions;
  /** For Hub and S3 requests (helper `net` provides a proxy/CA-aware one); default global fetch. */
  fetch?: typeof fetch;
  hashPool: HashPool;
  cwd?: string;
  signal?: AbortSignal;
  onProgress?: ListingProgress;
}

/** Model ids allow letters, digits and . _ - @ +: anything else becomes '-'. */
export function idFromName(name: string): string {
  const id = name
    .replace(/[^A-Za-z0-9._@+-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 128);
  return id || 'model';
}
