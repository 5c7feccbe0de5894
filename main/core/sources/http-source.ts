/** Plain `http://` and `https://` base URLs: the file's URL is the base joined with its path. */
import type { ResolvedSource, SourceBackend } from '../ports';
import { joinUrlPath, redactUrl } from './url-path';

export function createHttpSourceBackend(): SourceBackend {
  return {
    schemes: ['http', 'https'],
    resolve(base: string, filePath: string): ResolvedSource {
      const url = joinUrlPath(base, filePath);
      const u = new URL(url);
      if (u.username || u.password) {
        // Credentials in the URL go in a header, so the URL itself can be logged safely.
        const auth = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
        u.username = '';
        u.password = '';
        return { kind: 'http', base: redactUrl(base), url: u.toString(), headers: () => ({ authorization: `Basic ${auth}` }) };
      }
      return { kind: 'http', base, url };
    },
  };
}
