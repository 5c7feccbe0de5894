/**
 * Builds the renderer (renderer/ -> dist/renderer/) for both the Electron app (app:// origin)
 * and the localhost web host. Relative asset URLs work under either origin; no inline
 * scripts are emitted, so the strict CSP (script-src 'self') holds.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const at = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig(({ mode }) => ({
  // Vite takes NODE_ENV from the calling process when set (vitest sets "test"), which would ship
  // React's development build and the dev JSX runtime; the bundle's mode decides instead.
  define: { 'process.env.NODE_ENV': JSON.stringify(mode === 'production' ? 'production' : 'development') },
  oxc: { jsx: { runtime: 'automatic', development: mode !== 'production' } },
  root: at('./renderer'),
  base: './',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: at('./dist/renderer'),
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
}));
