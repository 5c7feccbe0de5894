/** Starts orchestrator-child.ts in its own Node process and reads what it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const script = path.join(import.meta.dirname, 'orchestrator-child.ts');
const repo = path.resolve(import.meta.dirname, '..', '..', '..', '..');

export interface Child {
  process: ChildProcess;
  /** Resolves with the first line the child prints. */
  firstLine: Promise<string>;
  /** Resolves with everything printed and the exit code once it ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function startChild(input: Record<string, unknown>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(input)], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let resolveLine!: (line: string) => void;
  const firstLine = new Promise<string>((r) => (resolveLine = r));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    const nl = stdout.indexOf('\n');
    if (nl >= 0) resolveLine(stdout.slice(0, nl));
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolveLine(stdout);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { process: child, firstLine, exited };
}
