/**
 * What every host (the Electron main process and the localhost web host) starts behind its
 * window: the AppService over the startup manifests or, when none is given, over a catalogue
 * the host hands in (the offline demo mirror, so a newcomer has something real to try without
 * internet). The core knows nothing of the demo: it only starts and stops what it is given.
 */
import { basename, resolve } from 'node:path';
import type { Manifest } from '../../../shared/manifest';
import { loadManifestFile } from '../manifest';
import { defaultModelsRoot } from '../store/default-root';
import { AppService, type AppServiceOptions } from './app-service';
import { createDefaultModelService } from './default-model-service';

/** A catalogue served for this launch only (a built-in manifest, not removable from the UI). */
export interface StartupCatalogue {
  /** Shown as the manifest's name. */
  name: string;
  /** The manifest file to load. */
  manifestPath: string;
  /** Stops whatever serves the catalogue's files; called when the app service closes. */
  close(): Promise<void>;
}

export interface StartAppServiceOptions<C extends StartupCatalogue = StartupCatalogue> extends Omit<
  AppServiceOptions,
  'root' | 'forcedRoot' | 'manifests' | 'createModelService'
> {
  /** Models root chosen for this launch (`--root`, MODELS_ROOT); it wins over the saved setting. Default: the per-user data folder. */
  root?: string;
  /** Manifest files loaded at startup. */
  manifests?: string[];
  /** Started with the models root when no manifest is given; without it the app starts empty. */
  catalogueWhenEmpty?: (root: string) => Promise<C>;
  createModelService?: AppServiceOptions['createModelService'];
}

export interface RunningAppService<C extends StartupCatalogue = StartupCatalogue> {
  app: AppService;
  root: string;
  /** The catalogue started because no manifest was given, if any. */
  catalogue: C | null;
  /** Pauses running downloads (their partial data resumes next time) and stops the startup catalogue. */
  close(): Promise<void>;
}

export async function startAppService<C extends StartupCatalogue = StartupCatalogue>(
  options: StartAppServiceOptions<C>,
): Promise<RunningAppService<C>> {
  const { root: chosenRoot, manifests: manifestPaths = [], catalogueWhenEmpty, createModelService, ...rest } = options;
  const root = resolve(chosenRoot ?? defaultModelsRoot());
  const manifests: Array<{ name: string; manifest: Manifest }> = [];
  for (const path of manifestPaths) {
    manifests.push({ name: basename(path), manifest: await loadManifestFile(path) });
  }
  let catalogue: C | null = null;
  let app: AppService;
  try {
    if (manifests.length === 0 && catalogueWhenEmpty) {
      catalogue = await catalogueWhenEmpty(root);
      manifests.push({ name: catalogue.name, manifest: await loadManifestFile(catalogue.manifestPath) });
    }
    app = await AppService.create({
      ...rest,
      root,
      ...(chosenRoot ? { forcedRoot: root } : {}),
      manifests,
      createModelService: createModelService ?? createDefaultModelService,
    });
  } catch (error) {
    await catalogue?.close();
    throw error;
  }
  let closed: Promise<void> | null = null;
  return {
    app,
    root,
    catalogue,
    close: () =>
      (closed ??= (async () => {
        await app.close();
        await catalogue?.close();
      })()),
  };
}
