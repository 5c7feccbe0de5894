import { describe, expect, it } from 'vitest';
import { mainWindowOptions } from '../../../main/app/window-options';

describe('main window options', () => {
  it('isolates and sandboxes the renderer, without Node or webviews', () => {
    const options = mainWindowOptions({ preloadPath: '/app/dist/preload/index.cjs' });
    expect(options.webPreferences).toMatchObject({
      preload: '/app/dist/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      navigateOnDragDrop: false,
    });
  });

  it('stays hidden until the first paint', () => {
    expect(mainWindowOptions({ preloadPath: '/p.cjs' }).show).toBe(false);
  });
});
