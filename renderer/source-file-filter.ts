/**
 * Which files of a source "Add model…" keeps: include/exclude glob patterns (what `addModel`
 * receives) and the presets that fill them in. The dialog uses it to show the selection and
 * its total before anything is saved; the host applies the same patterns when it writes the
 * model (main/core/catalog/path-patterns.ts, kept in step by a test). Globs have the Hub's
 * (fnmatch) meaning, on the whole path: `*` matches any run of characters, `/` included, so
 * `*.safetensors` finds weights in every folder; `?` one character; `[abc]`, `[!abc]` classes.
 */

export interface FileFilter {
  include: string[];
  exclude: string[];
}

export interface FilterPreset extends FileFilter {
  key: 'everything' | 'safetensors' | 'fp16';
  label: string;
}

/** Weight formats other than safetensors: "safetensors only" leaves these out. */
const OTHER_WEIGHTS = ['*.bin', '*.pt', '*.pth', '*.ckpt', '*.h5', '*.msgpack', '*.onnx', '*.onnx_data', '*.gguf', '*.ot', '*.tflite'];

/** What a model needs besides its weights (configs, tokenizers, docs): "fp16 only" keeps these. */
const NON_WEIGHTS = ['*.json', '*.txt', '*.model', '*.tiktoken', '*.md', '*.py', '*.yaml', '*.jinja', '.gitattributes'];

export const FILTER_PRESETS: readonly FilterPreset[] = [
  { key: 'everything', label: 'Everything', include: [], exclude: [] },
  { key: 'safetensors', label: 'safetensors only', include: [], exclude: OTHER_WEIGHTS },
  { key: 'fp16', label: 'fp16 only', include: ['*fp16*', ...NON_WEIGHTS], exclude: OTHER_WEIGHTS },
];

const cache = new Map<string, RegExp | null>();

/** The pattern as a regular expression, or null when it cannot be one (a "[" without its "]"). */
export function compilePattern(pattern: string): RegExp | null {
  if (cache.has(pattern)) return cache.get(pattern) ?? null;
  let out = '';
  let valid = true;
  for (let i = 0; i < pattern.length && valid; i++) {
    const c = pattern[i] as string;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) valid = false;
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  let re: RegExp | null;
  try {
    re = valid ? new RegExp(`^${out}$`) : null;
  } catch {
    re = null;
  }
  cache.set(pattern, re);
  return re;
}

export function matchesGlob(path: string, pattern: string): boolean {
  return compilePattern(pattern)?.test(path) ?? false;
}

/** Patterns the host would refuse, to show before Add is pressed. */
export function invalidPatterns(patterns: string[]): string[] {
  return patterns.filter((p) => compilePattern(p) === null);
}

/** A file is kept when it matches some include pattern (or there are none) and no exclude pattern. */
export function keepsFile(path: string, filter: FileFilter): boolean {
  const include = filter.include;
  if (include.length && !include.some((p) => matchesGlob(path, p))) return false;
  return !filter.exclude.some((p) => matchesGlob(path, p));
}

/** Splits a pattern field ("a, b" or one per line) into patterns. */
export function parsePatterns(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter(Boolean);
}

export function presetMatching(filter: FileFilter): FilterPreset['key'] | null {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  return FILTER_PRESETS.find((p) => same(p.include, filter.include) && same(p.exclude, filter.exclude))?.key ?? null;
}
