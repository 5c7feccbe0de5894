import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../../main/cli/parse-command-line';

describe('modelctl health and the observability options', () => {
  it('takes any number of model ids and a budget', () => {
    expect(parseCommandLine(['health']).command).toEqual({ name: 'health', ids: [] });
    expect(parseCommandLine(['health', 'a@1', 'b@2', '--budget', '30s']).command).toEqual({
      name: 'health',
      ids: ['a@1', 'b@2'],
      budgetMs: 30_000,
    });
  });

  it('refuses a budget that is not a duration', () => {
    expect(() => parseCommandLine(['health', '--budget', 'soon'])).toThrow(UsageError);
    expect(() => parseCommandLine(['health', '--budget', '0s'])).toThrow(/not a duration/);
  });

  it('accepts --metrics-file and --log-format before or after any command', () => {
    const before = parseCommandLine(['--metrics-file', 'out.prom', '--log-format', 'json', 'list']);
    expect(before.global).toMatchObject({ metricsFile: 'out.prom', logFormat: 'json' });
    const after = parseCommandLine(['ensure', 'm@1', '--log-format', 'TEXT', '--metrics-file', '/tmp/x.prom']);
    expect(after.global).toMatchObject({ metricsFile: '/tmp/x.prom', logFormat: 'text' });
  });

  it('refuses an unknown log format and --budget on other commands', () => {
    expect(() => parseCommandLine(['list', '--log-format', 'xml'])).toThrow(/Use json or text/);
    expect(() => parseCommandLine(['list', '--budget', '1s'])).toThrow(/has no --budget option/);
  });
});
