/**
 * E2E runs against the built renderer. `npm test` builds it first (scripts/build.mjs); when a
 * spec runs alone, build it here if it is missing or older than its sources. Never rebuilds a
 * fresh build, so tests running in parallel that read dist/renderer are not disturbed.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..', '..');
export const RENDERER_DIR = join(REPO, 'dist', 'renderer');

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), info.mtimeMs);
}

export async function ensureRendererBuilt(): Promise<void> {
  const index = join(RENDERER_DIR, 'index.html');
  const sources = Math.max(
    newestMtime(join(REPO, 'renderer')),
    newestMtime(join(REPO, 'shared')),
    statSync(join(REPO, 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const { build } = await import('vite');
  await build({ configFile: join(REPO, 'vite.config.ts'), logLevel: 'warn' });
}
