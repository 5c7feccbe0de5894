import { describe, expect, it } from 'vitest';
import { FILTER_PRESETS, keepsFile, matchesGlob, parsePatterns, presetMatching } from '../../../renderer/source-file-filter';

const preset = (key: string) => FILTER_PRESETS.find((p) => p.key === key) ?? FILTER_PRESETS[0]!;

describe('source file filter', () => {
  it('matches a pattern without a slash against the file name in any folder', () => {
    expect(matchesGlob('unet/diffusion_pytorch_model.safetensors', '*.safetensors')).toBe(true);
    expect(matchesGlob('model.safetensors', '*.safetensors')).toBe(true);
    expect(matchesGlob('model.safetensors.index.json', '*.safetensors')).toBe(false);
  });

  it('keeps * and ? within one folder and lets ** cross folders', () => {
    expect(matchesGlob('unet/a/b.bin', 'unet/*.bin')).toBe(false);
    expect(matchesGlob('unet/b.bin', 'unet/*.bin')).toBe(true);
    expect(matchesGlob('unet/a/b.bin', 'unet/**/*.bin')).toBe(true);
    expect(matchesGlob('unet/b.bin', 'unet/**/*.bin')).toBe(true);
    expect(matchesGlob('x/y/z', '**')).toBe(true);
    expect(matchesGlob('a1.txt', 'a?.txt')).toBe(true);
    expect(matchesGlob('a/1.txt', 'a?1.txt')).toBe(false);
  });

  it('treats regular-expression characters literally', () => {
    expect(matchesGlob('model(1).bin', 'model(1).bin')).toBe(true);
    expect(matchesGlob('modelX1Ybin', 'model(1).bin')).toBe(false);
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
