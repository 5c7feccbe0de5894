#!/usr/bin/env node
/**
 * Builds everything `npm start`, `npm test` and `npm run dist` need, fast (esbuild + vite):
 *   renderer/            -> dist/renderer/           (vite, the UI engineer's vite.config.ts)
 *   main/app/main.ts     -> dist/app/main.cjs        (Electron main: cjs, only electron external)
 *   preload/index.ts     -> dist/preload/index.cjs   (sandboxed preload: cjs, only electron external)
 *   main/cli/modelctl.ts -> dist/cli/modelctl.mjs    (the installed `modelctl`)
 *   main/web/serve.ts    -> dist/web/serve.mjs       (the localhost web host)
 *   the app icon         -> dist/icons/icon.png (+ tray icon), drawn by main/app/app-icon.ts
 * Entries that do not exist yet are skipped with a message, so a partial tree still builds.
 * Never downloads anything.
 */
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(repo, 'dist');
const at = (...p) => join(repo, ...p);
const started = Date.now();

/** In a cjs bundle `import.meta.url` is empty; workers located with `new URL(..., import.meta.url)` need it. */
const cjsImportMetaUrl = {
  banner: { js: 'const __bundleImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__bundleImportMetaUrl', 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: repo,
};

/** Each target: [source, options]; skipped when the source does not exist yet. */
const targets = [
  {
    name: 'Electron main',
    entry: 'main/app/main.ts',
    options: { ...common, ...cjsImportMetaUrl, format: 'cjs', outfile: at('dist/app/main.cjs'), external: ['electron'] },
    workerDir: 'dist/app',
  },
  {
    name: 'preload',
    entry: 'preload/index.ts',
    // A sandboxed preload may require only `electron` (and no Node built-ins): bundle everything else.
    options: {
      ...common,
      platform: 'browser',
      target: 'chrome130',
      format: 'cjs',
      minify: true,
      outfile: at('dist/preload/index.cjs'),
      external: ['electron'],
    },
  },
  {
    name: 'modelctl',
    entry: 'main/cli/modelctl.ts',
    // npm installs the dependencies next to the installed bin, so they stay external (no ESM/CJS interop surprises).
    options: { ...common, format: 'esm', outfile: at('dist/cli/modelctl.mjs'), packages: 'external' },
    workerDir: 'dist/cli',
  },
  {
    name: 'web host',
    entry: 'main/web/serve.ts',
    options: { ...common, format: 'esm', outfile: at('dist/web/serve.mjs'), packages: 'external' },
    workerDir: 'dist/web',
  },
];

/** Worker scripts the hash pool loads from beside its module (plain .mjs/.cjs/.js files). */
function workerFiles() {
  const dir = at('main/core/hash');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /\.(mjs|cjs|js)$/.test(n))
    .map((n) => join(dir, n));
}

async function buildRenderer() {
  if (!existsSync(at('vite.config.ts'))) {
    console.log('build: renderer skipped (vite.config.ts does not exist yet).');
    return;
  }
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: at('vite.config.ts'), logLevel: 'warn' });
}

async function buildBundle(target) {
  if (!existsSync(at(target.entry))) {
    console.log(`build: ${target.name} skipped (${target.entry} does not exist yet).`);
    return;
  }
  await build({ entryPoints: [at(target.entry)], ...target.options });
  if (target.workerDir) {
    mkdirSync(at(target.workerDir), { recursive: true });
    for (const file of workerFiles()) copyFileSync(file, join(at(target.workerDir), file.split(/[\\/]/).pop()));
  }
}

/** Draws the app and tray icons with our own drawing code (no copied assets). */
async function buildIcons() {
  const source = at('main/app/app-icon.ts');
  if (!existsSync(source)) return;
  const tmp = join(dist, '.build', 'app-icon.mjs');
  await build({ ...common, sourcemap: false, entryPoints: [source], format: 'esm', outfile: tmp });
  const { drawAppIconPng } = await import(`${pathToFileURL(tmp).href}?t=${Date.now()}`);
  mkdirSync(join(dist, 'icons'), { recursive: true });
  writeFileSync(join(dist, 'icons', 'icon.png'), drawAppIconPng(512));
  writeFileSync(join(dist, 'icons', 'tray.png'), drawAppIconPng(32));
}

try {
  await Promise.all([buildRenderer(), ...targets.map(buildBundle), buildIcons()]);
  console.log(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s -> ${relative(process.cwd(), dist) || 'dist'}/`);
} catch (error) {
  // esbuild and vite already printed the located errors; say what failed in one line.
  console.error(`build: failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  process.exit(1);
}
