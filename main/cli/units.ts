/**
 * Sizes, rates and durations as people type them on a command line (`10G`, `500MiB`,
 * `50M/s`, `7d`, `1h30m`) and as they read them back (`1.2 GiB`, `0:42`).
 *
 * Size suffixes: K/M/G/T and KiB/MiB/GiB/TiB are powers of 1024 (what disk tools show);
 * KB/MB/GB/TB are powers of 1000; B or nothing means bytes.
 */
import { formatBinaryBytes } from '../../shared/byte-sizes';

const BINARY: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
const DECIMAL: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/** Bytes in `text` (`10G`, `500MiB`, `1.5 GB`, `1048576`), or null when it is not a size. */
export function parseSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)\s*$/i.exec(text);
  if (!match) return null;
  const [, number, prefixRaw, tail] = match as unknown as [string, string, string, string];
  const prefix = prefixRaw.toLowerCase();
  const lowerTail = tail.toLowerCase();
  if (prefix === '' && lowerTail === 'ib') return null;
  // "KB" (no i) with a prefix is decimal; "K", "KiB" are binary.
  const factor = prefix !== '' && lowerTail === 'b' ? (DECIMAL[prefix] as number) : (BINARY[prefix] as number);
  const bytes = Math.floor(Number(number) * factor);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** Bytes per second in `text` (`50M`, `10MiB/s`, `2MB/s`), or null. */
export function parseRate(text: string): number | null {
  const size = parseSize(text.replace(/\s*\/\s*s(ec(ond)?)?\s*$/i, '').replace(/ps$/i, ''));
  return size !== null && size > 0 ? size : null;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds in `text` (`7d`, `12h`, `30m`, `1h30m`, `45s`), or null. A unit is required. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, value, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) {
    total += Number(value) * (DURATION_UNITS[unit as string] as number);
  }
  const ms = Math.round(total);
  return Number.isSafeInteger(ms) ? ms : null;
}

/** `1.2 GiB`, `512 B`. */
export const formatBytes = formatBinaryBytes;

/** `0:42`, `12:03`, `1:02:03`; `--:--` when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** `3 days ago`, `5 minutes ago`, `never`. */
export function formatAge(then: number | null, now: number): string {
  if (then === null) return 'never';
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  const steps: Array<[number, string]> = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of steps) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n} ${name}${n === 1 ? '' : 's'} ago`;
    }
  }
  return 'just now';
}
