/** `modelctl adopt` on a terminal draws a hashing progress bar on stderr; on a pipe it does not. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModelctl } from '../../../main/cli/run-modelctl';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'adopt-tty-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function io(isTTY: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: { write: (t: string) => out.push(t) }, stderr: { isTTY, columns: 120, write: (t: string) => err.push(t) } },
  };
}

describe('modelctl adopt progress', () => {
  it('draws a bar while hashing on a TTY, then prints what was adopted', async () => {
    const src = path.join(tmp, 'model');
    await mkdir(src, { recursive: true });
    await writeFile(path.join(src, 'weights.bin'), Buffer.alloc(3_000_000, 7));
    const manifest = path.join(tmp, 'models.toml');
    const added = io(false);
    expect(await runModelctl({ argv: ['--manifest', manifest, 'add', src, '--id', 'm'], env: {}, cwd: tmp, ...added.io })).toBe(0);
    const copy = path.join(tmp, 'downloads');
    await mkdir(copy);
    await writeFile(path.join(copy, 'some-name.bin'), Buffer.alloc(3_000_000, 7));

    const tty = io(true);
    const code = await runModelctl({
      argv: ['--manifest', manifest, '--root', path.join(tmp, 'root'), 'adopt', copy],
      env: {},
      cwd: tmp,
      ...tty.io,
    });
    expect(code).toBe(0);
    expect(tty.err.join('')).toMatch(/Hashing candidates \[[-#]+\]/);
    expect(tty.err.join('')).toMatch(/Completing models \[#+\] 100%/);
    expect(tty.out.join('')).toContain('adopted 1 file');
    expect(tty.out.join('')).toContain('Now complete: m (default).');

    const pipe = io(false);
    expect(
      await runModelctl({
        argv: ['--manifest', manifest, '--root', path.join(tmp, 'root2'), 'adopt', copy],
        env: {},
        cwd: tmp,
        ...pipe.io,
      }),
    ).toBe(0);
    expect(pipe.err.join('')).toBe('');
  });
});
