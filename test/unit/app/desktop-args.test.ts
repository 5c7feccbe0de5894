import { describe, expect, it } from 'vitest';
import { parseDesktopArgs } from '../../../main/app/desktop-backend';

describe('desktop command line', () => {
  it('reads manifests, root and config dir, ignoring Chromium switches', () => {
    expect(
      parseDesktopArgs(['--no-sandbox', '--manifest', 'a.toml', '--manifest=b.json', '--root', '/models', '--enable-logging', 'stray'], {}),
    ).toEqual({ manifests: ['a.toml', 'b.json'], root: '/models', demo: true });
  });

  it('falls back to MODELS_MANIFEST and MODELS_ROOT, and starts the demo when nothing is configured', () => {
    expect(parseDesktopArgs([], { MODELS_MANIFEST: '/m.toml', MODELS_ROOT: '/r' })).toEqual({
      manifests: ['/m.toml'],
      root: '/r',
      demo: true,
    });
    expect(parseDesktopArgs([], {})).toEqual({ manifests: [], demo: true });
    expect(parseDesktopArgs(['--no-demo', '--config-dir', '/c'], {})).toEqual({ manifests: [], configDir: '/c', demo: false });
  });
});
