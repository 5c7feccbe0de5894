/**
 * The layering rules of ARCHITECTURE.md, checked on every test run: main/core and shared never
 * import electron, shared imports no Node built-ins, and the renderer never imports Node.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(name)) out.push(full);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  const re =
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3] ?? m[4]) as string);
  return specs;
}

function violations(dir: string, forbidden: (spec: string) => boolean): string[] {
  return sourceFiles(join(repo, dir)).flatMap((file) =>
    importsOf(file)
      .filter(forbidden)
      .map((spec) => `${relative(repo, file)} imports ${spec}`),
  );
}

const isElectron = (s: string) => s === 'electron' || s.startsWith('electron/');
const isNode = (s: string) =>
  s.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'net'].includes(s);

describe('layering', () => {
  it('main/core never imports electron', () => {
    expect(violations('main/core', isElectron)).toEqual([]);
  });
  it('main/cli and main/web never import electron', () => {
    expect(violations('main/cli', isElectron)).toEqual([]);
    expect(violations('main/web', isElectron)).toEqual([]);
  });
  it('shared imports neither electron nor Node built-ins', () => {
    expect(violations('shared', (s) => isElectron(s) || isNode(s))).toEqual([]);
  });
  it('renderer never imports node built-ins or electron', () => {
    expect(violations('renderer', (s) => isElectron(s) || isNode(s))).toEqual([]);
  });
  it('only main/app and preload import electron', () => {
    const all = ['shared', 'main/core', 'main/cli', 'main/web', 'renderer'].flatMap((d) => violations(d, isElectron));
    expect(all).toEqual([]);
  });
});
