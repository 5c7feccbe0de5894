/**
 * What every host (the Electron main process and the localhost web host) starts behind its
 * window: the AppService over the startup manifests or, when none is given, over the offline
 * demo mirror's catalogue, so a newcomer has something real to try without internet.
 */
import { basename, join, resolve } from 'node:path';
import { startDemoMirror, type DemoMirror } from '../../../demo/demo-mirror';
import type { Manifest } from '../../../shared/manifest';
import { loadManifestFile } from '../manifest';
import { defaultModelsRoot } from '../store/default-root';
import { AppService, type AppServiceOptions } from './app-service';
import { createDefaultModelService } from './default-model-service';

export const DEMO_CATALOGUE_NAME = 'Demo catalogue';

export interface StartAppServiceOptions extends Omit<AppServiceOptions, 'root' | 'forcedRoot' | 'manifests' | 'createModelService'> {
  /** Models root chosen for this launch (`--root`, MODELS_ROOT); it wins over the saved setting. Default: the per-user data folder. */
  root?: string;
  /** Manifest files loaded at startup; none means the demo catalogue (unless `demo` is false). */
  manifests?: string[];
  /** Start the offline demo mirror when no manifest is given (default true). */
  demo?: boolean;
  /** Demo mirror tuning (tests make it small and fast). */
  demoBytesPerSecond?: number;
  demoSizeScale?: number;
  createModelService?: AppServiceOptions['createModelService'];
}

export interface RunningAppService {
  app: AppService;
  root: string;
  demo: DemoMirror | null;
  /** Pauses running downloads (their partial data resumes next time) and stops the demo mirror. */
  close(): Promise<void>;
}

export async function startAppService(options: StartAppServiceOptions): Promise<RunningAppService> {
  const {
    root: chosenRoot,
    manifests: manifestPaths = [],
    demo: wantDemo,
    demoBytesPerSecond,
    demoSizeScale,
    createModelService,
    ...rest
  } = options;
  const root = resolve(chosenRoot ?? defaultModelsRoot());
  const manifests: Array<{ name: string; manifest: Manifest }> = [];
  for (const path of manifestPaths) {
    manifests.push({ name: basename(path), manifest: await loadManifestFile(path) });
  }
  let demo: DemoMirror | null = null;
  if (manifests.length === 0 && wantDemo !== false) {
    demo = await startDemoMirror({
      dir: join(root, '.state', 'demo-mirror'),
      ...(demoBytesPerSecond !== undefined ? { bytesPerSecond: demoBytesPerSecond } : {}),
      ...(demoSizeScale !== undefined ? { sizeScale: demoSizeScale } : {}),
    });
    manifests.push({ name: DEMO_CATALOGUE_NAME, manifest: await loadManifestFile(demo.manifestPath) });
  }
  let app: AppService;
  try {
    app = await AppService.create({
      ...rest,
      root,
      ...(chosenRoot ? { forcedRoot: root } : {}),
      manifests,
      createModelService: createModelService ?? createDefaultModelService,
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
        await app.close();
        await demo?.close();
      })()),
  };
}
