/**
 * `npm run web` as a user runs it: the first stdout line is the URL with the token, the page
 * answers on it, bad usage exits with status 2, and Ctrl+C (SIGTERM) stops it cleanly.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const tsx = join(repo, 'node_modules', '.bin', 'tsx');
const serve = join(repo, 'main', 'web', 'serve.ts');

describe('npm run web', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mo-serve-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the URL with its token first, serves on it, and stops on SIGTERM', async () => {
    const child = spawn(tsx, [serve, '--port', '0', '--root', join(dir, 'root'), '--no-demo'], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = createInterface({ input: child.stdout });
    const [first] = (await once(lines, 'line')) as [string];
    expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+$/);
    const response = await fetch(first, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('set-cookie')).toContain('HttpOnly');
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('exits with status 2 and the usage on a bad option', async () => {
    const child = spawn(tsx, [serve, '--port', 'many'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain('--port must be a whole number');
    expect(stderr).toContain('Usage: npm run web');
  });

  it('exits with status 1 and the problems when the manifest is invalid', async () => {
    const { writeFile } = await import('node:fs/promises');
    const manifest = join(dir, 'models.toml');
    await writeFile(manifest, 'schema_version = 2\n');
    const child = spawn(tsx, [serve, '--manifest', manifest, '--root', join(dir, 'root')], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('SCHEMA_VERSION_MISMATCH');
  });
});
