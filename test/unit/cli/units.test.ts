import { describe, expect, it } from 'vitest';
import { formatBytes, formatEta, parseDuration, parseRate, parseSize } from '../../../main/cli/units';

describe('sizes', () => {
  it.each([
    ['1048576', 1048576],
    ['0', 0],
    ['10G', 10 * 1024 ** 3],
    ['10g', 10 * 1024 ** 3],
    ['500MiB', 500 * 1024 ** 2],
    ['1.5K', 1536],
    ['2KB', 2000],
    ['3 GB', 3e9],
    ['1T', 1024 ** 4],
    ['12B', 12],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'G', '10X', '-5', '1e3', '10 GiBs', 'iB', '99999999999P'])('refuses %j', (text) => {
    expect(parseSize(text)).toBeNull();
  });
});

describe('rates', () => {
  it.each([
    ['50M', 50 * 1024 ** 2],
    ['10MiB/s', 10 * 1024 ** 2],
    ['2MB/s', 2e6],
    ['100k', 102400],
    ['1000', 1000],
  ])('reads %j as %d bytes per second', (text, rate) => {
    expect(parseRate(text)).toBe(rate);
  });

  it.each(['0', 'fast', '/s', '-1M'])('refuses %j', (text) => {
    expect(parseRate(text)).toBeNull();
  });
});

describe('durations', () => {
  it.each([
    ['7d', 7 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['30m', 1_800_000],
    ['45s', 45_000],
    ['1h30m', 5_400_000],
    ['2w', 14 * 86_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['7', 'd', '7 days', '-1d', ''])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('formatting', () => {
  it('shows bytes in binary units and ETA as clock time', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(10 * 1024 ** 3)).toBe('10.0 GiB');
    expect(formatEta(42)).toBe('0:42');
    expect(formatEta(3723)).toBe('1:02:03');
    expect(formatEta(null)).toBe('--:--');
  });
});
