import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';
import { blob, fixture, type Fixture } from './download-fixture';

let server: FaultServer;
let fx: Fixture;
beforeEach(async () => {
  server = await startFaultServer();
  fx = fixture();
});
afterEach(async () => {
  await fx.cleanup();
  await server.close();
});

const child = join(import.meta.dirname, 'download-child.ts');

/** Runs the child; resolves with its `done` outcome, or kills it with SIGKILL once `killAt` bytes are written. */
function runChild(args: string[], killAt?: number): Promise<{ killed: boolean; outcome?: { filePath: string; bytesFetched: number } }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let outcome: { filePath: string; bytesFetched: number } | undefined;
    createInterface({ input: p.stdout }).on('line', (line) => {
      const [word, rest] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
      if (word === 'progress' && killAt !== undefined && Number(rest) >= killAt) p.kill('SIGKILL');
      if (word === 'done') outcome = JSON.parse(rest);
    });
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ killed: true });
      else if (code === 0) resolve({ killed: false, ...(outcome ? { outcome } : {}) });
      else reject(new Error(`child exited with ${code}`));
    });
  });
}

describe('crash-safe resume', () => {
  it('resumes a download after the process is killed with SIGKILL, re-fetching only what was in flight', async () => {
    const f = blob(4 * 1024 * 1024);
    server.serve('/big', f.data, { bytesPerSecond: 1_000_000 });
    const args = [`${server.url}/big`, fx.partialDir, f.sha256, String(f.size)];
    const first = await runChild(args, f.size / 2);
    expect(first.killed).toBe(true);
    expect(fx.partialFiles()).toContain(`${f.sha256}.journal.json`);
    const sentBeforeKill = server.bytesSent('/big');
    server.serve('/big', f.data);
    const second = await runChild(args);
    const outcome = second.outcome as { filePath: string; bytesFetched: number };
    expect(createHash('sha256').update(readFileSync(outcome.filePath)).digest('hex')).toBe(f.sha256);
    const refetched = sentBeforeKill + outcome.bytesFetched - f.size;
    // Four ranges in flight, journal every 50 ms at 4 x 1 MB/s: well under 10% is fetched twice.
    expect(refetched).toBeLessThan(f.size * 0.1);
    expect(outcome.bytesFetched).toBeLessThan(f.size * 0.65);
  });
});

describe('crash-safe resume through modelctl', () => {
  const modelctl = join(import.meta.dirname, '../../../main/cli/modelctl.ts');

  it.skipIf(!existsSync(modelctl))('modelctl ensure killed with SIGKILL resumes on the next ensure', async () => {
    const f = blob(4 * 1024 * 1024);
    server.serve('/m/big.bin', f.data, { bytesPerSecond: 1_000_000 });
    const manifest = join(fx.dir, 'models.toml');
    writeFileSync(
      manifest,
      `schema_version = 1
[models."kill-test"]
version = "1"
variants = ["default"]
default_variant = "default"
[[models."kill-test".files]]
path = "big.bin"
size = ${f.size}
sha256 = "${f.sha256}"
[models."kill-test".sources]
priority = ["${server.url}/m"]
`,
    );
    const root = join(fx.dir, 'root');
    const args = ['--import', 'tsx', modelctl, '--manifest', manifest, '--root', root, '--json', 'ensure', 'kill-test'];
    const journal = join(root, '.partial', `${f.sha256}.journal.json`);
    const killed = await new Promise<boolean>((resolve, reject) => {
      const p = spawn(process.execPath, args, { stdio: 'ignore' });
      const poll = setInterval(() => {
        try {
          const done = (JSON.parse(readFileSync(journal, 'utf8')) as { done: Array<[number, number]> }).done.reduce(
            (n, [s, e]) => n + e - s,
            0,
          );
          if (done >= f.size / 2) p.kill('SIGKILL');
        } catch {
          // no journal yet
        }
      }, 5);
      p.on('error', reject);
      p.on('exit', (_code, signal) => {
        clearInterval(poll);
        resolve(signal === 'SIGKILL');
      });
    });
    expect(killed).toBe(true);
    server.serve('/m/big.bin', f.data);
    const second = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
      let stdout = '';
      p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      p.on('error', reject);
      p.on('close', (code) => resolve({ code, stdout }));
    });
    expect(second.code).toBe(0);
    const result = JSON.parse(second.stdout) as { localPath: string; downloadedBytes: number };
    expect(
      createHash('sha256')
        .update(readFileSync(join(result.localPath, 'big.bin')))
        .digest('hex'),
    ).toBe(f.sha256);
    expect(result.downloadedBytes).toBeLessThan(f.size * 0.6);
  });
});
