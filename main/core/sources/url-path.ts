/** Joins a base URL and a manifest path, URL-encoding each path segment (spaces, #, ? stay literal). */
export function joinUrlPath(base: string, filePath: string): string {
  const encoded = filePath.split('/').map(encodeURIComponent).join('/');
  return `${base.replace(/\/+$/, '')}/${encoded}`;
}

/** A URL fit for messages and logs: no user:password and no query string (signatures live there). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    const hadQuery = u.search !== '';
    u.search = '';
    u.hash = '';
    return hadQuery ? `${u.toString()}?…` : u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//').replace(/\?.*$/, '?…');
  }
}
