/**
 * Byte counts for people. The UI and its notifications use decimal units (like file managers and
 * download pages); modelctl and core messages use binary units (like `du -h` and `df -h`).
 */

const DECIMAL_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `4.19 MB`, `120 MB`, `512 B`. */
export function formatDecimalBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < DECIMAL_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${DECIMAL_UNITS[unit]}`;
}

/** `1.2 GiB`, `512 B`, `? B` when not a number. */
export function formatBinaryBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '? B';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 ? String(value) : value >= 100 ? value.toFixed(0) : value.toFixed(1);
  return `${bytes < 0 ? '-' : ''}${shown} ${BINARY_UNITS[unit]}`;
}
