/**
 * The built renderer as the desktop app runs it, in a real browser (Chromium, since the
 * Electron binary cannot exist here): every response carries the app's CSP, the real preload
 * bundle (dist/preload/index.cjs) provides `window.modelOrchestrator`, and its IPC reaches the
 * real IPC adapter over a desktop backend serving the demo catalogue. The page must render
 * the catalogue with no CSP violation and no uncaught error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CALL_CHANNEL, createApiHandlers } from '../../../shared/api';
import { APP_ORIGIN } from '../../../main/app/app-page';
import { serveAppAsset } from '../../../main/app/app-protocol';
import { startDesktopBackend, type DesktopBackend } from '../../../main/app/desktop-backend';
import { createIpcCallHandler, forwardApiEvents } from '../../../main/app/ipc-adapter';

const repo = join(import.meta.dirname, '..', '..', '..');
const rendererDir = join(repo, 'dist', 'renderer');
const preloadBundle = join(repo, 'dist', 'preload', 'index.cjs');
const CHROMIUM = '/usr/bin/chromium';

let dir: string;
let backend: DesktopBackend;
let server: Server;
let origin: string;
let browser: Browser;
let page: Page;
const violations: string[] = [];
const pageErrors: string[] = [];

/**
 * Stands in for Electron's preload environment: `require('electron')` gives a contextBridge
 * that sets the global and an ipcRenderer whose invoke reaches the test's IPC adapter.
 */
const preloadShim = (bundle: string) => `
(() => {
  const listeners = new Map();
  const ipcRenderer = {
    invoke: (channel, ...args) => window.__ipcInvoke(channel, args),
    on: (channel, fn) => { (listeners.get(channel) || listeners.set(channel, new Set()).get(channel)).add(fn); },
    removeListener: (channel, fn) => { listeners.get(channel)?.delete(fn); },
  };
  window.__ipcSend = (channel, payload) => listeners.get(channel)?.forEach((fn) => fn({ sender: ipcRenderer }, payload));
  const electron = { contextBridge: { exposeInMainWorld: (key, api) => { window[key] = api; } }, ipcRenderer };
  const module = { exports: {} };
  const require = (name) => { if (name === 'electron') return electron; throw new Error('preload required ' + name); };
  new Function('require', 'module', 'exports', ${JSON.stringify(bundle)})(require, module, module.exports);
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(e.violatedDirective + ' ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber));
})();`;

beforeAll(async () => {
  if (!existsSync(join(rendererDir, 'index.html')) || !existsSync(preloadBundle)) {
    const build = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { cwd: repo, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
  }
  dir = await mkdtemp(join(tmpdir(), 'renderer-shell-'));
  backend = await startDesktopBackend({ root: join(dir, 'models'), demoSizeScale: 0.005, demoBytesPerSecond: 0 });

  // The app:// protocol handler, reached over http so a stock Chromium can load it.
  server = createServer((req, res) => {
    void serveAppAsset(`${APP_ORIGIN}${req.url ?? '/'}`, rendererDir).then((r) => res.writeHead(r.status, r.headers).end(r.body));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.exposeFunction('__cspViolation', (v: string) => violations.push(v));

  const handle = createIpcCallHandler(createApiHandlers(backend.app));
  await page.exposeBinding('__ipcInvoke', (source, channel: string, args: unknown[]) => {
    expect(channel).toBe(API_CALL_CHANNEL);
    // The frame URL as Electron would report it on our app:// origin.
    const frameUrl = source.frame.url().replace(origin, APP_ORIGIN);
    return handle({ senderFrame: { url: frameUrl } }, args[0], args[1]);
  });
  forwardApiEvents(
    {
      send: (channel, event) =>
        void page
          .evaluate(([c, e]) => (window as unknown as { __ipcSend(c: unknown, e: unknown): void }).__ipcSend(c, e), [channel, event])
          .catch(() => {}),
      isDestroyed: () => page.isClosed(),
      once: () => undefined,
    },
    (listener) => backend.app.subscribe(listener),
  );
  await page.addInitScript({ content: preloadShim(readFileSync(preloadBundle, 'utf8')) });
  await page.goto(`${origin}/index.html`);
});

afterAll(async () => {
  await browser?.close();
  server?.close();
  await backend?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('renderer inside the app shell', () => {
  it('shows the demo catalogue through the preload bridge', async () => {
    for (const id of backend.demo!.modelIds) {
      await page.getByText(id.split('@')[0]!, { exact: false }).first().waitFor();
    }
    expect(await page.evaluate(() => typeof (window as unknown as Record<string, unknown>).modelOrchestrator)).toBe('object');
  });

  it('runs under the strict CSP without a single violation or uncaught error', async () => {
    const csp = await page.evaluate(async () => (await fetch('./index.html')).headers.get('content-security-policy'));
    expect(csp).toContain("script-src 'self'");
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
