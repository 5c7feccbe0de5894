/**
 * Glob patterns for --include / --exclude / --variant, with the Hub's (fnmatch) meaning: `*`
 * matches any run of characters, `/` included, so `*.safetensors` finds weights in every folder;
 * `?` one character; `[abc]`, `[!abc]` classes.
 */
import { OrchestratorError } from '../../../shared/errors';

export function compilePattern(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new OrchestratorError('INVALID_CONFIG', `The pattern "${pattern}" has a "[" without its "]".`, { pattern });
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else out += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

export function matchesAny(path: string, patterns: RegExp[]): boolean {
  return patterns.some((p) => p.test(path));
}
