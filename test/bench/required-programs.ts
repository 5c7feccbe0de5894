/**
 * The Debian programs each bench tool runs. Checked before anything is generated, so a missing
 * one is named with the command that installs it instead of failing minutes into a run.
 */
import { spawnSync } from 'node:child_process';

const PROGRAMS: Record<string, Array<{ program: string; debianPackage: string }>> = {
  ours: [{ program: 'nginx', debianPackage: 'nginx-light' }],
  curl: [
    { program: 'curl', debianPackage: 'curl' },
    { program: 'sha256sum', debianPackage: 'coreutils' },
  ],
  'curl-o': [{ program: 'curl', debianPackage: 'curl' }],
  aria2c: [{ program: 'aria2c', debianPackage: 'aria2' }],
  'aria2c-j16': [{ program: 'aria2c', debianPackage: 'aria2' }],
  verify: [
    { program: 'openssl', debianPackage: 'openssl' },
    { program: 'sha256sum', debianPackage: 'coreutils' },
  ],
  hf: [],
  cp: [{ program: 'cp', debianPackage: 'coreutils' }],
};

function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/** The Debian packages missing for `tools` (nginx serves every tool's bytes, so it is always needed). */
export function missingPackages(tools: readonly string[]): string[] {
  const needed = [...(PROGRAMS.ours ?? []), ...tools.flatMap((t) => PROGRAMS[t] ?? [])];
  return [...new Set(needed.filter((n) => !onPath(n.program)).map((n) => n.debianPackage))];
}
