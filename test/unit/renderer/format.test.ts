import { describe, expect, it } from 'vitest';
import type { DiskUsage } from '../../../shared/results';
import { diskBreakdown } from '../../../renderer/disk-breakdown';
import { formatBytes, formatEta, formatRelativeTime, parseBytes } from '../../../renderer/format';

describe('renderer formatting', () => {
  it('writes sizes, durations and ages the way people read them', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(4_190_000)).toBe('4.19 MB');
    expect(formatBytes(28_000_000)).toBe('28.0 MB');
    expect(formatBytes(271_000_000_000)).toBe('271 GB');
    expect(formatEta(null)).toBe('—');
    expect(formatEta(7.4)).toBe('7 s');
    expect(formatEta(3725)).toBe('1 h 2 min');
    expect(formatRelativeTime(null)).toBe('never');
    expect(formatRelativeTime(1_000, 1_000 + 3 * 3600_000)).toBe('3 h ago');
  });

  it('reads sizes typed by a user', () => {
    expect(parseBytes('20 GB')).toBe(20_000_000_000);
    expect(parseBytes('1.5GiB')).toBe(1_610_612_736);
    expect(parseBytes('500mb')).toBe(500_000_000);
    expect(parseBytes('1 KB')).toBe(1000);
    expect(parseBytes('1024')).toBe(1024);
    expect(parseBytes('lots')).toBeNull();
  });

  it('splits the volume into models (shared bytes once), partial, other and free', () => {
    const disk: DiskUsage = {
      root: '/r',
      models: [
        { id: 'a', variant: 'x', bytes: 600, pinned: false, lastUsed: null },
        { id: 'a', variant: 'y', bytes: 600, pinned: true, lastUsed: null },
      ],
      partialBytes: 100,
      freeBytes: 5000,
      totalBytes: 10_000,
      storedBytes: 800,
      quotaBytes: 1000,
    };
    expect(diskBreakdown(disk)).toEqual({
      total: 10_000,
      models: 800,
      partial: 100,
      other: 4100,
      free: 5000,
      sharedSavings: 400,
      quota: 1000,
      quotaUse: 0.8,
    });
  });
});
