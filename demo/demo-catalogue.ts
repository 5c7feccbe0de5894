/**
 * The offline demo as a startup catalogue: the hosts (desktop app, web host) hand this to the
 * core's startAppService so that, with no manifest given, the app opens on the demo mirror's
 * models. Its files and manifest live in `<models root>/.state/demo-mirror`.
 */
import { join } from 'node:path';
import type { StartupCatalogue } from '../main/core/jobs/start-app-service';
import { startDemoMirror, type DemoMirror } from './demo-mirror';

export const DEMO_CATALOGUE_NAME = 'Demo catalogue';

export type DemoCatalogue = DemoMirror & StartupCatalogue;

export interface DemoCatalogueTuning {
  /** Bandwidth of the demo mirror (bytes/s; 0 = unlimited); default the mirror's own. */
  bytesPerSecond?: number;
  /** Scales the generated files (tests make them small). */
  sizeScale?: number;
}

/** The `catalogueWhenEmpty` of startAppService that starts the demo mirror for a models root. */
export function demoCatalogue(tuning: DemoCatalogueTuning = {}): (root: string) => Promise<DemoCatalogue> {
  return async (root) => {
    const mirror = await startDemoMirror({
      dir: join(root, '.state', 'demo-mirror'),
      ...(tuning.bytesPerSecond !== undefined ? { bytesPerSecond: tuning.bytesPerSecond } : {}),
      ...(tuning.sizeScale !== undefined ? { sizeScale: tuning.sizeScale } : {}),
    });
    return { ...mirror, name: DEMO_CATALOGUE_NAME };
  };
}
