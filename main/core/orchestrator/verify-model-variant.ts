/**
 * `verify` for one model variant: under its lock, every file is re-hashed against the
 * manifest, and the result is recorded in the variant's state (corrupt, bad files, when).
 */
import type { ModelSpec } from '../../../shared/manifest';
import type { VerificationResult } from '../../../shared/results';
import type { Clock, HashPool, VerifyOptions } from '../ports';
import type { ModelLocks } from '../store/model-locks';
import type { ModelStateStore } from '../store/model-state';
import { verifyModelFiles } from '../store/model-verifier';
import type { ModelsRoot } from '../store/models-root';
import { readMarker } from '../store/verified-marker';
import { pathExists } from '../system/path-exists';

export interface VerifyDeps {
  layout: ModelsRoot;
  locks: ModelLocks;
  states: ModelStateStore;
  clock: Clock;
  hashPool: HashPool;
  lockTimeoutMs: number;
  /** Called once the lock is held and hashing starts. */
  onLocked: () => void;
}

export async function verifyModelVariant(
  deps: VerifyDeps,
  model: ModelSpec,
  variant: string,
  options: VerifyOptions,
): Promise<VerificationResult> {
  const { layout, locks, states, clock } = deps;
  await layout.prepare();
  const lock = await locks.acquire(layout.key(model.id, variant), 'verify', {
    timeoutMs: deps.lockTimeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    what: `${model.id} (${variant})`,
  });
  deps.onLocked();
  try {
    const marker = await readMarker(layout.markerPath(model.id, variant));
    const result = await verifyModelFiles(layout, deps.hashPool, model, variant, marker, options);
    const hasDir = await pathExists(layout.modelDir(model.id, variant));
    await states.update(model.id, variant, {
      corrupt: hasDir && !result.success,
      badFiles: result.success ? [] : [...result.failedFiles, ...result.missingFiles],
      lastVerifiedAt: clock.now(),
      ...(hasDir ? { lastUsed: clock.now() } : {}),
    });
    return result;
  } finally {
    await lock.release();
  }
}
