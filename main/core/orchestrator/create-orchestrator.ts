/**
 * An Orchestrator with the real collaborators filled in where the caller gave none: a worker
 * hash pool sized to the machine, the segmented resumable Downloader (with the speed limit and
 * retries from settings), the source resolver, the system clock and the disk probe.
 */
import { Downloader } from '../download/downloader';
import { createHashPool } from '../hash/hash-pool';
import { createSourceResolver, type SourceResolverOptions } from '../sources/index';
import { ModelsRoot } from '../store/models-root';
import { createDiskProbe } from '../system/disk-probe';
import { systemClock } from '../system/system-clock';
import { Orchestrator, type OrchestratorOptions } from './orchestrator';
import { withDefaultSettings } from './orchestrator-settings';

export interface CreateOrchestratorOptions extends OrchestratorOptions {
  /** How the default source resolver reaches local mirrors, S3 and the Hugging Face Hub. */
  sources?: SourceResolverOptions;
}

export function createOrchestrator(options: CreateOrchestratorOptions): Orchestrator {
  const settings = withDefaultSettings(options.settings);
  const clock = options.clock ?? systemClock;
  const ownsHashPool = !options.hashPool;
  const hashPool = options.hashPool ?? createHashPool();
  let ownedDownloader: Downloader | null = null;
  const downloader =
    options.downloader ??
    (ownedDownloader = new Downloader({
      partialDir: new ModelsRoot(options.root).partialDir,
      hashPool,
      clock,
      ...(settings.maxBytesPerSecond !== undefined ? { maxBytesPerSecond: settings.maxBytesPerSecond } : {}),
      ...(settings.retries !== undefined ? { retries: settings.retries } : {}),
    }));
  const previousClose = options.onClose;
  return new Orchestrator({
    ...options,
    clock,
    hashPool,
    downloader,
    sourceResolver: options.sourceResolver ?? createSourceResolver(options.sources ?? {}),
    diskProbe: options.diskProbe ?? createDiskProbe(),
    ownsHashPool: options.ownsHashPool ?? ownsHashPool,
    onClose: async () => {
      await previousClose?.();
      await ownedDownloader?.close();
    },
  });
}
