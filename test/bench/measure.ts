/** Runs a command under /usr/bin/time -v and returns its wall time, CPU times, peak RSS and output. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

export interface Measured {
  ms: number;
  /** Peak resident set size in bytes (the largest process of the command tree). */
  peakRss: number;
  /** CPU time of the command tree in user and kernel mode (ms; 0 without /usr/bin/time). */
  userMs: number;
  sysMs: number;
  stdout: string;
  code: number | null;
}

const TIME = '/usr/bin/time';

export function measure(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; onSpawn?: (pid: number) => void } = {},
): Promise<Measured> {
  const report = `/tmp/bench-time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`;
  const useTime = existsSync(TIME);
  const [file, argv] = useTime ? [TIME, ['-v', '-o', report, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    if (child.pid && options.onSpawn) options.onSpawn(child.pid);
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      let peakRss = 0;
      let userMs = 0;
      let sysMs = 0;
      if (useTime && existsSync(report)) {
        const text = readFileSync(report, 'utf8');
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
        peakRss = m ? Number(m[1]) * 1024 : 0;
        userMs = Number(/User time \(seconds\): ([\d.]+)/.exec(text)?.[1] ?? 0) * 1000;
        sysMs = Number(/System time \(seconds\): ([\d.]+)/.exec(text)?.[1] ?? 0) * 1000;
        rmSync(report, { force: true });
      }
      if (code !== 0 && code !== null) {
        reject(new Error(`${cmd} ${args.join(' ').slice(0, 200)} exited with ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      resolve({ ms, peakRss, userMs, sysMs, stdout, code });
    });
  });
}
