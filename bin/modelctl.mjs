#!/usr/bin/env node
/**
 * The installed `modelctl`. Runs the bundle built by `npm run build` (dist/cli/modelctl.mjs);
 * in a checkout that was never built, runs the TypeScript source through tsx instead so
 * `modelctl` works right after `npm ci`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const bundle = join(repo, 'dist', 'cli', 'modelctl.mjs');

if (existsSync(bundle)) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(repo, 'main', 'cli', 'modelctl.ts')).href);
}
