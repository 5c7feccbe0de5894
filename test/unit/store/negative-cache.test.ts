import { describe, expect, it } from 'vitest';
import { NegativeCache } from '../../../main/core/store/negative-cache';
import { ManualClock } from '../../integration/orchestrator/helpers/manual-clock';

const failure = { code: 'SOURCE_UNAVAILABLE' as const, message: 'HTTP 503', details: {}, retryable: true };

describe('NegativeCache', () => {
  it('skips a source that failed for a model until the TTL passes, then forgets it', () => {
    const clock = new ManualClock();
    const cache = new NegativeCache(clock, 60_000);
    cache.record('m', 'http://a', failure);
    expect(cache.blocked('m', 'http://a')?.error.message).toBe('HTTP 503');
    expect(cache.blocked('other-model', 'http://a')).toBeNull();
    clock.advance(60_000);
    expect(cache.blocked('m', 'http://a')).toBeNull();
    expect(cache.list()).toEqual([]);
  });

  it('forgets a source as soon as it succeeds', () => {
    const cache = new NegativeCache(new ManualClock(), 60_000);
    cache.record('m', 'http://a', failure);
    cache.clear('m', 'http://a');
    expect(cache.blocked('m', 'http://a')).toBeNull();
  });

  it('removes expired entries when pruned', () => {
    const clock = new ManualClock();
    const cache = new NegativeCache(clock, 1_000);
    cache.record('m', 'http://a', failure);
    clock.advance(500);
    cache.record('m', 'http://b', failure);
    clock.advance(600);
    expect(cache.prune()).toBe(1);
    expect(cache.list().map((e) => e.source)).toEqual(['http://b']);
  });
});

describe('NegativeCache persisted in .state', () => {
  it('is seen by a new process (a new cache on the same file) until it expires', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'negcache-'));
    const file = path.join(dir, '.state', 'failed-sources.json');
    const clock = new ManualClock();
    new NegativeCache(clock, 60_000, file).record('m', 'http://a', failure);
    const later = new NegativeCache(clock, 60_000, file);
    expect(later.blocked('m', 'http://a')?.error.code).toBe('SOURCE_UNAVAILABLE');
    later.clear('m', 'http://a');
    expect(new NegativeCache(clock, 60_000, file).list()).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });
});
