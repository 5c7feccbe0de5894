/**
 * Which files of a source "Add model…" keeps: include/exclude glob patterns (what `addModel`
 * receives) and the presets that fill them in. The dialog uses it to show the selection and
 * its total before anything is saved; the host applies the same patterns when it writes the
 * model. Globs: `*` and `?` stay within one folder, `**` crosses folders, and a pattern without
 * a `/` is matched against the file name in any folder (so `*.safetensors` finds `unet/x.safetensors`).
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

const cache = new Map<string, RegExp>();

function globToRegExp(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      // "**/" matches zero or more folders; a lone "**" matches anything.
      if (pattern[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const re = new RegExp(`^${out}$`);
  cache.set(pattern, re);
  return re;
}

export function matchesGlob(path: string, pattern: string): boolean {
  const trimmed = pattern.trim().replace(/^\.\//, '');
  if (!trimmed) return false;
  const target = trimmed.includes('/') ? path : (path.split('/').pop() ?? path);
  return globToRegExp(trimmed).test(target);
}

/** A file is kept when it matches some include pattern (or there are none) and no exclude pattern. */
export function keepsFile(path: string, filter: FileFilter): boolean {
  const include = filter.include.filter((p) => p.trim());
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
