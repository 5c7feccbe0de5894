import { describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../../shared/errors';
import { AttemptError } from '../../../main/core/download/attempt-error';
import { classifyAttemptFailure, retryDelay } from '../../../main/core/download/piece-retries';

const tuning = { retries: 3, retryBaseDelayMs: 100, retryMaxDelayMs: 350, maxRetryAfterMs: 1000, random: () => 1 };
const transient = (opts: { retryAfterMs?: number; free?: boolean; unreachable?: boolean } = {}) =>
  new AttemptError(
    'transient',
    new OrchestratorError('SOURCE_UNAVAILABLE', 'x'),
    opts.retryAfterMs,
    opts.free ?? false,
    opts.unreachable ?? false,
  );

describe('piece retries', () => {
  it('backs off exponentially up to the cap, then gives the source up', () => {
    expect([1, 2, 3].map((n) => retryDelay(transient(), n, tuning, false))).toEqual([100, 200, 350]);
    expect(retryDelay(transient(), 4, tuning, false)).toBeNull();
  });

  it('honours Retry-After up to its cap, and retries a slow range at once', () => {
    expect(retryDelay(transient({ retryAfterMs: 500 }), 1, tuning, false)).toBe(500);
    expect(retryDelay(transient({ retryAfterMs: 50_000 }), 1, tuning, false)).toBe(1000);
    expect(retryDelay(transient({ free: true }), 1, tuning, false)).toBe(0);
  });

  it('moves on from an unreachable host at once unless it is the last source', () => {
    expect(retryDelay(transient({ unreachable: true }), 1, tuning, false)).toBeNull();
    expect(retryDelay(transient({ unreachable: true }), 2, tuning, true)).toBe(100);
    expect(retryDelay(transient({ unreachable: true }), 3, tuning, true)).toBeNull();
  });

  it('gives a silent source up at once while another source is left, and retries it with backoff when it is the last', () => {
    const silent = classifyAttemptFailure(new DOMException('x', 'AbortError'), 'stalled', 'http://h/f', {
      stallTimeoutMs: 300,
      minBytesPerSecond: 1024,
    });
    expect(silent.stalled).toBe(true);
    expect(silent.error.message).toBe('http://h/f: no data for 0.3 s. Check the network; the download resumes where it stopped.');
    expect(retryDelay(silent, 1, tuning, false)).toBeNull();
    expect([1, 2, 3].map((n) => retryDelay(silent, n, tuning, true))).toEqual([100, 200, 350]);
    const trickle = classifyAttemptFailure(new DOMException('x', 'AbortError'), 'too-slow', 'http://h/f', {
      stallTimeoutMs: 2000,
      minBytesPerSecond: 1024,
    });
    expect([trickle.stalled, trickle.error.code, trickle.error.message]).toEqual([
      true,
      'NETWORK_TIMEOUT',
      'http://h/f: less than 1.0 KiB/s for 2 s. Check the network; the download resumes where it stopped.',
    ]);
    const headers = classifyAttemptFailure(Object.assign(new Error('t'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), null, 'http://h/f', {
      stallTimeoutMs: 2000,
      minBytesPerSecond: 1024,
    });
    expect(retryDelay(headers, 1, tuning, false)).toBeNull();
  });

  it('classifies a stall, a slow range, a reset and a disk error', () => {
    const stalled = classifyAttemptFailure(new DOMException('x', 'AbortError'), 'stalled', 'http://h/f', {
      stallTimeoutMs: 2000,
      minBytesPerSecond: 1024,
    });
    expect(stalled.kind).toBe('transient');
    expect(stalled.error.code).toBe('NETWORK_TIMEOUT');
    expect(stalled.error.message).toContain('no data for 2 s');
    const slow = classifyAttemptFailure(new DOMException('x', 'AbortError'), 'slow', 'http://h/f', {
      stallTimeoutMs: 2000,
      minBytesPerSecond: 1024,
    });
    expect(slow.free).toBe(true);
    const reset = classifyAttemptFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), null, 'http://h/f', {
      stallTimeoutMs: 2000,
      minBytesPerSecond: 1024,
    });
    expect([reset.kind, reset.error.code]).toEqual(['transient', 'SOURCE_UNAVAILABLE']);
    const disk = classifyAttemptFailure(Object.assign(new Error('full'), { code: 'ENOSPC' }), null, 'http://h/f', {
      stallTimeoutMs: 2000,
      minBytesPerSecond: 1024,
    });
    expect([disk.kind, disk.error.code]).toEqual(['fatal', 'NO_SPACE']);
    const given = new AttemptError('source', new OrchestratorError('AUTH_FAIL', 'denied'));
    expect(classifyAttemptFailure(given, null, 'http://h/f', { stallTimeoutMs: 2000, minBytesPerSecond: 1024 })).toBe(given);
  });
});
