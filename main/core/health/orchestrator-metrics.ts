/**
 * The Prometheus metrics of one orchestrator host (a modelctl run, the web host, the desktop
 * app), fed by the core's observer events (ports.ts). Each instance has its own prom-client
 * Registry, never the global one, so two hosts in one process (tests) never mix counts.
 * Storage gauges are read from the models root when scraped. Names: docs/metrics.md.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HealthReport } from '../../../shared/results';
import type { OrchestratorEvent, OrchestratorObserver } from '../ports';
import { labelValue, sourceLabel } from './metric-labels';
import { storageTotals } from './storage-totals';

export interface OrchestratorMetricsOptions {
  /** The models root to measure when scraped; null when there is none (yet). */
  root: () => string | null;
  /** The health report to export when scraped (the web host checks on each scrape; a `health` run hands its own); null: none. */
  health?: () => Promise<HealthReport | null>;
}

const HEALTH_STATES = ['healthy', 'degraded', 'error'] as const;
const HEALTH_STATUSES = ['COMPLETE', 'VERIFYING', 'NOT_PRESENT', 'PARTIAL', 'CORRUPT', 'UNCHECKED'] as const;

const INTEGRITY_CODES = new Set(['CHECKSUM_FAIL', 'SIZE_MISMATCH']);

export class OrchestratorMetrics {
  readonly registry = new Registry();
  private readonly downloads: Counter<'model_id' | 'variant' | 'source' | 'status'>;
  private readonly downloadBytes: Counter<'source'>;
  private readonly downloadDuration: Histogram;
  private readonly errors: Counter<'error_code'>;
  private readonly integrityFailures: Counter<'model_id'>;
  private readonly lockTimeouts: Counter;
  private readonly gcRuns: Counter<'trigger'>;
  private readonly gcBytesReclaimed: Counter;
  private readonly dedupBytesSaved: Counter;

  constructor(options: OrchestratorMetricsOptions) {
    const registers = [this.registry];
    this.downloads = new Counter({
      name: 'model_downloads_total',
      help: 'Ensures that downloaded something, by model, variant, source (most bytes) and outcome (success, failure, cancelled).',
      labelNames: ['model_id', 'variant', 'source', 'status'],
      registers,
    });
    this.downloadBytes = new Counter({
      name: 'model_download_bytes_total',
      help: 'Bytes downloaded (or copied from a local source), by source base without credentials or query.',
      labelNames: ['source'],
      registers,
    });
    this.downloadDuration = new Histogram({
      name: 'model_download_duration_seconds',
      help: 'Wall time of ensures that downloaded something, from lock to verified model in place (or failure).',
      buckets: [0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
      registers,
    });
    const scan = async () => {
      const root = options.root();
      return root ? storageTotals(root) : { bytesUsed: 0, files: 0 };
    };
    new Gauge({
      name: 'model_storage_bytes_used',
      help: 'Bytes stored in blobs/ of the models root (each file content once).',
      registers,
      async collect() {
        this.set((await scan()).bytesUsed);
      },
    });
    new Gauge({
      name: 'model_storage_files_total',
      help: 'Distinct file contents stored in blobs/ of the models root.',
      registers,
      async collect() {
        this.set((await scan()).files);
      },
    });
    // Both health gauges are read from one report per scrape.
    let latest: { at: number; report: Promise<HealthReport | null> } | null = null;
    const health = () => {
      if (!options.health) return Promise.resolve(null);
      if (!latest || Date.now() - latest.at > 1000) latest = { at: Date.now(), report: options.health().catch(() => null) };
      return latest.report;
    };
    new Gauge({
      name: 'model_health_state',
      help: 'The health of the models root (as modelctl health): 1 for the current state (healthy, degraded, error), 0 for the others.',
      labelNames: ['state'],
      registers,
      async collect() {
        const report = await health();
        this.reset();
        if (report) for (const state of HEALTH_STATES) this.set({ state }, report.health === state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'model_health_models',
      help: 'Model variants by quick status in the health report (COMPLETE, NOT_PRESENT, PARTIAL, CORRUPT, UNCHECKED, VERIFYING).',
      labelNames: ['status'],
      registers,
      async collect() {
        const report = await health();
        this.reset();
        if (report) for (const status of HEALTH_STATUSES) this.set({ status }, report.models.filter((m) => m.status === status).length);
      },
    });
    this.errors = new Counter({
      name: 'model_errors_total',
      help: 'Failed operations (ensure, verify, gc, status, ...) by error code; cancellations are not counted.',
      labelNames: ['error_code'],
      registers,
    });
    this.integrityFailures = new Counter({
      name: 'model_integrity_failures_total',
      help: 'Files found damaged or missing by verify, and downloads refused for a wrong sha256 or size, by model.',
      labelNames: ['model_id'],
      registers,
    });
    this.lockTimeouts = new Counter({
      name: 'model_lock_timeouts_total',
      help: 'Waits for a model lock held by another process that ran out of time (LOCK_TIMEOUT).',
      registers,
    });
    this.gcRuns = new Counter({
      name: 'model_gc_runs_total',
      help: 'Garbage collections run (dry runs excluded), by trigger: manual or disk-space (to make room for a download).',
      labelNames: ['trigger'],
      registers,
    });
    this.gcBytesReclaimed = new Counter({
      name: 'model_gc_bytes_reclaimed_total',
      help: 'Bytes garbage collection removed: evicted models plus orphaned blobs, staging and stale partial data.',
      registers,
    });
    this.dedupBytesSaved = new Counter({
      name: 'model_dedup_bytes_saved_total',
      help: 'Bytes placed into a model from blobs already stored instead of being downloaded and stored again.',
      registers,
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition format of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Pass this as the orchestrator's `onEvent`. */
  readonly observe: OrchestratorObserver = (event: OrchestratorEvent): void => {
    switch (event.type) {
      case 'file-fetched':
        if (event.bytes > 0) this.downloadBytes.inc({ source: sourceLabel(event.source) }, event.bytes);
        return;
      case 'download-finished': {
        this.downloads.inc({
          model_id: labelValue(event.id),
          variant: labelValue(event.variant),
          source: sourceLabel(event.source),
          status: event.status,
        });
        this.downloadDuration.observe(event.durationSeconds);
        if (event.dedupBytesSaved > 0) this.dedupBytesSaved.inc(event.dedupBytesSaved);
        if (event.error && INTEGRITY_CODES.has(event.error.code)) this.integrityFailures.inc({ model_id: labelValue(event.id) });
        return;
      }
      case 'verify-finished':
        if (!event.success) this.integrityFailures.inc({ model_id: labelValue(event.id) }, Math.max(1, event.badFiles.length));
        return;
      case 'gc-finished':
        this.gcRuns.inc({ trigger: event.trigger });
        if (event.bytesReclaimed > 0) this.gcBytesReclaimed.inc(event.bytesReclaimed);
        return;
      case 'lock-timeout':
        this.lockTimeouts.inc();
        return;
      case 'operation-failed':
        if (event.error.code !== 'CANCELLED') this.errors.inc({ error_code: event.error.code });
        return;
      case 'download-started':
        return;
    }
  };
}
