/**
 * The terminal experience of `modelctl ensure`/`verify`, run in-process with a stderr that
 * says it is a TTY (a child process cannot get one without a pseudo-terminal): a progress
 * bar redrawn in place on a terminal, nothing on a pipe or with --quiet.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModelctl } from '../../../main/cli/run-modelctl';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';
import { generateFiles, writeManifest } from './cli-harness';

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(async () => {
  await server.close();
});

function output(isTTY: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: { write: (t: string) => out.push(t) }, stderr: { isTTY, columns: 120, write: (t: string) => err.push(t) } },
  };
}

describe('modelctl progress on a terminal', () => {
  const files = generateFiles([{ path: 'weights.bin', size: 300_000 }]);
  let manifest: string;
  beforeAll(() => {
    // Slow enough for several redraws.
    server.serve('/p/weights.bin', files[0]!.data, { bytesPerSecond: 200_000 });
    manifest = writeManifest([{ id: 'prog@1', files, sources: [`${server.url}/p`] }]);
  });

  it('draws a bar with bytes, speed and ETA on a TTY, then prints the result', async () => {
    const root = mkdtempSync(join(tmpdir(), 'modelctl-tty-'));
    const { out, err, io } = output(true);
    const code = await runModelctl({
      argv: ['ensure', 'prog@1', '--manifest', manifest, '--root', root],
      env: {},
      cwd: process.cwd(),
      ...io,
    });
    expect(code).toBe(0);
    const frames = err.filter((e) => e.startsWith('\r\x1b[2K'));
    expect(frames.length).toBeGreaterThan(1);
    expect(frames.some((f) => /Downloading prog@1 \[fp16\] \[[#-]+\]\s+\d+%\s+[\d.]+ KiB \/ 293 KiB\s+.*ETA/.test(f))).toBe(true);
    expect(out.join('')).toContain('prog@1 [fp16] is ready at');

    const verify = output(true);
    expect(
      await runModelctl({ argv: ['verify', 'prog@1', '--manifest', manifest, '--root', root], env: {}, cwd: process.cwd(), ...verify.io }),
    ).toBe(0);
    expect(verify.err.join('')).toContain('Verifying prog@1');
    expect(verify.out.join('')).toContain('all 1 files match');
  });

  it('draws nothing on a pipe or with --quiet; --quiet ensure prints just the folder', async () => {
    for (const [tty, extra] of [
      [false, []],
      [true, ['--quiet']],
    ] as const) {
      const root = mkdtempSync(join(tmpdir(), 'modelctl-pipe-'));
      const { out, err, io } = output(tty);
      const code = await runModelctl({
        argv: ['ensure', 'prog@1', '--manifest', manifest, '--root', root, ...extra],
        env: {},
        cwd: process.cwd(),
        ...io,
      });
      expect(code).toBe(0);
      expect(err).toEqual([]);
      if (extra.length > 0) expect(out.join('')).toBe(`${join(root, 'models', 'prog@1', 'fp16')}\n`);
    }
  });

  it('cancels through the abort signal with exit 130 and says partial data is kept', async () => {
    const root = mkdtempSync(join(tmpdir(), 'modelctl-abort-'));
    const { err, io } = output(false);
    const controller = new AbortController();
    const sentBefore = server.bytesSent('/p/weights.bin');
    const running = runModelctl({
      argv: ['ensure', 'prog@1', '--manifest', manifest, '--root', root],
      env: {},
      cwd: process.cwd(),
      signal: controller.signal,
      ...io,
    });
    while (server.bytesSent('/p/weights.bin') - sentBefore < 50_000) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    expect(await running).toBe(130);
    expect(err.join('')).toMatch(/Cancelled\. Partial data is kept in .*\.partial; run the same command again to resume\./);
  });
});
