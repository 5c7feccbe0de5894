/**
 * What the desktop app runs in its main process, behind the window: the AppService (download
 * queue, settings, manifests, orchestrator with its hash pool) over the startup manifests —
 * or, when none is configured, the offline demo mirror and its catalogue, exactly like the
 * web host does, so both show the same models root and settings. Pure Node: no electron here,
 * main.ts passes in what only Electron has (keychain codec, openPath).
 */
import { parseArgs } from 'node:util';
import type { ModelServiceFactory } from '../core/jobs/app-service';
import type { SecretCodec } from '../core/jobs/settings-store';
import { startAppService, type RunningAppService } from '../core/jobs/start-app-service';
import { DEMO_CATALOGUE_NAME, demoCatalogue, type DemoCatalogue } from '../../demo/demo-catalogue';

export interface DesktopArgs {
  manifests: string[];
  root?: string;
  configDir?: string;
  demo: boolean;
}

/**
 * Reads our options from the command line (`--manifest FILE` repeatable, `--root DIR`,
 * `--config-dir DIR`, `--no-demo`) and the environment (MODELS_MANIFEST, MODELS_ROOT).
 * Anything else (Chromium switches, a file path from the OS) is ignored, never fatal.
 */
export function parseDesktopArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): DesktopArgs {
  const { values } = parseArgs({
    args: [...args],
    strict: false,
    allowPositionals: true,
    options: {
      manifest: { type: 'string', multiple: true },
      root: { type: 'string' },
      'config-dir': { type: 'string' },
      'no-demo': { type: 'boolean' },
    },
  });
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : []);
  const one = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const manifests = strings(values.manifest);
  if (!manifests.length && env.MODELS_MANIFEST) manifests.push(env.MODELS_MANIFEST);
  const root = one(values.root) ?? (env.MODELS_ROOT || undefined);
  const configDir = one(values['config-dir']);
  return { manifests, demo: values['no-demo'] !== true, ...(root ? { root } : {}), ...(configDir ? { configDir } : {}) };
}

export interface DesktopBackendOptions extends Partial<DesktopArgs> {
  version?: string;
  secretCodec?: SecretCodec;
  openPath?: (path: string) => Promise<void>;
  createModelService?: ModelServiceFactory;
  /** Demo mirror tuning (tests make it small and fast). */
  demoBytesPerSecond?: number;
  demoSizeScale?: number;
}

export interface DesktopBackend extends RunningAppService<DemoCatalogue> {
  /** The offline demo mirror, started when no manifest was given (unless `demo` is false). */
  demo: DemoCatalogue | null;
}

export { DEMO_CATALOGUE_NAME };

export async function startDesktopBackend(options: DesktopBackendOptions = {}): Promise<DesktopBackend> {
  const { manifests, root, configDir, demo, demoBytesPerSecond, demoSizeScale, ...rest } = options;
  const running = await startAppService({
    ...rest,
    host: 'electron',
    ...(manifests ? { manifests } : {}),
    ...(root ? { root } : {}),
    ...(configDir ? { configDir } : {}),
    ...(demo !== false
      ? {
          catalogueWhenEmpty: demoCatalogue({
            ...(demoBytesPerSecond !== undefined ? { bytesPerSecond: demoBytesPerSecond } : {}),
            ...(demoSizeScale !== undefined ? { sizeScale: demoSizeScale } : {}),
          }),
        }
      : {}),
  });
  return { ...running, demo: running.catalogue };
}
