import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../../main/cli/parse-command-line';
import { helpText } from '../../../main/cli/help-text';

describe('modelctl add / adopt / export / remove arguments', () => {
  it('reads add with repeatable include, exclude and variants', () => {
    expect(
      parseCommandLine([
        'add',
        'hf://org/repo@main',
        '--include',
        '*.json',
        '--include',
        '*.safetensors',
        '--exclude',
        '*fp32*',
        '--variant',
        'fp16=*fp16*,*.json',
        '--variant',
        'bf16=*bf16*',
        '--id',
        'x',
        '--description',
        'A model',
      ]).command,
    ).toEqual({
      name: 'add',
      source: 'hf://org/repo@main',
      include: ['*.json', '*.safetensors'],
      exclude: ['*fp32*'],
      variants: [
        { name: 'fp16', patterns: ['*fp16*', '*.json'] },
        { name: 'bf16', patterns: ['*bf16*'] },
      ],
      id: 'x',
      description: 'A model',
      fromMirror: false,
    });
    expect(() => parseCommandLine(['add', 'org/repo', '--variant', 'fp16'])).toThrow(UsageError);
    expect(parseCommandLine(['add', '--from-mirror', 's3://team/models']).command).toMatchObject({
      source: 's3://team/models',
      fromMirror: true,
    });
  });

  it('reads adopt with several folders, export with exactly one target, remove with a variant', () => {
    expect(parseCommandLine(['adopt', '/a', '/b', '/c']).command).toEqual({ name: 'adopt', dirs: ['/a', '/b', '/c'] });
    expect(() => parseCommandLine(['adopt'])).toThrow(/adopt needs DIR/);
    expect(parseCommandLine(['export', 'm', '--hf-cache', '/cache', '--variant', 'fp16']).command).toEqual({
      name: 'export',
      id: 'm',
      variant: 'fp16',
      target: 'hf-cache',
      dir: '/cache',
    });
    expect(parseCommandLine(['export', 'm', '--to', '/apps/comfy']).command).toMatchObject({ target: 'folder', dir: '/apps/comfy' });
    expect(() => parseCommandLine(['export', 'm'])).toThrow(/--hf-cache DIR.*--to DIR/);
    expect(() => parseCommandLine(['export', 'm', '--to', '/a', '--hf-cache', '/b'])).toThrow(UsageError);
    expect(parseCommandLine(['remove', 'm', '--variant', 'bf16']).command).toEqual({ name: 'remove', id: 'm', variant: 'bf16' });
    expect(() => parseCommandLine(['ensure', 'm', '--to', '/x'])).toThrow(/no --to option/);
  });

  it('documents the new commands in --help', () => {
    const all = helpText();
    for (const name of ['add SOURCE', 'adopt DIR...', 'export ID', 'remove ID']) expect(all).toContain(name);
    expect(helpText('add')).toContain('--variant NAME=GLOB[,GLOB…]');
    expect(helpText('export')).toContain('--hf-cache DIR');
  });
});
