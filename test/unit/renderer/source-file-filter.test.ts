import { describe, expect, it } from 'vitest';
import { compilePattern as hostPattern } from '../../../main/core/catalog/path-patterns';
import {
  FILTER_PRESETS,
  invalidPatterns,
  keepsFile,
  matchesGlob,
  parsePatterns,
  presetMatching,
} from '../../../renderer/source-file-filter';

const preset = (key: string) => FILTER_PRESETS.find((p) => p.key === key) ?? FILTER_PRESETS[0]!;

describe('source file filter', () => {
  it("matches the whole path with the Hub's fnmatch meaning: * crosses folders, ? is one character, [] a class", () => {
    expect(matchesGlob('unet/diffusion_pytorch_model.safetensors', '*.safetensors')).toBe(true);
    expect(matchesGlob('model.safetensors.index.json', '*.safetensors')).toBe(false);
    expect(matchesGlob('unet/a/b.bin', 'unet/*.bin')).toBe(true);
    expect(matchesGlob('vae/b.bin', 'unet/*')).toBe(false);
    expect(matchesGlob('sub/README.md', 'README.md')).toBe(false);
    expect(matchesGlob('a1.txt', 'a?.txt')).toBe(true);
    expect(matchesGlob('model-00001.bin', 'model-0000[12].bin')).toBe(true);
    expect(matchesGlob('model-00003.bin', 'model-0000[!12].bin')).toBe(true);
    expect(matchesGlob('model(1).bin', 'model(1).bin')).toBe(true);
    expect(matchesGlob('modelX1Ybin', 'model(1).bin')).toBe(false);
  });

  it('flags a pattern the host would refuse', () => {
    expect(invalidPatterns(['*.bin', 'model[1.bin'])).toEqual(['model[1.bin']);
    expect(matchesGlob('model[1.bin', 'model[1.bin')).toBe(false);
  });

  it('selects exactly the files the host keeps for the same patterns', () => {
    const paths = [
      'a.bin',
      'unet/x.safetensors',
      'unet/sub/y.fp16.safetensors',
      'README.md',
      'docs/README.md',
      'model-00002.bin',
      'w(1).pt',
    ];
    const patterns = [
      '*',
      '*.bin',
      'unet/*',
      '*fp16*',
      'README.md',
      '*/README.md',
      'model-0000[0-9].bin',
      'model-0000[!2].bin',
      '?.bin',
      'w(1).pt',
      '**',
    ];
    for (const pattern of patterns) {
      const host = hostPattern(pattern);
      expect(
        paths.filter((p) => matchesGlob(p, pattern)),
        pattern,
      ).toEqual(paths.filter((p) => host.test(p)));
    }
  });

  it('keeps a file that matches an include (or when there is none) and no exclude', () => {
    expect(keepsFile('a.bin', { include: [], exclude: [] })).toBe(true);
    expect(keepsFile('a.bin', { include: ['*.json'], exclude: [] })).toBe(false);
    expect(keepsFile('c.json', { include: ['*.json'], exclude: ['c.*'] })).toBe(false);
  });

  it('has presets that keep what their names say', () => {
    const files = ['model.safetensors', 'model.fp16.safetensors', 'pytorch_model.bin', 'config.json', 'tokenizer.model', 'model.gguf'];
    expect(files.filter((f) => keepsFile(f, preset('everything')))).toEqual(files);
    expect(files.filter((f) => keepsFile(f, preset('safetensors')))).toEqual([
      'model.safetensors',
      'model.fp16.safetensors',
      'config.json',
      'tokenizer.model',
    ]);
    expect(files.filter((f) => keepsFile(f, preset('fp16')))).toEqual(['model.fp16.safetensors', 'config.json', 'tokenizer.model']);
  });

  it('reads patterns separated by commas or lines, and recognises a preset from its patterns', () => {
    expect(parsePatterns(' *.json,\n unet/** ,, ')).toEqual(['*.json', 'unet/**']);
    expect(presetMatching({ include: [], exclude: [] })).toBe('everything');
    expect(presetMatching({ include: [...preset('fp16').include], exclude: [...preset('fp16').exclude] })).toBe('fp16');
    expect(presetMatching({ include: ['*.json'], exclude: [] })).toBeNull();
  });
});
