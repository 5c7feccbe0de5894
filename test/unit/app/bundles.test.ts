/**
 * What the build hands to Electron must load where it runs: the sandboxed preload may require
 * nothing but `electron`, and the main process bundle nothing but `electron` and Node built-ins
 * (the packaged app must not depend on node_modules being laid out like the checkout).
 */
import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..', '..');
const bundle = (p: string) => readFileSync(join(repo, 'dist', p), 'utf8');
const requiresOf = (code: string) => [...new Set([...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!))];
const isBuiltin = (name: string) => name.startsWith('node:') || builtinModules.includes(name);

beforeAll(() => {
  if (!existsSync(join(repo, 'dist', 'app', 'main.cjs')) || !existsSync(join(repo, 'dist', 'preload', 'index.cjs'))) {
    const build = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { cwd: repo, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
  }
});

describe('Electron bundles', () => {
  it('the sandboxed preload requires only electron', () => {
    expect(requiresOf(bundle('preload/index.cjs'))).toEqual(['electron']);
  });

  it('the main process requires only electron and Node built-ins', () => {
    const external = requiresOf(bundle('app/main.cjs')).filter((name) => name !== 'electron' && !isBuiltin(name));
    expect(external).toEqual([]);
  });
});
