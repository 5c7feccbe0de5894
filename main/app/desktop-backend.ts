/**
 * What the desktop app runs in its main process, behind the window: the AppService (download
 * queue, settings, manifests, orchestrator with its hash pool) over the startup manifests —
 * or, when none is configured, the offline demo mirror and its catalogue, exactly like the
 * web host does, so both show the same models root and settings. Pure Node: no electron here,
 * main.ts passes in what only Electron has (keychain codec, openPath).
 */
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startDemoMirror, type DemoMirror } from '../../demo/demo-mirror';
import type { Manifest } from '../../shared/manifest';
import { AppService, type ModelServiceFactory } from '../core/jobs/app-service';
import { createDefaultModelService } from '../core/jobs/default-model-service';
import type { SecretCodec } from '../core/jobs/settings-store';
import { loadManifestFile } from '../core/manifest';
import { defaultModelsRoot } from '../core/store/default-root';

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

export interface DesktopBackend {
  app: AppService;
  root: string;
  demo: DemoMirror | null;
  close(): Promise<void>;
}

export const DEMO_CATALOGUE_NAME = 'Demo catalogue';

export async function startDesktopBackend(options: DesktopBackendOptions = {}): Promise<DesktopBackend> {
  const root = resolve(options.root ?? defaultModelsRoot());
  const manifests: Array<{ name: string; manifest: Manifest }> = [];
  for (const path of options.manifests ?? []) {
    manifests.push({ name: basename(path), manifest: await loadManifestFile(path) });
  }
  let demo: DemoMirror | null = null;
  if (manifests.length === 0 && options.demo !== false) {
    demo = await startDemoMirror({
      dir: join(root, '.state', 'demo-mirror'),
      ...(options.demoBytesPerSecond !== undefined ? { bytesPerSecond: options.demoBytesPerSecond } : {}),
      ...(options.demoSizeScale !== undefined ? { sizeScale: options.demoSizeScale } : {}),
    });
    manifests.push({ name: DEMO_CATALOGUE_NAME, manifest: await loadManifestFile(demo.manifestPath) });
  }
  let app: AppService;
  try {
    app = await AppService.create({
      root,
      host: 'electron',
      manifests,
      createModelService: options.createModelService ?? createDefaultModelService,
      ...(options.configDir ? { configDir: options.configDir } : {}),
      ...(options.version ? { version: options.version } : {}),
      ...(options.secretCodec ? { secretCodec: options.secretCodec } : {}),
      ...(options.openPath ? { openPath: options.openPath } : {}),
    });
  } catch (error) {
    await demo?.close();
    throw error;
  }
  let closed: Promise<void> | null = null;
  return {
    app,
    root,
    demo,
    close: () =>
      (closed ??= (async () => {
        await app.close(); // pauses running downloads; their partial data resumes next time
        await demo?.close();
      })()),
  };
}
