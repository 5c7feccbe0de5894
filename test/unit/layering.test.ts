/**
 * The layering rules of docs/architecture.md, checked on every test run: which folder may import
 * which, no import cycles, electron only in main/app and preload, no Node in shared/ and the
 * renderer. The checker itself is tried on small trees with a known violation, so a broken
 * checker cannot pass silently.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCycles, importGraph, importsOf, sourceFiles } from '../helpers/import-graph';

const repo = join(import.meta.dirname, '..', '..');

/** Folder → the folders its modules may import (besides themselves). Arrows point down only. */
const MAY_IMPORT: Record<string, string[]> = {
  shared: [],
  'main/core': ['shared'],
  'main/cli': ['main/core', 'shared', 'demo'],
  'main/web': ['main/core', 'shared', 'demo'],
  'main/app': ['main/core', 'shared', 'demo'],
  demo: ['main/core', 'shared'],
  preload: ['shared'],
  renderer: ['shared'],
};
const LAYERS = Object.keys(MAY_IMPORT);
const CYCLE_FREE = ['main', 'shared', 'demo', 'preload', 'renderer'];

function layerOf(file: string): string | null {
  return LAYERS.find((layer) => file === layer || file.startsWith(`${layer}/`)) ?? null;
}

/** Imports that run against MAY_IMPORT, as `from imports to` lines. */
function upwardImports(root: string): string[] {
  const out: string[] = [];
  for (const [file, targets] of importGraph(root, LAYERS)) {
    const from = layerOf(file)!;
    for (const target of targets) {
      const to = layerOf(target);
      if (to !== from && (to === null || !MAY_IMPORT[from]!.includes(to))) out.push(`${file} imports ${target}`);
    }
  }
  return out;
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
  it('every import points down the layers (core knows nothing of demo, app, cli, web, renderer, preload)', () => {
    expect(upwardImports(repo)).toEqual([]);
  });
  it('no import cycles in main/, shared/, demo/, preload/ or renderer/', () => {
    expect(importCycles(importGraph(repo, CYCLE_FREE))).toEqual([]);
  });
  it('main/core, main/cli and main/web never import electron', () => {
    expect(['main/core', 'main/cli', 'main/web'].flatMap((d) => violations(d, isElectron))).toEqual([]);
  });
  it('shared imports neither electron nor Node built-ins', () => {
    expect(violations('shared', (s) => isElectron(s) || isNode(s))).toEqual([]);
  });
  it('renderer never imports node built-ins or electron', () => {
    expect(violations('renderer', (s) => isElectron(s) || isNode(s))).toEqual([]);
  });
  it('only main/app and preload import electron', () => {
    const all = ['shared', 'main/core', 'main/cli', 'main/web', 'renderer', 'demo'].flatMap((d) => violations(d, isElectron));
    expect(all).toEqual([]);
  });
});

describe('the layering checker', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  function tree(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), 'layering-'));
    dirs.push(root);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it('flags core importing the demo (the start-app-service case)', () => {
    const root = tree({
      'main/core/jobs/start.ts': "import { startDemoMirror, type DemoMirror } from '../../../demo/demo-mirror';\n",
      'demo/demo-mirror.ts': "import type { Clock } from '../main/core/ports';\n",
      'main/core/ports.ts': 'export interface Clock {}\n',
    });
    expect(upwardImports(root)).toEqual(['main/core/jobs/start.ts imports demo/demo-mirror.ts']);
  });

  it('flags core importing a host, and the renderer importing main/', () => {
    const root = tree({
      'main/core/a.ts': "export { x } from '../web/web-host';\n",
      'main/web/web-host.ts': 'export const x = 1;\n',
      'renderer/App.tsx': "const m = await import('../main/core/a');\n",
    });
    expect(upwardImports(root).sort()).toEqual(['main/core/a.ts imports main/web/web-host.ts', 'renderer/App.tsx imports main/core/a.ts']);
  });

  it('finds a cycle made of a type import one way and a value import the other (the aws-profile case)', () => {
    const root = tree({
      'main/core/sources/aws-profile.ts': "import type { S3SourceOptions } from './s3-source';\nexport const f = 1;\n",
      'main/core/sources/s3-source.ts': "import { f } from './aws-profile';\nexport interface S3SourceOptions {}\n",
      'main/core/sources/index.ts': "export * from './s3-source';\n",
    });
    expect(importCycles(importGraph(root, ['main']))).toEqual([
      expect.stringMatching(/^main\/core\/sources\/(aws-profile|s3-source)\.ts -> .+ -> main\/core\/sources\/\1\.ts$/),
    ]);
  });

  it('finds a longer cycle through a folder index, and none in a tree without one', () => {
    const cyclic = tree({
      'main/core/a.ts': "import { b } from './store';\nexport const a = 1;\n",
      'main/core/store/index.ts': "export { b } from './b';\n",
      'main/core/store/b.ts': "import { a } from '../a';\nexport const b = a;\n",
    });
    expect(importCycles(importGraph(cyclic, ['main']))).toHaveLength(1);
    expect(importCycles(importGraph(cyclic, ['main']))[0]!.split(' -> ')).toHaveLength(4);
    const acyclic = tree({
      'main/core/a.ts': "import { b } from './store';\n",
      'main/core/store/index.ts': "export { b } from './b';\n",
      'main/core/store/b.ts': 'export const b = 1;\n',
    });
    expect(importCycles(importGraph(acyclic, ['main']))).toEqual([]);
  });
});
