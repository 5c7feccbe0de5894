/**
 * Lists a Hugging Face repo at one revision with `@huggingface/hub`: the revision is resolved to
 * its 40-hex commit (`modelInfo`), the whole tree is listed at that commit (`listFiles`, which
 * follows the `Link: rel="next"` pages). LFS files take size and sha256 from the Hub's metadata
 * without a byte downloaded; small non-LFS files have no sha256 there, so they are fetched and
 * hashed (their git blob sha1 is kept: the Hub names them by it). The token goes to the Hub only:
 * a redirect to another host is followed without it.
 */
import { createHash } from 'node:crypto';
import { HubApiError, listFiles, modelInfo } from '@huggingface/hub';
import { OrchestratorError, toOrchestratorError } from '../../../shared/errors';
import type { ListedFile, ListingContext, SourceListing } from './source-listing';
import { idFromName } from './source-listing';

const DEFAULT_ENDPOINT = 'https://huggingface.co';
const SMALL_FILE_FETCHES = 4;
const MAX_REDIRECTS = 5;

export async function listHubRepo(repo: string, revision: string, context: ListingContext): Promise<SourceListing> {
  const hubUrl = (context.hfEndpoint || DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const token = context.hfToken || undefined;
  if (token && !token.startsWith('hf_')) {
    throw new OrchestratorError(
      'AUTH_FAIL',
      'The Hugging Face token does not look like one (tokens start with "hf_"). Set HF_TOKEN, or the token in Settings, to an access token from https://huggingface.co/settings/tokens.',
      { repo },
    );
  }
  const common = { hubUrl, ...(token ? { accessToken: token } : {}), ...(context.fetch ? { fetch: context.fetch } : {}) };
  let commit: string;
  const entries: Array<{ path: string; size: number; oid?: string; lfs?: { oid: string; size: number } }> = [];
  try {
    const info = await modelInfo({ ...common, name: repo, revision, additionalFields: ['sha'] });
    commit = String(info.sha ?? '');
    if (!/^[0-9a-f]{40}$/.test(commit)) {
      throw new OrchestratorError('SOURCE_UNAVAILABLE', `${hubUrl} did not give the commit of ${repo}@${revision}; is HF_ENDPOINT a Hub?`, {
        repo,
        revision,
      });
    }
    for await (const entry of listFiles({ ...common, repo, revision: commit, recursive: true })) {
      if (entry.type !== 'file') continue;
      entries.push({
        path: entry.path,
        size: entry.size,
        ...(entry.oid ? { oid: entry.oid } : {}),
        ...(entry.lfs ? { lfs: entry.lfs } : {}),
      });
    }
  } catch (error) {
    throw hubError(error, repo, revision, hubUrl, Boolean(token));
  }

  const small = entries.filter((e) => !e.lfs);
  const bytesToHash = small.reduce((s, e) => s + e.size, 0);
  let hashedBytes = 0;
  const hashed = new Map<string, { sha256: string; gitOid: string }>();
  const queue = [...small];
  const worker = async () => {
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
      const url = `${hubUrl}/${repo}/resolve/${commit}/${entry.path.split('/').map(encodeURIComponent).join('/')}`;
      const digest = await fetchAndHash(url, hubUrl, token, entry.size, context, (n) => {
        hashedBytes += n;
        context.onProgress?.({ hashedBytes, bytesToHash, currentFile: entry.path });
      }).catch((error: unknown) => {
        throw hubError(error, repo, revision, hubUrl, Boolean(token), entry.path);
      });
      hashed.set(entry.path, digest);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SMALL_FILE_FETCHES, small.length) }, worker));

  const files: ListedFile[] = entries.map((e) => {
    if (e.lfs) return { path: e.path, size: e.lfs.size, sha256: e.lfs.oid.toLowerCase(), lfs: true };
    const digest = hashed.get(e.path) as { sha256: string; gitOid: string };
    return { path: e.path, size: e.size, sha256: digest.sha256, lfs: false, gitOid: digest.gitOid };
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const name = repo.split('/')[1] as string;
  return {
    source: `hf://${repo}@${commit}`,
    revision: commit,
    revisionName: revision === commit ? null : revision,
    suggestedId: idFromName(`${name}@${commit.slice(0, 7)}`),
    files,
  };
}

/** GETs one small file (token only to the Hub's own origin) and returns its sha256 and git blob sha1. */
async function fetchAndHash(
  url: string,
  hubUrl: string,
  token: string | undefined,
  expectedSize: number,
  context: ListingContext,
  onBytes: (n: number) => void,
): Promise<{ sha256: string; gitOid: string }> {
  const doFetch = context.fetch ?? fetch;
  const hubOrigin = new URL(hubUrl).origin;
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const sameOrigin = new URL(current).origin === hubOrigin;
    const response = await doFetch(current, {
      redirect: 'manual',
      headers: token && sameOrigin ? { authorization: `Bearer ${token}` } : {},
      ...(context.signal ? { signal: context.signal } : {}),
    });
    if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
      await response.body?.cancel();
      current = new URL(response.headers.get('location') as string, current).href;
      continue;
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new HubApiError(url, response.status);
    }
    const sha256 = createHash('sha256');
    const sha1 = createHash('sha1').update(`blob ${expectedSize}\0`);
    let size = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > expectedSize) break;
      sha256.update(chunk);
      sha1.update(chunk);
      onBytes(chunk.length);
    }
    if (size !== expectedSize) {
      throw new OrchestratorError(
        'SIZE_MISMATCH',
        `The Hub listed ${expectedSize} bytes for a file but sent ${size > expectedSize ? 'more' : size}.`,
        {
          expected: expectedSize,
        },
      );
    }
    return { sha256: sha256.digest('hex'), gitOid: sha1.digest('hex') };
  }
  throw new OrchestratorError('SOURCE_UNAVAILABLE', `Too many redirects fetching a file from ${hubOrigin}.`, {});
}

function hubError(error: unknown, repo: string, revision: string, hubUrl: string, hadToken: boolean, file?: string): OrchestratorError {
  if (error instanceof OrchestratorError) return error;
  const page = `${hubUrl}/${repo}`;
  const what = file ? `${file} of ${repo}` : repo;
  if (error instanceof HubApiError) {
    const details = { repo, revision, status: error.statusCode, ...(file ? { file } : {}) };
    const hubSays = hubMessage(error);
    switch (error.statusCode) {
      case 401:
        return new OrchestratorError(
          'AUTH_FAIL',
          hadToken
            ? `The Hub refused the token for ${what}. Check that HF_TOKEN (or the token in Settings) is valid and can read ${repo}; for a gated model, accept its terms on ${page}.`
            : `${repo} is private or gated (or misspelled): set HF_TOKEN (or the token in Settings) to a Hugging Face access token that can read it, and for a gated model accept its terms on ${page}.`,
          details,
        );
      case 403:
        return new OrchestratorError(
          'AUTH_FAIL',
          `${repo} is gated and this token has no access${hubSays ? ` (the Hub says: ${hubSays})` : ''}. Accept the model's terms on ${page} while logged in as the token's owner, then try again; or check HF_TOKEN.`,
          details,
        );
      case 404: {
        // The Hub's error names the request URL (which holds "/revision/"): judge by what it says is missing.
        const says = hubSays ?? '';
        const revisionProblem = !/repo(sitory)? not found/i.test(says) && /invalid rev|revision not found|unknown revision/i.test(says);
        return new OrchestratorError(
          'MODEL_NOT_FOUND',
          revisionProblem
            ? `${repo} has no revision "${revision}" on ${hubUrl}. Check the branch, tag or commit (${page}/tree/main lists branches).`
            : `${hubUrl} has no model ${repo}${file ? ` file ${file}` : ''}. Check the repo id (org/name) on ${page}.`,
          details,
        );
      }
      case 429:
        return new OrchestratorError(
          'RATE_LIMIT',
          `The Hub is rate-limiting requests for ${repo}. Wait a minute and try again; a token (HF_TOKEN) raises the limit.`,
          details,
        );
      default:
        return new OrchestratorError(
          'SOURCE_UNAVAILABLE',
          `${hubUrl} answered HTTP ${error.statusCode} for ${what}. Try again later; check HF_ENDPOINT if you use a mirror.`,
          details,
        );
    }
  }
  const converted = toOrchestratorError(error);
  if (converted.code === 'CANCELLED') return converted;
  if (error instanceof TypeError || converted.code === 'UNKNOWN_ERROR') {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return new OrchestratorError(
      'SOURCE_UNAVAILABLE',
      `Could not reach ${hubUrl} for ${what} (${cause}). Check the network, a proxy, or HF_ENDPOINT.`,
      { repo, revision },
    );
  }
  return converted;
}

/** The Hub's own explanation, without the request URL trailer createApiError appends. */
function hubMessage(error: HubApiError): string | null {
  const data = error.data as { error?: unknown } | undefined;
  if (data && typeof data.error === 'string') return data.error.slice(0, 300);
  return null;
}
