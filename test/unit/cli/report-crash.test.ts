import { describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../../shared/errors';
import { reportCrash } from '../../../main/cli/run-modelctl';

function capture() {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } },
    out: () => stdout,
    err: () => stderr,
  };
}

describe('modelctl last-resort crash report', () => {
  it('keeps the code of a known condition that escaped as an unhandled rejection, even wrapped as a cause', () => {
    const c = capture();
    const noSpace = new OrchestratorError('NO_SPACE', 'Not enough space in /r/.partial.', { path: '/r/.partial' });
    const wrapped = new Error(noSpace.message, { cause: noSpace });
    const code = reportCrash(c.io as never, true, wrapped);
    expect(code).toBe(1);
    expect(JSON.parse(c.out())).toMatchObject({ error: { code: 'NO_SPACE', message: 'Not enough space in /r/.partial.' } });
  });

  it('reports anything else as UNKNOWN_ERROR with what to do', () => {
    const c = capture();
    reportCrash(c.io as never, true, new TypeError('x is undefined'));
    const { error } = JSON.parse(c.out()) as { error: { code: string; message: string } };
    expect(error.code).toBe('UNKNOWN_ERROR');
    expect(error.message).toContain('run the same command again');
  });
});
