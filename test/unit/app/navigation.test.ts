import { describe, expect, it } from 'vitest';
import { APP_PAGE_URL, navigationDecision } from '../../../main/app/app-page';

describe('navigation and new windows', () => {
  it('stays on the app, sends allowlisted https links to the browser, refuses the rest', () => {
    expect(navigationDecision(APP_PAGE_URL)).toBe('allow');
    expect(navigationDecision('https://huggingface.co/stabilityai/sd-turbo')).toBe('open-external');
    expect(navigationDecision('https://evil.example/')).toBe('deny');
    expect(navigationDecision('http://huggingface.co/')).toBe('deny');
    expect(navigationDecision('file:///etc/passwd')).toBe('deny');
    expect(navigationDecision('javascript:alert(1)')).toBe('deny');
  });
});

describe('web permissions', () => {
  it('lets only our page write to the clipboard and refuses everything else', async () => {
    const { permissionAllowed } = await import('../../../main/app/app-page');
    expect(permissionAllowed('clipboard-sanitized-write', 'app://model-orchestrator')).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'app://model-orchestrator/index.html')).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    for (const p of ['clipboard-read', 'media', 'geolocation', 'notifications', 'openExternal', 'fileSystem']) {
      expect(permissionAllowed(p, 'app://model-orchestrator')).toBe(false);
    }
  });
});
