/**
 * Where models live when the user has not chosen a folder: the platform's per-user data folder
 * (XDG on Linux). `MODELS_ROOT` always wins so scripts and CI can point anywhere.
 */
import os from 'node:os';
import path from 'node:path';

export const APP_FOLDER = 'model-orchestrator';

export function defaultModelsRoot(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  if (env.MODELS_ROOT) return env.MODELS_ROOT;
  switch (platform) {
    case 'darwin':
      return path.posix.join(home, 'Library', 'Application Support', APP_FOLDER);
    case 'win32': {
      const base = env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local');
      return path.win32.join(base, APP_FOLDER);
    }
    default: {
      // XDG: a relative XDG_DATA_HOME is invalid and must be ignored.
      const xdg = env.XDG_DATA_HOME;
      if (xdg && path.posix.isAbsolute(xdg)) return path.posix.join(xdg, APP_FOLDER);
      return path.posix.join(home, '.local', 'share', APP_FOLDER);
    }
  }
}
