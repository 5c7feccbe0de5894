/**
 * The main window's options with the security defaults of docs/architecture.md: an isolated,
 * sandboxed renderer without Node, without <webview>, loading only our preload. Kept as a pure
 * function so a test pins every flag (tests never run with weaker security than production).
 */
import type { BrowserWindowConstructorOptions } from 'electron';

export interface MainWindowInput {
  /** Absolute path of dist/preload/index.cjs. */
  preloadPath: string;
  /** Window icon (Linux/Windows); a nativeImage or a path. */
  icon?: BrowserWindowConstructorOptions['icon'];
}

export function mainWindowOptions(input: MainWindowInput): BrowserWindowConstructorOptions {
  return {
    width: 1180,
    height: 780,
    minWidth: 760,
    minHeight: 520,
    title: 'Model Orchestrator',
    // Shown on 'ready-to-show' so the user never sees a blank white frame.
    show: false,
    backgroundColor: '#0f172a',
    ...(input.icon ? { icon: input.icon } : {}),
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  };
}
