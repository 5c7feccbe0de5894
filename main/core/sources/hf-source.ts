/**
 * `hf://org/repo[@revision]`: Hugging Face Hub resolve URLs,
 * `${HF_ENDPOINT || https://huggingface.co}/org/repo/resolve/<revision || main>/<path>`.
 * The token goes only into the Authorization header (the downloader drops it on redirects to
 * another host), never into a URL or a message.
 */
import { OrchestratorError } from '../../../shared/errors';
import type { ResolvedSource, SourceBackend } from '../ports';
import { joinUrlPath } from './url-path';

export interface HfSourceOptions {
  endpoint?: string;
  token?: string;
}

export function parseHfBase(base: string): { repo: string; revision: string } {
  const rest = base.slice('hf://'.length).replace(/\/+$/, '');
  const at = rest.indexOf('@');
  const repo = at >= 0 ? rest.slice(0, at) : rest;
  const revision = at >= 0 ? rest.slice(at + 1) : 'main';
  const parts = repo.split('/');
  if (parts.length < 1 || parts.length > 2 || parts.some((p) => !/^[\w.-]+$/.test(p)) || revision === '') {
    throw new OrchestratorError('INVALID_CONFIG', `${base}: expected hf://org/repo or hf://org/repo@revision.`, { source: base });
  }
  return { repo, revision };
}

export function createHfSourceBackend(options: HfSourceOptions): SourceBackend {
  const endpoint = (options.endpoint || 'https://huggingface.co').replace(/\/+$/, '');
  const token = options.token;
  return {
    schemes: ['hf'],
    resolve(base: string, filePath: string): ResolvedSource {
      const { repo, revision } = parseHfBase(base);
      const repoPath = repo.split('/').map(encodeURIComponent).join('/');
      const url = joinUrlPath(`${endpoint}/${repoPath}/resolve/${encodeURIComponent(revision)}`, filePath);
      if (!token) {
        // Without a token the Hub answers 401 alike for private, gated and misspelled repos.
        const authHelp = `${repo} may be private or gated (or misspelled): set HF_TOKEN to a Hugging Face access token that can read it (gated models must first be accepted on the Hub).`;
        return { kind: 'http', base, url, authHelp };
      }
      return {
        kind: 'http',
        base,
        url,
        headers: () => ({ authorization: `Bearer ${token}` }),
        authHelp: `Check that HF_TOKEN is a valid Hugging Face access token that can read ${repo} (gated models must first be accepted on the Hub).`,
      };
    },
  };
}
