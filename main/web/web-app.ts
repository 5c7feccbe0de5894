/**
 * Everything `npm run web` starts: the AppService over the real orchestrator, the startup
 * manifests (or, without any, the offline demo mirror and its manifest), and the web host.
 * Also what scripts/start.mjs falls back to when Electron is not available.
 */
import { basename, join, resolve } from 'node:path';
import { startDemoMirror, type DemoMirror } from '../../demo/demo-mirror';
import type { Manifest } from '../../shared/manifest';
import { AppService, type ModelServiceFactory } from '../core/jobs/app-service';
import { createDefaultModelService } from '../core/jobs/default-model-service';
import { loadManifestFile } from '../core/manifest';
import { defaultModelsRoot } from '../core/store/default-root';
import { startWebHost, type WebHost } from './web-host';

export interface WebAppOptions {
  /** Models root (default: MODELS_ROOT or the per-user data folder). */
  root?: string;
  /** Manifest files loaded at startup; none means the demo catalogue. */
  manifests?: string[];
  port?: number;
  /** Settings and imported manifests (default `<root>/.state/app`). */
  configDir?: string;
  rendererDir?: string;
  token?: string;
  /** Start the offline demo mirror when no manifest is given (default true). */
  demo?: boolean;
  /** Bandwidth of the demo mirror (bytes/s); default the mirror's own. */
  demoBytesPerSecond?: number;
  version?: string;
  createModelService?: ModelServiceFactory;
  progressIntervalMs?: number;
}

export interface WebApp extends WebHost {
  app: AppService;
  root: string;
  demo: DemoMirror | null;
}

export async function startWebApp(options: WebAppOptions = {}): Promise<WebApp> {
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
    });
    manifests.push({ name: 'Demo catalogue', manifest: await loadManifestFile(demo.manifestPath) });
  }
  let app: AppService;
  try {
    app = await AppService.create({
      root,
      // An explicit --root wins over a folder saved in the settings.
      ...(options.root ? { forcedRoot: root } : {}),
      host: 'web',
      manifests,
      createModelService: options.createModelService ?? createDefaultModelService,
      ...(options.configDir ? { configDir: options.configDir } : {}),
      ...(options.version ? { version: options.version } : {}),
      ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
    });
  } catch (error) {
    await demo?.close();
    throw error;
  }
  let host: WebHost;
  try {
    host = await startWebHost({
      service: app,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.rendererDir ? { rendererDir: options.rendererDir } : {}),
      ...(options.token ? { token: options.token } : {}),
    });
  } catch (error) {
    await app.close();
    await demo?.close();
    throw error;
  }
  return {
    ...host,
    app,
    root,
    demo,
    async close() {
      await host.close();
      await app.close();
      await demo?.close();
    },
  };
}
