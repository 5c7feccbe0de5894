import { describe, expect, it } from 'vitest';
import { OrchestratorError, toStructuredError } from '../../shared/errors';

describe('structured errors', () => {
  it('maps a full disk to NO_SPACE with the path', () => {
    const err = Object.assign(new Error('no space'), { code: 'ENOSPC', path: '/models/x' });
    const s = toStructuredError(err);
    expect(s.code).toBe('NO_SPACE');
    expect(s.details).toEqual({ path: '/models/x' });
  });
  it('keeps an OrchestratorError as it is', () => {
    const s = toStructuredError(new OrchestratorError('RATE_LIMIT', 'slow down', { retryAfter: 3 }));
    expect(s).toEqual({ code: 'RATE_LIMIT', message: 'slow down', details: { retryAfter: 3 }, retryable: true });
  });
});

describe('structured errors are plain data', () => {
  it('copies details so a cycle, an Error inside or a later change cannot reach the structured form', () => {
    const failures: unknown[] = [];
    const err = new OrchestratorError('CHECKSUM_FAIL', 'damaged', { path: 'a.bin', failures });
    failures.push({ source: 'https://a', error: toStructuredError(err) });
    err.details.cause = Object.assign(new Error('disk'), { code: 'ENOSPC' });
    err.details.self = err.details;
    err.details.skip = () => 1;
    const s = toStructuredError(err);
    expect(() => JSON.stringify(s)).not.toThrow();
    expect(s.details).toEqual({
      path: 'a.bin',
      failures: [
        {
          source: 'https://a',
          error: { code: 'CHECKSUM_FAIL', message: 'damaged', details: { path: 'a.bin', failures: [] }, retryable: false },
        },
      ],
      cause: { code: 'NO_SPACE', message: 'the disk is full. Free some space or run gc, then try again.', details: {}, retryable: false },
      self: '[circular]',
    });
    expect(JSON.parse(JSON.stringify(err))).toEqual(s);
  });
});
