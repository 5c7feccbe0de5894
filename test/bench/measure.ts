/** Runs a command under /usr/bin/time -v and returns its wall time, peak RSS and output. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

export interface Measured {
  ms: number;
  /** Peak resident set size in bytes (the largest process of the command tree). */
  peakRss: number;
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
      if (useTime && existsSync(report)) {
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(report, 'utf8'));
        peakRss = m ? Number(m[1]) * 1024 : 0;
        rmSync(report, { force: true });
      }
      if (code !== 0 && code !== null) {
        reject(new Error(`${cmd} ${args.join(' ').slice(0, 200)} exited with ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      resolve({ ms, peakRss, stdout, code });
    });
  });
}
