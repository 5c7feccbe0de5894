/**
 * The tray menu, the tray tooltip and the application menu as plain templates (Electron's
 * MenuItemConstructorOptions) built from the current jobs and a set of actions, so tests check
 * what the user sees without Electron. `Menu.buildFromTemplate` happens in main.ts.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { JobProgress } from '../../shared/results';

export interface TrayActions {
  show(): void;
  pauseAll(): void;
  resumeAll(): void;
  quit(): void;
}

export interface JobCounts {
  active: number;
  paused: number;
  queued: number;
}

export function countJobs(jobs: readonly JobProgress[]): JobCounts {
  let active = 0,
    paused = 0,
    queued = 0;
  for (const job of jobs) {
    if (job.state === 'running' || job.state === 'verifying') active++;
    else if (job.state === 'paused') paused++;
    else if (job.state === 'queued') queued++;
  }
  return { active, paused, queued };
}

/** "Model Orchestrator — 2 downloading, 1 paused (45%)" or just the name when idle. */
export function trayTooltip(jobs: readonly JobProgress[]): string {
  const { active, paused, queued } = countJobs(jobs);
  const parts: string[] = [];
  if (active) parts.push(`${active} downloading`);
  if (queued) parts.push(`${queued} queued`);
  if (paused) parts.push(`${paused} paused`);
  if (!parts.length) return 'Model Orchestrator';
  const live = jobs.filter((j) => j.state !== 'done' && j.state !== 'failed' && j.state !== 'cancelled');
  const total = live.reduce((n, j) => n + j.bytesTotal, 0);
  const done = live.reduce((n, j) => n + j.bytesDone, 0);
  const percent = total > 0 ? ` (${Math.floor((done / total) * 100)}%)` : '';
  return `Model Orchestrator — ${parts.join(', ')}${percent}`;
}

/**
 * Overall progress of the live downloads for the taskbar / dock icon: a fraction from 0 to 1,
 * or null when nothing is downloading (the bar is removed).
 */
export function overallProgress(jobs: readonly JobProgress[]): number | null {
  const live = jobs.filter((j) => j.state === 'running' || j.state === 'verifying' || j.state === 'queued' || j.state === 'paused');
  if (!live.some((j) => j.state !== 'paused')) return null;
  const total = live.reduce((n, j) => n + j.bytesTotal, 0);
  if (total <= 0) return 0;
  return Math.min(1, live.reduce((n, j) => n + j.bytesDone, 0) / total);
}

export function trayMenuTemplate(jobs: readonly JobProgress[], actions: TrayActions): MenuItemConstructorOptions[] {
  const { active, paused, queued } = countJobs(jobs);
  return [
    { label: 'Show Model Orchestrator', click: () => actions.show() },
    { type: 'separator' },
    { label: 'Pause all', enabled: active + queued > 0, click: () => actions.pauseAll() },
    { label: 'Resume all', enabled: paused > 0, click: () => actions.resumeAll() },
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
}

export interface AppMenuActions {
  importManifest(): void;
  closeWindow(): void;
  quit(): void;
  openExternal(url: string): void;
}

export const HF_TOKENS_URL = 'https://huggingface.co/settings/tokens';

export function appMenuTemplate(platform: NodeJS.Platform, actions: AppMenuActions): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Import Manifest…', accelerator: 'CmdOrCtrl+O', click: () => actions.importManifest() },
      { type: 'separator' },
      // Closing the window keeps downloads running in the tray; Quit stops them.
      { label: 'Close Window', accelerator: 'CmdOrCtrl+W', click: () => actions.closeWindow() },
      ...(isMac
        ? []
        : ([
            { type: 'separator' },
            { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() },
          ] as MenuItemConstructorOptions[])),
    ],
  };
  const help: MenuItemConstructorOptions = {
    label: '&Help',
    submenu: [{ label: 'Hugging Face Access Tokens', click: () => actions.openExternal(HF_TOKENS_URL) }],
  };
  return [
    ...(isMac
      ? ([
          {
            label: 'Model Orchestrator',
            submenu: [
              { role: 'about' },
              { type: 'separator' },
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              { type: 'separator' },
              { label: 'Quit Model Orchestrator', accelerator: 'Cmd+Q', click: () => actions.quit() },
            ],
          },
        ] as MenuItemConstructorOptions[])
      : []),
    file,
    { role: 'editMenu' }, // copy/paste into the token fields
    {
      label: '&View',
      submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
    },
    { role: 'windowMenu' },
    help,
  ];
}

/** Closing the window hides it while a tray icon can bring it back; otherwise the window really closes. */
export function closeBehavior(state: { quitting: boolean; hasTray: boolean }): 'hide' | 'close' {
  return !state.quitting && state.hasTray ? 'hide' : 'close';
}
