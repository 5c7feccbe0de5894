/**
 * The same end-to-end specs run against each way the UI is shipped: the localhost web host
 * in Debian's Chromium, and the real Electron app where its binary exists. A target starts a
 * fresh app on a given models root and config folder and hands back a Playwright page.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { _electron, chromium, type Browser, type Page } from 'playwright-core';
import { startWebApp } from '../../../main/web/web-app';
import { ensureRendererBuilt, REPO, RENDERER_DIR } from './renderer-build';

export interface LaunchOptions {
  root: string;
  configDir: string;
  /** Settings written before start (settings.json format of SettingsStore). */
  settings?: Record<string, unknown>;
  colorScheme?: 'light' | 'dark';
}

export interface LaunchedApp {
  page: Page;
  close(): Promise<void>;
}

export interface E2ETarget {
  name: 'web' | 'electron';
  /** Why this target cannot run here, or null when it can. */
  unavailableReason(): string | null;
  launch(options: LaunchOptions): Promise<LaunchedApp>;
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

async function writeSettings(options: LaunchOptions): Promise<void> {
  if (!options.settings) return;
  await mkdir(options.configDir, { recursive: true });
  await writeFile(join(options.configDir, 'settings.json'), JSON.stringify({ version: 1, ...options.settings }));
}

let sharedBrowser: Browser | null = null;

const webTarget: E2ETarget = {
  name: 'web',
  unavailableReason: () => (existsSync(CHROMIUM_PATH) ? null : `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium).`),
  async launch(options) {
    await ensureRendererBuilt();
    await writeSettings(options);
    const web = await startWebApp({ root: options.root, configDir: options.configDir, demo: false, port: 0, rendererDir: RENDERER_DIR });
    sharedBrowser ??= await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const context = await sharedBrowser.newContext({ viewport: { width: 1280, height: 820 }, colorScheme: options.colorScheme ?? 'light' });
    const page = await context.newPage();
    await page.goto(web.url);
    return {
      page,
      async close() {
        await context.close();
        await web.close();
      },
    };
  },
};

const ELECTRON_PATH = join(REPO, 'node_modules', 'electron', 'dist', 'electron');
const ELECTRON_MAIN = join(REPO, 'dist', 'app', 'main.cjs');

const electronTarget: E2ETarget = {
  name: 'electron',
  unavailableReason: () =>
    !existsSync(ELECTRON_PATH)
      ? `the Electron binary is not installed (${ELECTRON_PATH} is missing; it cannot be downloaded here).`
      : !existsSync(ELECTRON_MAIN)
        ? `the app is not built (${ELECTRON_MAIN} is missing; run npm run build).`
        : null,
  async launch(options) {
    await writeSettings(options);
    const app = await _electron.launch({
      executablePath: ELECTRON_PATH,
      // Chromium refuses to start its sandbox as root (CI containers); elsewhere the app runs as shipped.
      args: [
        ELECTRON_MAIN,
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        '--root',
        options.root,
        '--config-dir',
        options.configDir,
        '--no-demo',
      ],
      env: { ...process.env, ELECTRON_DISABLE_SECURITY_WARNINGS: '1' },
      colorScheme: options.colorScheme ?? 'light',
    });
    const page = await app.firstWindow();
    await page.setViewportSize({ width: 1280, height: 820 });
    return { page, close: () => app.close() };
  },
};

export const E2E_TARGETS: E2ETarget[] = [webTarget, electronTarget];

/** Closes the browser shared by web launches (call in afterAll). */
export async function closeSharedBrowser(): Promise<void> {
  await sharedBrowser?.close();
  sharedBrowser = null;
}
