import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../main/core/manifest/index';
import type { AddedModel } from '../../../main/core/catalog/added-model';
import { tomlWithModel } from '../../../main/core/catalog/manifest-writer';
import { compilePattern } from '../../../main/core/catalog/path-patterns';
import { parseModelSource } from '../../../main/core/catalog/model-source';

const model = (id: string, paths: string[]): AddedModel => ({
  id,
  version: '1',
  variants: ['default'],
  defaultVariant: 'default',
  files: paths.map((p) => ({ path: p, size: 1, sha256: 'a'.repeat(64), lfs: false })),
  sources: ['file:///m'],
});

describe('tomlWithModel', () => {
  it('replaces a model written with bare or quoted keys, keeping what surrounds it', () => {
    const text = [
      '# my models',
      'schema_version = 1',
      '',
      '[models.old]  # written by hand',
      'version = "0"',
      'variants = ["default"]',
      'default_variant = "default"',
      '[[models.old.files]]',
      'path = "x"',
      'size = 1',
      `sha256 = "${'b'.repeat(64)}"`,
      '[models.old.sources]',
      'priority = ["file:///x"]',
      '',
      '# keep me',
      '[models."other"]',
      'version = "1"',
      'variants = ["default"]',
      'default_variant = "default"',
      '[[models."other".files]]',
      'path = "y"',
      'size = 1',
      `sha256 = "${'c'.repeat(64)}"`,
      '[models."other".sources]',
      'priority = ["file:///y"]',
    ].join('\n');
    const next = tomlWithModel(text, model('old', ['new-file']));
    expect(next).toContain('# my models');
    expect(next).toContain('# keep me\n[models."other"]');
    expect(next).not.toContain('written by hand');
    const parsed = parseManifestText(next, { format: 'toml' });
    expect(parsed.models.map((m) => [m.id, m.files.map((f) => f.path)])).toEqual([
      ['old', ['new-file']],
      ['other', ['y']],
    ]);
  });

  it('creates a manifest from nothing and appends to a file without a final newline', () => {
    expect(parseManifestText(tomlWithModel(null, model('a', ['f'])), { format: 'toml' }).models).toHaveLength(1);
    const two = tomlWithModel('schema_version = 1', model('b', ['g']));
    expect(parseManifestText(two, { format: 'toml' }).models.map((m) => m.id)).toEqual(['b']);
  });
});

describe('patterns and sources', () => {
  it('matches like the Hub: * crosses folders, classes work', () => {
    expect(compilePattern('*.safetensors').test('unet/a.safetensors')).toBe(true);
    expect(compilePattern('unet/*').test('vae/unet/x')).toBe(false);
    expect(compilePattern('model-0000[1-2].bin').test('model-00002.bin')).toBe(true);
    expect(compilePattern('a+b(1).json').test('a+b(1).json')).toBe(true);
  });

  it('reads Hub ids, URLs, s3 prefixes; --revision wins', () => {
    expect(parseModelSource('org/repo', { cwd: '/nonexistent' })).toEqual({ kind: 'hf', repo: 'org/repo', revision: 'main' });
    expect(parseModelSource('https://huggingface.co/org/repo/tree/v2')).toEqual({ kind: 'hf', repo: 'org/repo', revision: 'v2' });
    expect(parseModelSource('hf://org/repo@v1', { revision: 'v3' })).toEqual({ kind: 'hf', repo: 'org/repo', revision: 'v3' });
    expect(parseModelSource('s3://bucket/a/b/')).toEqual({ kind: 's3', bucket: 'bucket', prefix: 'a/b' });
    expect(() => parseModelSource('https://example.com/x')).toThrow(/not other web sites/);
    expect(() => parseModelSource('./no-such-folder', { cwd: '/tmp' })).toThrow(/no such folder/);
  });
});
