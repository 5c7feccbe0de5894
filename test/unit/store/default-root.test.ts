import { describe, expect, it } from 'vitest';
import { defaultModelsRoot } from '../../../main/core/store/default-root';

describe('defaultModelsRoot', () => {
  it('uses $XDG_DATA_HOME on Linux when it is set', () => {
    expect(defaultModelsRoot({ XDG_DATA_HOME: '/data/xdg' }, 'linux', '/home/ann')).toBe('/data/xdg/model-orchestrator');
  });
  it('falls back to ~/.local/share on Linux, ignoring a relative XDG_DATA_HOME', () => {
    expect(defaultModelsRoot({}, 'linux', '/home/ann')).toBe('/home/ann/.local/share/model-orchestrator');
    expect(defaultModelsRoot({ XDG_DATA_HOME: 'rel/dir' }, 'linux', '/home/ann')).toBe('/home/ann/.local/share/model-orchestrator');
  });
  it('uses ~/Library/Application Support on macOS', () => {
    expect(defaultModelsRoot({}, 'darwin', '/Users/ann')).toBe('/Users/ann/Library/Application Support/model-orchestrator');
  });
  it('uses %LOCALAPPDATA% on Windows', () => {
    expect(defaultModelsRoot({ LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, 'win32', 'C:\\Users\\ann')).toBe(
      'C:\\Users\\ann\\AppData\\Local\\model-orchestrator',
    );
  });
  it('lets MODELS_ROOT override every platform default', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(defaultModelsRoot({ MODELS_ROOT: '/srv/models', XDG_DATA_HOME: '/x' }, platform, '/home/ann')).toBe('/srv/models');
    }
  });
});
