import { describe, expect, it } from 'vitest';
import { AttemptError } from '../../../main/core/download/attempt-error';
import { ResponseLengthGuard } from '../../../main/core/download/response-length-guard';

function thrown(fn: () => void): AttemptError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AttemptError) return error;
    throw error;
  }
  throw new Error('expected an AttemptError');
}

describe('response length guard', () => {
  it('lets exactly the bytes asked for through', () => {
    const guard = new ResponseLengthGuard('http://mirror/w.bin', 100, 1000);
    guard.received(60);
    guard.received(40);
    expect(() => guard.ended(100, 100, false)).not.toThrow();
  });

  it('fails the source with SIZE_MISMATCH at the first byte too many, naming both sizes', () => {
    const guard = new ResponseLengthGuard('http://mirror/w.bin', 100, 1000);
    guard.received(100);
    const error = thrown(() => guard.received(1));
    expect(error.kind).toBe('source');
    expect(error.error.code).toBe('SIZE_MISMATCH');
    expect(error.error.message).toContain('more than the 100 bytes asked for');
    expect(error.error.message).toContain('the file has 1000');
    expect(error.error.details).toEqual({ source: 'http://mirror/w.bin', expected: 100, actual: 101 });
  });

  it('calls a body that ended early a transient INCOMPLETE_DOWNLOAD, free when we cut it ourselves', () => {
    const guard = new ResponseLengthGuard('http://mirror/w.bin', 100, 1000);
    const early = thrown(() => guard.ended(40, 100, false));
    expect(early.kind).toBe('transient');
    expect(early.error.code).toBe('INCOMPLETE_DOWNLOAD');
    expect(early.error.message).toContain('at byte 40 of 100');
    expect(early.free).toBe(false);
    expect(thrown(() => guard.ended(40, 100, true)).free).toBe(true);
  });
});
