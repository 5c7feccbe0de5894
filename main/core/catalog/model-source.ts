/**
 * What the user typed as the source of `add` → one of the three kinds it can list: a Hugging Face
 * repo (`org/repo`, `hf://org/repo[@rev]`, a huggingface.co URL), an S3 prefix (`s3://bucket/prefix`)
 * or a local folder (a path or `file:///…`).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrchestratorError } from '../../../shared/errors';

export type ModelSource =
  { kind: 'hf'; repo: string; revision: string } | { kind: 's3'; bucket: string; prefix: string } | { kind: 'folder'; dir: string };

const REPO = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;
const HUB_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);

/** `revision` (from --revision) wins over one written in the source (`@rev`, `/tree/rev`). */
export function parseModelSource(input: string, options: { revision?: string; cwd?: string; hfEndpoint?: string } = {}): ModelSource {
  const text = input.trim();
  const cwd = options.cwd ?? process.cwd();
  const hf = (repo: string, revision: string | undefined) => {
    if (!REPO.test(repo)) throw invalid(input, `"${repo}" is not a Hugging Face repo id (org/name)`);
    const rev = options.revision ?? (revision || 'main');
    return { kind: 'hf' as const, repo, revision: rev };
  };
  if (text.startsWith('hf://')) {
    const rest = text.slice('hf://'.length).replace(/\/+$/, '');
    const at = rest.indexOf('@');
    return hf(at >= 0 ? rest.slice(0, at) : rest, at >= 0 ? rest.slice(at + 1) : undefined);
  }
  if (text.startsWith('s3://')) {
    const rest = text.slice('s3://'.length).replace(/\/+$/, '');
    const slash = rest.indexOf('/');
    const bucket = slash >= 0 ? rest.slice(0, slash) : rest;
    if (!/^[a-z0-9][a-z0-9.-]{1,62}$/.test(bucket)) throw invalid(input, `"${bucket}" is not a valid S3 bucket name`);
    return { kind: 's3', bucket, prefix: slash >= 0 ? rest.slice(slash + 1) : '' };
  }
  if (text.startsWith('file://')) return folder(fileURLToPath(text), input);
  if (/^https?:\/\//i.test(text)) {
    const url = new URL(text);
    const endpointHost = options.hfEndpoint ? safeHost(options.hfEndpoint) : null;
    if (!HUB_HOSTS.has(url.hostname) && url.host !== endpointHost) {
      throw invalid(input, 'add reads Hugging Face repos (huggingface.co URLs), s3:// prefixes and local folders, not other web sites');
    }
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'models') parts.shift();
    const [org, name, kind, rev] = parts;
    if (!org || !name) throw invalid(input, 'the URL does not name a repo (https://huggingface.co/org/name)');
    return hf(`${org}/${name}`, (kind === 'tree' || kind === 'blob' || kind === 'resolve') && rev ? rev : undefined);
  }
  const local = path.resolve(cwd, text.startsWith('~/') ? path.join(process.env.HOME ?? '', text.slice(2)) : text);
  // "org/name" is a Hub repo unless a folder by that name is right here.
  const looksLikeRepo = REPO.test(text.split('@')[0] as string) && !text.startsWith('.');
  if (looksLikeRepo && !isDirectory(local)) {
    const at = text.indexOf('@');
    return hf(at >= 0 ? text.slice(0, at) : text, at >= 0 ? text.slice(at + 1) : undefined);
  }
  return folder(local, input);
}

/** The source written into the manifest for a listed source. */
export function sourceUrl(source: ModelSource, commit?: string): string {
  switch (source.kind) {
    case 'hf':
      return `hf://${source.repo}@${commit ?? source.revision}`;
    case 's3':
      return `s3://${source.bucket}${source.prefix ? `/${source.prefix}` : ''}`;
    case 'folder':
      return `file://${source.dir.split(path.sep).map(encodeURIComponent).join('/').replace(/^\/?/, '/')}`;
  }
}

function folder(dir: string, input: string): ModelSource {
  const abs = path.resolve(dir);
  if (!existsSync(abs)) {
    throw new OrchestratorError(
      'MODEL_NOT_FOUND',
      `${input}: no such folder, and it is not a Hugging Face repo id (org/name) or an s3:// prefix. Check the spelling.`,
      { source: input },
    );
  }
  if (!isDirectory(abs)) throw invalid(input, 'this is a file; give the folder that holds the model files');
  return { kind: 'folder', dir: abs };
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function safeHost(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

function invalid(input: string, why: string): OrchestratorError {
  return new OrchestratorError('INVALID_CONFIG', `${input}: ${why}.`, { source: input });
}
