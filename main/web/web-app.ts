/**
 * Everything `npm run web` starts: the AppService over the real orchestrator, the startup
 * manifests (or, without any, the offline demo mirror and its manifest), and the web host.
 * Also what scripts/start.mjs falls back to when Electron is not available.
 */
import { demoCatalogue, type DemoCatalogue } from '../../demo/demo-catalogue';
import type { AppService, ModelServiceFactory } from '../core/jobs/app-service';
import { startAppService } from '../core/jobs/start-app-service';
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
  demo: DemoCatalogue | null;
}

export async function startWebApp(options: WebAppOptions = {}): Promise<WebApp> {
  const { port, rendererDir, token, demo, demoBytesPerSecond, ...appOptions } = options;
  const running = await startAppService({
    ...appOptions,
    host: 'web',
    ...(demo !== false
      ? { catalogueWhenEmpty: demoCatalogue(demoBytesPerSecond !== undefined ? { bytesPerSecond: demoBytesPerSecond } : {}) }
      : {}),
  });
  let host: WebHost;
  try {
    host = await startWebHost({
      service: running.app,
      ...(port !== undefined ? { port } : {}),
      ...(rendererDir ? { rendererDir } : {}),
      ...(token ? { token } : {}),
    });
  } catch (error) {
    await running.close();
    throw error;
  }
  return {
    ...host,
    app: running.app,
    root: running.root,
    demo: running.catalogue,
    async close() {
      await host.close();
      await running.close();
    },
  };
}
