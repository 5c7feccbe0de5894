/**
 * `npm start` here (no Electron binary, no display, root) must say why in one sentence and
 * serve the web UI instead; on a user's machine with the binary and a display it launches
 * Electron. The decision is checked with fake electron package folders; the fallback runs the
 * real script.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without type declarations
import { electronExecutable, whyElectronCannotStart } from '../../../scripts/start.mjs';

const repo = join(import.meta.dirname, '..', '..', '..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'start-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fakeElectronPackage(root: string, withBinary: boolean): Promise<void> {
  const pkg = join(root, 'node_modules', 'electron');
  await mkdir(join(pkg, 'dist'), { recursive: true });
  await writeFile(join(pkg, 'path.txt'), 'electron');
  if (withBinary) await writeFile(join(pkg, 'dist', 'electron'), '');
}

describe('npm start: choosing Electron or the web UI', () => {
  it('launches Electron only when its binary is installed and a display exists', async () => {
    const none = join(dir, 'none');
    expect(electronExecutable(none)).toBeNull();
    expect(whyElectronCannotStart({ root: none, env: { DISPLAY: ':0' }, platform: 'linux', uid: 1000 })).toBe(
      'no Electron binary is installed',
    );

    const noBinary = join(dir, 'no-binary');
    await fakeElectronPackage(noBinary, false); // path.txt written, download never happened
    expect(electronExecutable(noBinary)).toBeNull();

    const ready = join(dir, 'ready');
    await fakeElectronPackage(ready, true);
    expect(electronExecutable(ready)).toBe(join(ready, 'node_modules', 'electron', 'dist', 'electron'));
    expect(whyElectronCannotStart({ root: ready, env: { DISPLAY: ':0' }, platform: 'linux', uid: 1000 })).toBeNull();
    expect(whyElectronCannotStart({ root: ready, env: { WAYLAND_DISPLAY: 'wayland-0' }, platform: 'linux', uid: 1000 })).toBeNull();
    expect(whyElectronCannotStart({ root: ready, env: {}, platform: 'darwin', uid: 501 })).toBeNull();
    expect(whyElectronCannotStart({ root: ready, env: {}, platform: 'linux', uid: 1000 })).toMatch(/no display/);
    expect(whyElectronCannotStart({ root: ready, env: { DISPLAY: ':0' }, platform: 'linux', uid: 0 })).toMatch(/root/);

    const override = join(dir, 'local-build');
    await mkdir(override, { recursive: true });
    await writeFile(join(override, 'electron'), '');
    expect(electronExecutable(none, { ELECTRON_OVERRIDE_DIST_PATH: override })).toBe(join(override, 'electron'));
  });

  it('here: says why in one sentence, then serves the web UI and prints its URL', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, MODEL_ORCHESTRATOR_SKIP_BUILD: '1' };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const child = spawn(process.execPath, [join(repo, 'scripts', 'start.mjs'), '--no-demo', '--root', join(dir, 'models'), '--port', '0'], {
      cwd: repo,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`start.mjs exited (${code}) before printing a URL:\n${lines.join('\n')}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line);
        const m = /^Model Orchestrator web UI: (http:\/\/127\.0\.0\.1:\d+\/\S*)$/.exec(line);
        if (m) resolve(m[1]!);
      });
    });
    try {
      expect(lines[0]).toBe('Electron is not available here (no Electron binary is installed); opening the web UI instead.');
      expect(lines.join('\n')).not.toContain('Opening it in your browser'); // no display, no xdg-open
      const res = await fetch(url);
      expect(res.status).toBeLessThan(500);
      await res.arrayBuffer();
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });
});
