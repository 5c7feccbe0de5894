/**
 * The `modelctl` process: wires Ctrl-C to an AbortSignal (first press cancels cleanly and
 * keeps partial data, a second press exits at once) and turns runModelctl's result into
 * the exit status.
 */
import { EXIT, reportCrash, runModelctl } from './run-modelctl';

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  if (interrupts > 1) process.exit(EXIT.cancelled);
  controller.abort();
});

// `modelctl list | head -1` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

let crashed = false;
const onCrash = (error: unknown): void => {
  if (crashed) return;
  crashed = true;
  process.exitCode = reportCrash(process, process.argv.includes('--json'), error);
  process.exit();
};
process.on('uncaughtException', onCrash);
process.on('unhandledRejection', onCrash);

const code = await runModelctl({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
process.exitCode = code;
// Anything still holding the event loop open (a stray socket or worker) must not keep a
// finished command alive; stdout and stderr are flushed first.
process.stdout.write('', () => process.stderr.write('', () => setTimeout(() => process.exit(code), 500).unref()));
