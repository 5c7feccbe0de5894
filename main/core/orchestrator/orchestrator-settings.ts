/**
 * The tunables of one orchestrator and their defaults. Hosts pass a partial set; an undefined
 * value means "use the default", never "unset".
 */
export interface OrchestratorSettings {
  /** Free space kept in reserve beyond what a download needs. */
  safetyMarginBytes: number;
  /** How long ensure/verify wait for another process holding a model's lock. */
  lockTimeoutMs: number;
  /** How long a failed source is skipped for a model. */
  negativeCacheTtlMs: number;
  /** Download speed limit (passed to the downloader); undefined = unlimited. */
  maxBytesPerSecond?: number;
  /** Retries per source (passed to the downloader). */
  retries?: number;
  /** Models may use at most this many bytes (GC evicts LRU down to it); null = no quota. */
  quotaBytes?: number | null;
  /** Resumable partial data older than this is removed by GC. */
  partialMaxAgeMs: number;
  /** Files of one model downloaded at the same time. */
  fileConcurrency: number;
  /** A lock not refreshed for this long is treated as abandoned (min 2 s). */
  lockStaleMs: number;
}

export const DEFAULT_SETTINGS: OrchestratorSettings = {
  safetyMarginBytes: 1024 ** 3,
  lockTimeoutMs: 300_000,
  negativeCacheTtlMs: 300_000,
  quotaBytes: null,
  partialMaxAgeMs: 7 * 24 * 3600_000,
  fileConcurrency: 4,
  lockStaleMs: 10_000,
};

/** The defaults overlaid with every setting the caller actually gave. */
export function withDefaultSettings(given: Partial<OrchestratorSettings> = {}): OrchestratorSettings {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<OrchestratorSettings>;
  return { ...DEFAULT_SETTINGS, ...defined };
}
