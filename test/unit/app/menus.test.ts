import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { JobProgress, JobState } from '../../../shared/results';
import { appMenuTemplate, closeBehavior, HF_TOKENS_URL, overallProgress, trayMenuTemplate, trayTooltip } from '../../../main/app/menus';
import { JobBoard } from '../../../main/app/job-board';

function job(jobId: string, state: JobState, bytesDone = 0, bytesTotal = 100): JobProgress {
  return { jobId, id: `m-${jobId}`, variant: 'default', state, bytesDone, bytesTotal, speed: 0, etaSeconds: null, files: [] };
}

function item(template: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions {
  const found = template.find((i) => i.label === label);
  if (!found) throw new Error(`no menu item "${label}" in ${template.map((i) => i.label ?? i.role ?? i.type).join(', ')}`);
  return found;
}

function click(i: MenuItemConstructorOptions): void {
  (i.click as unknown as () => void)();
}

describe('tray', () => {
  it('offers Show, Pause all, Resume all and Quit, each doing what it says', () => {
    const done: string[] = [];
    const actions = {
      show: () => done.push('show'),
      pauseAll: () => done.push('pause'),
      resumeAll: () => done.push('resume'),
      quit: () => done.push('quit'),
    };
    const menu = trayMenuTemplate([job('a', 'running'), job('b', 'paused')], actions);
    expect(menu.filter((i) => i.label).map((i) => i.label)).toEqual(['Show Model Orchestrator', 'Pause all', 'Resume all', 'Quit']);
    for (const label of ['Show Model Orchestrator', 'Pause all', 'Resume all', 'Quit']) click(item(menu, label));
    expect(done).toEqual(['show', 'pause', 'resume', 'quit']);
  });

  it('enables Pause all only with running or queued jobs and Resume all only with paused ones', () => {
    const noop = { show() {}, pauseAll() {}, resumeAll() {}, quit() {} };
    const idle = trayMenuTemplate([job('a', 'done')], noop);
    expect(item(idle, 'Pause all').enabled).toBe(false);
    expect(item(idle, 'Resume all').enabled).toBe(false);
    const paused = trayMenuTemplate([job('a', 'paused')], noop);
    expect(item(paused, 'Pause all').enabled).toBe(false);
    expect(item(paused, 'Resume all').enabled).toBe(true);
    const queued = trayMenuTemplate([job('a', 'queued')], noop);
    expect(item(queued, 'Pause all').enabled).toBe(true);
  });

  it('sums up live downloads in the tooltip', () => {
    expect(trayTooltip([])).toBe('Model Orchestrator');
    expect(trayTooltip([job('a', 'done', 100, 100)])).toBe('Model Orchestrator');
    expect(trayTooltip([job('a', 'running', 30, 100), job('b', 'paused', 60, 100), job('c', 'done', 100, 100)])).toBe(
      'Model Orchestrator — 1 downloading, 1 paused (45%)',
    );
  });

  it('shows overall progress on the taskbar icon while something downloads, and removes it after', () => {
    expect(overallProgress([])).toBeNull();
    expect(overallProgress([job('a', 'done', 100, 100)])).toBeNull();
    expect(overallProgress([job('a', 'paused', 50, 100)])).toBeNull();
    expect(overallProgress([job('a', 'running', 25, 100), job('b', 'queued', 0, 100)])).toBe(0.125);
    expect(overallProgress([job('a', 'queued', 0, 0)])).toBe(0);
  });

  it('keeps the job counts from pushed events and says when the menu must change', () => {
    const board = new JobBoard();
    expect(board.apply({ type: 'job', job: job('a', 'queued') })).toBe(true);
    expect(board.apply({ type: 'job', job: job('a', 'running', 10) })).toBe(true);
    expect(board.apply({ type: 'job', job: job('a', 'running', 20) })).toBe(false); // progress only
    expect(board.apply({ type: 'disk' })).toBe(false);
    expect(board.apply({ type: 'jobRemoved', jobId: 'a' })).toBe(true);
    expect(board.jobs()).toEqual([]);
  });
});

describe('application menu', () => {
  const labels = (t: MenuItemConstructorOptions[]) => t.map((i) => i.label ?? i.role);

  it('has File › Import Manifest… with Ctrl/Cmd+O', () => {
    let imported = false;
    const menu = appMenuTemplate('linux', { importManifest: () => (imported = true), closeWindow() {}, quit() {}, openExternal() {} });
    const file = item(menu, '&File').submenu as MenuItemConstructorOptions[];
    const importItem = item(file, 'Import Manifest…');
    expect(importItem.accelerator).toBe('CmdOrCtrl+O');
    click(importItem);
    expect(imported).toBe(true);
    expect(file.some((i) => i.label === 'Quit')).toBe(true);
  });

  it('puts Quit in the app menu on macOS', () => {
    const mac = appMenuTemplate('darwin', { importManifest() {}, closeWindow() {}, quit() {}, openExternal() {} });
    expect(labels(mac)[0]).toBe('Model Orchestrator');
    expect((item(mac, '&File').submenu as MenuItemConstructorOptions[]).some((i) => i.label === 'Quit')).toBe(false);
  });

  it('links to the Hugging Face tokens page through the allowlisted opener', () => {
    const opened: string[] = [];
    const menu = appMenuTemplate('win32', { importManifest() {}, closeWindow() {}, quit() {}, openExternal: (u) => opened.push(u) });
    click((item(menu, '&Help').submenu as MenuItemConstructorOptions[])[0]!);
    expect(opened).toEqual([HF_TOKENS_URL]);
  });
});

describe('closing the window', () => {
  it('hides it to the tray while downloads may run, and really closes when quitting or without a tray', () => {
    expect(closeBehavior({ quitting: false, hasTray: true })).toBe('hide');
    expect(closeBehavior({ quitting: true, hasTray: true })).toBe('close');
    expect(closeBehavior({ quitting: false, hasTray: false })).toBe('close');
  });
});
