/**
 * Checks one entry of `sources.priority`. Only the shape is checked here (scheme, host,
 * bucket, repo); turning an entry into file URLs is the source resolver's job.
 */
import type { NameProblem } from './safe-names';

export const SOURCE_SCHEMES = ['local', 'file', 'http', 'https', 's3', 'hf'] as const;
export type SourceScheme = (typeof SOURCE_SCHEMES)[number];

/** The source with any user:password and query string removed, safe for messages and logs. */
export function redactSource(source: string): string {
  return source.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1').replace(/[?#].*$/, '');
}

export function sourceScheme(source: string): string | null {
  const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source);
  return match ? (match[1] as string).toLowerCase() : null;
}

export function checkSourceUrl(source: string): NameProblem | null {
  const shown = JSON.stringify(redactSource(source).slice(0, 200));
  const scheme = sourceScheme(source);
  const invalid = (message: string): NameProblem => ({ code: 'INVALID_CONFIG', message });
  if (scheme === null || !(SOURCE_SCHEMES as readonly string[]).includes(scheme)) {
    return invalid(`must start with one of ${SOURCE_SCHEMES.map((s) => `${s}://`).join(' ')} (got ${shown})`);
  }
  if (source.includes('\0') || /\s/.test(source)) return invalid(`must not contain spaces or NUL characters (got ${shown})`);
  const rest = source.slice(scheme.length + 3);
  switch (scheme as SourceScheme) {
    case 'local': {
      if (rest === '') return null; // the mirror root itself
      if (rest.startsWith('/') || rest.includes('\\') || /^[A-Za-z]:/.test(rest)) {
        return { code: 'PATH_TRAVERSAL_DETECTED', message: `local:// paths are relative to the local mirror root (got ${shown})` };
      }
      if (rest.split('/').some((s) => s === '..')) {
        return { code: 'PATH_TRAVERSAL_DETECTED', message: `local:// paths must not contain ".." segments (got ${shown})` };
      }
      return null;
    }
    case 'file': {
      if (!rest.startsWith('/')) return invalid(`file:// URLs need an absolute path, like file:///srv/models (got ${shown})`);
      return parsesAsUrl(source) ? null : invalid(`is not a valid file:// URL (got ${shown})`);
    }
    case 'http':
    case 'https': {
      const url = parsesAsUrl(source);
      if (!url || url.hostname === '') return invalid(`is not a valid ${scheme}:// URL (got ${shown})`);
      return null;
    }
    case 's3': {
      const bucket = rest.split('/')[0] ?? '';
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
        return invalid(`s3:// needs a bucket name, like s3://bucket/prefix (got ${shown})`);
      return null;
    }
    case 'hf': {
      if (!/^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+(@[^/\s]+)?(\/.*)?$/.test(rest)) {
        return invalid(`hf:// needs an organisation and a repository, like hf://org/repo or hf://org/repo@revision (got ${shown})`);
      }
      return null;
    }
  }
}

function parsesAsUrl(source: string): URL | null {
  try {
    return new URL(source);
  } catch {
    return null;
  }
}
