/**
 * A one-line progress bar on a terminal's stderr: label, bar, percent, bytes done/total,
 * speed and ETA, redrawn in place at most ~10 times a second. Used only when stderr is a
 * TTY and --quiet is off; pipes and log files never see control characters.
 */
import { ProgressMeter, Throttle } from '../core/progress-meter';
import { formatBytes, formatEta } from './units';

export interface ProgressTerminal {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

interface Frame {
  label: string;
  done: number;
  total: number;
}

export class TerminalProgress {
  private readonly meter: ProgressMeter;
  private readonly throttle: Throttle<Frame>;
  private drawn = false;
  private last: Frame | null = null;

  constructor(
    private readonly terminal: ProgressTerminal,
    now: () => number = Date.now,
  ) {
    this.meter = new ProgressMeter(now);
    this.throttle = new Throttle((frame) => this.draw(frame), 100, now);
  }

  update(label: string, done: number, total: number): void {
    const frame = { label, done, total };
    // A new phase (e.g. downloading → verifying) restarts the speed measurement.
    if (this.last && this.last.label !== label) this.meter.reset();
    this.last = frame;
    this.throttle.push(frame);
  }

  /** Draws the final state and moves to a fresh line; call before printing anything else. */
  finish(): void {
    this.throttle.flush();
    if (this.drawn) this.terminal.write('\n');
    this.drawn = false;
  }

  /** Removes the bar without leaving a line behind (for errors and cancellation). */
  clear(): void {
    this.throttle.flush();
    if (this.drawn) this.terminal.write('\r\x1b[2K');
    this.drawn = false;
  }

  private draw({ label, done, total }: Frame): void {
    const { speed, etaSeconds } = this.meter.update(done, total);
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const numbers = `${formatBytes(done)} / ${formatBytes(total)}  ${speed > 0 ? `${formatBytes(speed)}/s` : '--'}  ETA ${formatEta(etaSeconds)}`;
    const columns = this.terminal.columns && this.terminal.columns > 20 ? this.terminal.columns : 80;
    // The bar gives way first on a narrow terminal; the numbers are what people read.
    const fixed = `${label}  ${percent}  ${numbers}`.length;
    const barWidth = Math.min(30, columns - 1 - fixed - 3);
    let line: string;
    if (barWidth >= 10) {
      const filled = Math.round(fraction * barWidth);
      line = `${label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${percent}  ${numbers}`;
    } else {
      line = `${label} ${percent}  ${numbers}`;
    }
    if (line.length > columns - 1) line = line.slice(0, columns - 1);
    this.terminal.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }
}
