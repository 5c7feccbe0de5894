/**
 * The Electron main process: lifecycle, the window, the tray, notifications and the IPC
 * adapter. Deliberately thin — every decision it applies (security flags, CSP, navigation,
 * sender checks, menus, import messages, secrets) is a pure function in this folder with a
 * Node test, and the work itself (queue, orchestrator, hash pool) is main/core's AppService
 * started by desktop-backend.ts. Bundled by scripts/build.mjs to dist/app/main.cjs.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
  type NativeImage,
} from 'electron';
import { join } from 'node:path';
import { API_CALL_CHANNEL, createApiHandlers, handleApiCall, type ApiEvent, type ApiHandlers, type ApiResponse } from '../../shared/api';
import { OrchestratorError, toStructuredError } from '../../shared/errors';
import { drawAppIconPng } from './app-icon';
import { APP_PAGE_URL, APP_SCHEME, navigationDecision, permissionAllowed } from './app-page';
import { serveAppAsset } from './app-protocol';
import { parseDesktopArgs, startDesktopBackend, type DesktopBackend } from './desktop-backend';
import { createIpcCallHandler, forwardApiEvents } from './ipc-adapter';
import { JobBoard } from './job-board';
import { IMPORT_DIALOG_FILTERS, importMessage, readManifestForImport } from './manifest-import';
import { appMenuTemplate, closeBehavior, overallProgress, trayMenuTemplate, trayTooltip } from './menus';
import { safeStorageCodec } from './secret-codec';
import { mainWindowOptions } from './window-options';

const DIST_DIR = join(__dirname, '..'); // dist/app/main.cjs -> dist/
const RENDERER_DIR = join(DIST_DIR, 'renderer');
const PRELOAD_PATH = join(DIST_DIR, 'preload', 'index.cjs');

// Must happen before 'ready': our origin is a secure, standard scheme (fetch, CSP 'self' work).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null;
let quitting = false;
let backend: DesktopBackend | null = null;
let backendFailure: unknown = null;
let toldAboutTray = false;
const jobs = new JobBoard();
let appIcon: NativeImage;

function showWindow(): void {
  if (!app.isReady()) return;
  if (!mainWindow || mainWindow.isDestroyed()) {
    mainWindow = createWindow(); // it shows itself on 'ready-to-show', without a blank frame
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions({ preloadPath: PRELOAD_PATH, icon: appIcon }));
  win.once('ready-to-show', () => win.show());
  win.on('close', (event) => {
    if (closeBehavior({ quitting, hasTray: tray !== null }) === 'hide') {
      event.preventDefault();
      win.hide();
      tellAboutTrayOnce();
    }
  });
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  if (backend) forwardApiEvents(win.webContents, (listener) => backend!.app.subscribe(listener));
  void win.loadURL(APP_PAGE_URL);
  return win;
}

function tellAboutTrayOnce(): void {
  if (toldAboutTray || !Notification.isSupported()) return;
  toldAboutTray = true;
  new Notification({
    title: 'Model Orchestrator is still running',
    body: 'Downloads continue in the background. Use the tray icon to show the window or quit.',
    icon: appIcon,
  }).show();
}

/** Every webContents: no navigation away from our origin, no new windows, no webviews. */
function hardenWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    const guard = (event: { preventDefault(): void; url: string }) => {
      const decision = navigationDecision(event.url);
      if (decision === 'allow') return;
      event.preventDefault();
      if (decision === 'open-external') void shell.openExternal(event.url);
    };
    contents.on('will-navigate', guard);
    contents.on('will-redirect', guard);
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (navigationDecision(url) === 'open-external') void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
  // The page needs no camera, geolocation, notifications...: only "Copy path" (clipboard write).
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(permissionAllowed(permission, details.requestingUrl)),
  );
  session.defaultSession.setPermissionCheckHandler((_wc, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin));
}

function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const res = await serveAppAsset(request.url, RENDERER_DIR);
    return new Response(res.body as BodyInit, { status: res.status, headers: res.headers });
  });
}

/** Calls that arrive before the backend is up wait for it; if it failed they get its error. */
let backendReady: Promise<ApiHandlers>;

function registerIpc(): void {
  let handle: ((event: Electron.IpcMainInvokeEvent, method: unknown, input: unknown) => Promise<ApiResponse>) | null = null;
  ipcMain.handle(API_CALL_CHANNEL, async (event, method: unknown, input: unknown) => {
    try {
      handle ??= createIpcCallHandler(await backendReady);
    } catch (error) {
      return { ok: false, error: toStructuredError(error) };
    }
    return handle(event, method, input);
  });
}

/** The icon the build wrote to dist/icons (fast), else drawn now (same picture). */
function loadIcon(file: string, size: number): NativeImage {
  const image = nativeImage.createFromPath(join(DIST_DIR, 'icons', file));
  return image.isEmpty() ? nativeImage.createFromBuffer(drawAppIconPng(size)) : image;
}

function createTray(): void {
  try {
    tray = new Tray(loadIcon('tray.png', 32).resize({ width: 16, height: 16, quality: 'best' }));
  } catch {
    tray = null; // no system tray on this desktop: closing the window then quits
    return;
  }
  tray.on('click', showWindow);
  refreshTray();
}

function refreshTray(): void {
  if (!tray) return;
  const call = (method: 'pauseAll' | 'resumeAll') => {
    if (backend) void handleApiCall(createApiHandlers(backend.app), method, undefined);
  };
  tray.setContextMenu(
    Menu.buildFromTemplate(
      trayMenuTemplate(jobs.jobs(), {
        show: showWindow,
        pauseAll: () => call('pauseAll'),
        resumeAll: () => call('resumeAll'),
        quit: () => app.quit(),
      }),
    ),
  );
  tray.setToolTip(trayTooltip(jobs.jobs()));
}

let progressTimer: NodeJS.Timeout | null = null;

function onBackendEvent(event: ApiEvent): void {
  if (event.type === 'notification' && Notification.isSupported()) {
    const n = new Notification({ title: event.notification.title, body: event.notification.body, icon: appIcon });
    n.on('click', showWindow);
    n.show();
  }
  if (jobs.apply(event)) {
    refreshTray();
    showProgressOnIcon();
  } else if (event.type === 'job' && !progressTimer) {
    // Progress arrives several times a second; tooltip and taskbar need about one update a second.
    progressTimer = setTimeout(() => {
      progressTimer = null;
      tray?.setToolTip(trayTooltip(jobs.jobs()));
      showProgressOnIcon();
    }, 1000);
  }
}

/** The taskbar (Windows, Linux Unity) or dock (macOS) icon shows the overall download progress. */
function showProgressOnIcon(): void {
  if (!mainWindow || mainWindow.isDestroyed()) return;
  mainWindow.setProgressBar(overallProgress(jobs.jobs()) ?? -1);
}

async function importFromDialog(): Promise<void> {
  const owner = mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined;
  const choice = owner
    ? await dialog.showOpenDialog(owner, { title: 'Import manifest', properties: ['openFile'], filters: IMPORT_DIALOG_FILTERS })
    : await dialog.showOpenDialog({ title: 'Import manifest', properties: ['openFile'], filters: IMPORT_DIALOG_FILTERS });
  const path = choice.filePaths[0];
  if (choice.canceled || !path) return;
  let box: ReturnType<typeof importMessage>;
  try {
    if (!backend) throw backendFailure ?? new OrchestratorError('UNKNOWN_ERROR', 'The app is still starting. Try again in a moment.');
    const response = await handleApiCall(createApiHandlers(backend.app), 'importManifest', await readManifestForImport(path));
    box = response.ok
      ? importMessage(response.result as Parameters<typeof importMessage>[0])
      : { type: 'error', message: 'The manifest was not imported.', detail: response.error.message };
  } catch (error) {
    box = { type: 'error', message: 'The manifest was not imported.', detail: toStructuredError(error).message };
  }
  const options = { type: box.type, message: box.message, detail: box.detail, buttons: ['OK'] };
  if (owner) await dialog.showMessageBox(owner, options);
  else await dialog.showMessageBox(options);
}

function installAppMenu(): void {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      appMenuTemplate(process.platform, {
        importManifest: () => void importFromDialog(),
        closeWindow: () => mainWindow?.close(),
        quit: () => app.quit(),
        openExternal: (url) => {
          if (navigationDecision(url) === 'open-external') void shell.openExternal(url);
        },
      }),
    ),
  );
}

async function startBackend(): Promise<ApiHandlers> {
  // Electron's argv: [exe, args...] when packaged, [electron, main.cjs, args...] in development.
  const args = parseDesktopArgs(process.argv.slice(app.isPackaged ? 1 : 2));
  const codec = safeStorageCodec(safeStorage);
  backend = await startDesktopBackend({
    ...args,
    version: app.getVersion(),
    ...(codec ? { secretCodec: codec } : {}),
    openPath: async (path) => {
      const problem = await shell.openPath(path);
      if (problem) throw new OrchestratorError('FILESYSTEM_ERROR', `Could not open ${path}: ${problem}`, { path });
    },
  });
  backend.app.subscribe(onBackendEvent);
  jobs.replaceAll(backend.app.listJobs());
  for (const win of BrowserWindow.getAllWindows()) {
    forwardApiEvents(win.webContents, (listener) => backend!.app.subscribe(listener));
  }
  return { ...createApiHandlers(backend.app), chooseFolder: chooseFolderWithDialog };
}

/** The desktop answer to `chooseFolder`: the system's folder picker, over the main window. */
async function chooseFolderWithDialog(input: { title?: string }): Promise<{ path: string | null }> {
  const owner = mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined;
  const options: Electron.OpenDialogOptions = { title: input.title ?? 'Choose a folder', properties: ['openDirectory'] };
  const choice = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
  return { path: choice.canceled ? null : (choice.filePaths[0] ?? null) };
}

async function onReady(): Promise<void> {
  appIcon = loadIcon('icon.png', 256);
  if (process.platform === 'win32') app.setAppUserModelId('io.github.model-orchestrator');
  hardenWebContents();
  serveRenderer();
  installAppMenu();
  backendReady = startBackend();
  backendReady.catch((error: unknown) => {
    backendFailure = error;
    const e = toStructuredError(error);
    dialog.showErrorBox('Model Orchestrator could not start', `${e.code}: ${e.message}`);
  });
  registerIpc();
  createTray();
  showWindow();
}

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the models root and the downloads; it shows its window instead.
  app.quit();
} else {
  app.on('second-instance', showWindow);
  app.on('activate', showWindow); // macOS: clicking the dock icon
  app.on('before-quit', () => {
    quitting = true;
  });
  // Closing the last window keeps downloads running while the tray can bring it back.
  app.on('window-all-closed', () => {
    if (!tray) app.quit();
  });
  let shutdown: Promise<void> | null = null;
  app.on('will-quit', (event) => {
    if (!backend || shutdown) return;
    event.preventDefault();
    // Pause downloads (partial data stays for next time) and stop the demo mirror, then really quit.
    shutdown = backend
      .close()
      .catch(() => undefined)
      .finally(() => {
        backend = null;
        tray?.destroy();
        app.quit();
      });
  });
  app.whenReady().then(onReady, (error: unknown) => {
    dialog.showErrorBox('Model Orchestrator could not start', String(error));
    app.exit(1);
  });
}
