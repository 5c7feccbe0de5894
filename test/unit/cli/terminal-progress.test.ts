import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TerminalProgress } from '../../../main/cli/terminal-progress';

describe('TerminalProgress', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function terminal() {
    const writes: string[] = [];
    return { writes, term: { isTTY: true, columns: 100, write: (t: string) => writes.push(t) } };
  }

  it('redraws one line in place with bytes, speed and ETA', () => {
    const { writes, term } = terminal();
    const progress = new TerminalProgress(term, () => Date.now());
    progress.update('Downloading m [fp16]', 0, 10 * 1024 * 1024);
    vi.advanceTimersByTime(1000);
    progress.update('Downloading m [fp16]', 1024 * 1024, 10 * 1024 * 1024);
    progress.finish();
    const last = writes.at(-2) as string;
    expect(last.startsWith('\r\x1b[2K')).toBe(true);
    expect(last).toContain('Downloading m [fp16]');
    expect(last).toContain('1.0 MiB / 10.0 MiB');
    expect(last).toContain('1.0 MiB/s');
    expect(last).toContain('ETA 0:09');
    expect(last).toContain(' 10%');
    expect(writes.at(-1)).toBe('\n');
    expect(writes.join('')).not.toContain('\n\r');
  });

  it('draws at most about ten times a second however often it is told', () => {
    const { writes, term } = terminal();
    const progress = new TerminalProgress(term, () => Date.now());
    for (let i = 0; i < 1000; i++) {
      progress.update('Downloading', i * 1000, 1_000_000);
      vi.advanceTimersByTime(1);
    }
    progress.finish();
    expect(writes.length).toBeLessThanOrEqual(12);
    expect(writes.at(-2)).toContain('976 KiB / 977 KiB');
  });

  it('never writes a line wider than the terminal', () => {
    const { writes, term } = terminal();
    term.columns = 40;
    const progress = new TerminalProgress(term, () => Date.now());
    progress.update('Downloading a-very-long-model-name@1.2.3 [fp16]', 5, 10);
    progress.clear();
    for (const w of writes) expect(w.replace('\r\x1b[2K', '').length).toBeLessThan(40);
  });
});
