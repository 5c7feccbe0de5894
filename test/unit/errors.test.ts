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
