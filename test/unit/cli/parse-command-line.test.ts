import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../../main/cli/parse-command-line';
import { helpText } from '../../../main/cli/help-text';

function usageErrorOf(argv: string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('parseCommandLine', () => {
  it('reads a command with its argument and options, global options anywhere', () => {
    expect(
      parseCommandLine(['--json', 'ensure', 't2v@1', '--variant', 'bf16', '--force', '--root', '/m', '--max-rate', '10MiB/s']),
    ).toEqual({
      command: { name: 'ensure', id: 't2v@1', variant: 'bf16', force: true, maxBytesPerSecond: 10 * 1024 * 1024 },
      global: { json: true, quiet: false, root: '/m' },
    });
    expect(parseCommandLine(['status', 'x', '--manifest=m.toml', '-q'])).toEqual({
      command: { name: 'status', id: 'x' },
      global: { json: false, quiet: true, manifest: 'm.toml' },
    });
  });

  it('reads --proxy, --ca-file and --min-free as global options', () => {
    expect(parseCommandLine(['ensure', 'a', '--min-free', '200M', '--proxy', 'http://p:3128', '--ca-file', 'ca.pem']).global).toEqual({
      json: false,
      quiet: false,
      minFreeBytes: 200 * 1024 ** 2,
      proxy: 'http://p:3128',
      caFile: 'ca.pem',
    });
    expect(parseCommandLine(['--min-free', '0', 'gc']).global.minFreeBytes).toBe(0);
    expect(usageErrorOf(['ensure', 'a', '--min-free', 'lots']).message).toContain('--min-free "lots" is not a size');
    expect(helpText()).toContain('--min-free SIZE');
  });

  it('reads gc sizes and durations', () => {
    expect(parseCommandLine(['gc', '--dry-run', '--max-size', '10G', '--max-age', '7d']).command).toEqual({
      name: 'gc',
      dryRun: true,
      maxSizeBytes: 10 * 1024 ** 3,
      maxAgeMs: 7 * 86_400_000,
    });
    expect(parseCommandLine(['gc']).command).toEqual({ name: 'gc', dryRun: false });
  });

  it('takes an optional file for validate and a topic for help', () => {
    expect(parseCommandLine(['validate']).command).toEqual({ name: 'validate' });
    expect(parseCommandLine(['validate', 'a.toml']).command).toEqual({ name: 'validate', file: 'a.toml' });
    expect(parseCommandLine(['help', 'gc']).command).toEqual({ name: 'help', topic: 'gc' });
    expect(parseCommandLine(['gc', '--help']).command).toEqual({ name: 'help', topic: 'gc' });
    expect(parseCommandLine(['--help']).command).toEqual({ name: 'help' });
    expect(parseCommandLine(['-h']).command).toEqual({ name: 'help' });
  });

  it.each([
    [[], 'No command given'],
    [['frobnicate'], 'Unknown command "frobnicate"'],
    [['lsit'], 'Did you mean list'],
    [['list', '--bogus'], 'Unknown option --bogus'],
    [['ensure'], 'ensure needs ID'],
    [['ensure', 'a', 'b'], 'but got 2'],
    [['ensure', 'a', '--variant'], '--variant needs a value'],
    [['ensure', 'a', '--force=yes'], '--force takes no value'],
    [['list', '--force'], 'The list command has no --force option'],
    [['status', 'a', '--dry-run'], 'no --dry-run option'],
    [['ensure', 'a', '--max-rate', 'fast'], '--max-rate "fast" is not a rate'],
    [['gc', '--max-size', '10X'], '--max-size "10X" is not a size'],
    [['gc', '--max-age', '7'], '--max-age "7" is not a duration'],
    [['ensure', 'a', '--root', ''], '--root needs a value'],
    [['help', 'nope'], 'Unknown command "nope"'],
  ])('refuses %j: %s', (argv, message) => {
    const error = usageErrorOf(argv as string[]);
    expect(error.message).toContain(message);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.details.usage).toBe(true);
  });

  it('has help for every command naming its options', () => {
    expect(helpText()).toContain('disk-usage');
    expect(helpText('ensure')).toContain('--max-rate RATE');
    expect(helpText('gc')).toContain('--max-age');
    expect(helpText('ensure')).toContain('Usage: modelctl ensure ID [--variant V] [--force] [--max-rate RATE]');
  });
});
