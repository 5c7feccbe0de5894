/**
 * The application behind the API (shared/api.ts), shared by the localhost web host and the
 * Electron shell: the merged manifests, the download queue, persisted settings, and the
 * orchestrator doing the real work. It pushes events (job progress, status changes,
 * notifications) to whoever subscribes; hosts only move calls and events.
 */
import { join, resolve } from 'node:path';
import type {
  ApiEvent,
  ApiParsedInput,
  ApiService,
  AppInfo,
  ImportManifestResult,
  ManifestInfo,
  ModelListItem,
  RemoveResult,
  SettingsView,
} from '../../../shared/api';
import { OrchestratorError, toStructuredError } from '../../../shared/errors';
import { filesForVariant, type Manifest } from '../../../shared/manifest';
import type {
  DiskUsage,
  GcOptions,
  GcResult,
  JobProgress,
  MirrorPushResult,
  MirrorTestResult,
  PinResult,
  StatusReport,
  VerificationResult,
} from '../../../shared/results';
import type { AddModelResult, AdoptFolderSuggestion, AdoptResult, ExportResult, ModelLink, SourcePreview } from '../../../shared/results';
import { ApiEventHub, type ApiEventListener } from './api-event-hub';
import { CatalogApi } from './catalog-api';
import { DownloadQueue, type JobOutcome } from './download-queue';
import { jobNotification } from './job-notification';
import { ManifestLibrary } from './manifest-library';
import { MirrorActions } from './mirror-actions';
import { modelListItem } from './model-list-item';
import type { ClosableModelService, ModelServiceFactory } from './model-service-factory';
import { ReplaceableModelService } from './replaceable-model-service';
import { SettingsStore, type SecretCodec } from './settings-store';
import type { HealthReport } from '../../../shared/results';
import { checkHealth } from '../health/health-report';
import { OrchestratorMetrics } from '../health/orchestrator-metrics';

/** A scrape must answer well within Prometheus' default 10 s timeout. */
const SCRAPE_HEALTH_BUDGET_MS = 5_000;

export type { ClosableModelService, ModelServiceContext, ModelServiceFactory } from './model-service-factory';

export interface AppServiceOptions {
  /** Models root to use unless the settings name another one. */
  root: string;
  /** A root the user chose for this launch (e.g. `--root`): it wins over the saved setting. */
  forcedRoot?: string;
  /** Where settings and imported manifests live (default `<root>/.state/app`). */
  configDir?: string;
  /** Manifests given at startup (e.g. `--manifest`), shown first and not removable from the UI. */
  manifests?: Array<{ name: string; manifest: Manifest }>;
  host: AppInfo['host'];
  version?: string;
  /** Opens a folder in the file manager (desktop only); without it `openFolder` explains why it cannot. */
  openPath?: (path: string) => Promise<void>;
  secretCodec?: SecretCodec;
  /** Builds the orchestrator; `createDefaultModelService` in production. */
  createModelService: ModelServiceFactory;
  /** Where `local://` sources of imported manifests resolve. */
  localMirrorRoot?: string;
  now?: () => number;
  /** Minimum time between progress events of one job (default 100 ms). */
  progressIntervalMs?: number;
  /** add/adopt/export: environment for HF_TOKEN, HF_ENDPOINT, AWS_*, HF_HUB_CACHE (default process.env). */
  env?: Record<string, string | undefined>;
  /** add: fetch for Hub and S3 requests (a proxy/CA-aware one); default global fetch. */
  fetch?: typeof fetch;
}

export class AppService implements ApiService {
  private readonly events = new ApiEventHub();
  private readonly queue: DownloadQueue;
  private services!: ReplaceableModelService;
  private catalog!: CatalogApi;
  private root!: string;
  private readonly verifying = new Set<string>();
  private closed = false;
  /** Prometheus metrics of this host, fed by every orchestrator it builds (GET /metrics). */
  readonly metrics = new OrchestratorMetrics({
    root: () => this.root ?? null,
    health: () => this.healthReport({}, SCRAPE_HEALTH_BUDGET_MS),
  });
  private readonly mirrors: MirrorActions;

  private constructor(
    private readonly options: AppServiceOptions,
    private readonly settings: SettingsStore,
    private readonly library: ManifestLibrary,
    /** What went wrong while restoring settings or saved imports; shown to the user as notices. */
    readonly startupProblems: string[],
  ) {
    this.queue = new DownloadQueue({
      ensure: (id, ensureOptions) => this.use((s) => s.ensure(id, ensureOptions)),
      parallel: settings.get().parallelDownloads,
      ...(options.now ? { now: options.now } : {}),
      ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
      onChange: (job) => this.emit({ type: 'job', job }),
      onRemoved: (jobId) => this.emit({ type: 'jobRemoved', jobId }),
      onSettled: (job, outcome) => void this.onJobSettled(job, outcome),
    });
    this.mirrors = new MirrorActions({
      root: () => this.root,
      resolveVariant: (id, variant) => library.resolveVariant(id, variant),
      settings: () => settings.get(),
      emit: (event) => this.emit(event),
    });
  }

  static async create(options: AppServiceOptions): Promise<AppService> {
    const configDir = resolve(options.configDir ?? join(options.root, '.state', 'app'));
    const settings = new SettingsStore(configDir, options.secretCodec);
    const problems: string[] = [];
    try {
      await settings.load();
    } catch (error) {
      // A damaged settings file must not keep the app from starting: defaults apply, the user is told.
      problems.push(toStructuredError(error).message);
    }
    const library = new ManifestLibrary({
      dir: join(configDir, 'manifests'),
      ...(options.localMirrorRoot ? { localMirrorRoot: options.localMirrorRoot } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    for (const m of options.manifests ?? []) library.addBuiltIn(m.name, m.manifest);
    for (const p of await library.loadSaved()) problems.push(`Imported manifest ${p.path} ${p.message}`);
    const app = new AppService(options, settings, library, problems);
    app.catalog = new CatalogApi({
      configDir,
      library,
      settings: () => settings.get(),
      root: () => app.root,
      use: (fn) => app.use(fn),
      emit: (event) => app.emit(event),
      emitStatus: (id, variant) => app.emitStatus(id, variant),
      ...(options.env ? { env: options.env } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    const addedProblem = await app.catalog.restore();
    if (addedProblem) problems.push(addedProblem);
    app.root = resolve(options.forcedRoot ?? settings.get().modelsRoot ?? options.root);
    app.services = await ReplaceableModelService.start(
      app.root,
      (root) =>
        options.createModelService({ root, models: () => library.models(), settings: () => settings.get(), onEvent: app.metrics.observe }),
      (status) => void app.emitStatus(status.id, status.variant),
    );
    return app;
  }

  /** Receives every pushed event; returns the unsubscribe function. */
  subscribe(listener: ApiEventListener): () => void {
    return this.events.subscribe(listener);
  }

  /** Pauses running downloads (partial data stays for next time) and closes the orchestrator. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.close();
    await this.services.close();
    await this.catalog.close();
    this.events.clear();
  }

  // ---- API methods -------------------------------------------------------------------------

  getAppInfo(): AppInfo {
    return {
      version: this.options.version ?? '0.1.0',
      host: this.options.host,
      canOpenFolder: Boolean(this.options.openPath),
      modelsRoot: this.root,
      ...(this.startupProblems.length ? { notices: [...this.startupProblems] } : {}),
    };
  }

  listModels(): ModelListItem[] {
    return this.library.models().map((m) => modelListItem(m, this.library.manifestOf(m.id)));
  }

  listManifests(): ManifestInfo[] {
    return this.library.list();
  }

  async importManifest(input: ApiParsedInput<'importManifest'>): Promise<ImportManifestResult> {
    const result = await this.library.import(input.name, input.text);
    if (result.ok) this.emit({ type: 'models' });
    return result;
  }

  async removeManifest(input: ApiParsedInput<'removeManifest'>): Promise<{ name: string; removed: string[] }> {
    const result = await this.library.remove(input.name);
    this.emit({ type: 'models' });
    return result;
  }

  // ---- add, adopt, export (catalog): main/core/jobs/catalog-api.ts ----
  previewModelSource(input: ApiParsedInput<'previewModelSource'>): Promise<SourcePreview> {
    return this.catalog.previewModelSource(input);
  }

  addModel(input: ApiParsedInput<'addModel'>): Promise<AddModelResult> {
    return this.catalog.addModel(input);
  }

  suggestAdoptFolders(): { folders: AdoptFolderSuggestion[] } {
    return this.catalog.suggestAdoptFolders();
  }

  adoptFolders(input: ApiParsedInput<'adoptFolders'>): Promise<AdoptResult> {
    return this.catalog.adoptFolders(input);
  }

  exportModel(input: ApiParsedInput<'exportModel'>): Promise<ExportResult> {
    return this.catalog.exportModel(input);
  }

  listModelLinks(input: ApiParsedInput<'listModelLinks'>): Promise<{ links: ModelLink[] }> {
    return this.catalog.listModelLinks(input);
  }

  async getStatus(input: ApiParsedInput<'getStatus'>): Promise<StatusReport> {
    return this.statusOf(input.id, input.variant);
  }

  async getAllStatuses(): Promise<StatusReport[]> {
    const pairs = this.library.models().flatMap((m) => m.variants.map((v) => [m.id, v] as const));
    return Promise.all(pairs.map(([id, variant]) => this.statusOf(id, variant)));
  }

  async startDownload(input: ApiParsedInput<'startDownload'>): Promise<JobProgress> {
    this.assertOpen();
    const { model, variant } = this.library.resolveVariant(input.id, input.variant);
    const files = filesForVariant(model, variant);
    let bytesDone = 0;
    try {
      bytesDone = (await this.use((s) => s.status(model.id, { variant }))).bytesPresent;
    } catch {
      // Status is only a preview here; the job itself reports any real problem.
    }
    return this.queue.enqueue(model.id, variant, {
      bytesDone,
      bytesTotal: sum(files.map((f) => f.size)),
      files: files.map((f) => ({ path: f.path, bytesDone: 0, bytesTotal: f.size, state: 'pending' })),
    });
  }

  pauseJob(input: ApiParsedInput<'pauseJob'>): JobProgress {
    return this.queue.pause(input.jobId);
  }

  resumeJob(input: ApiParsedInput<'resumeJob'>): JobProgress {
    return this.queue.resume(input.jobId);
  }

  cancelJob(input: ApiParsedInput<'cancelJob'>): JobProgress {
    return this.queue.cancel(input.jobId);
  }

  dismissJob(input: ApiParsedInput<'dismissJob'>): { jobId: string } {
    this.queue.dismiss(input.jobId);
    return { jobId: input.jobId };
  }

  pauseAll(): JobProgress[] {
    return this.queue.pauseAll();
  }

  resumeAll(): JobProgress[] {
    return this.queue.resumeAll();
  }

  listJobs(): JobProgress[] {
    return this.queue.list();
  }

  async verify(input: ApiParsedInput<'verify'>): Promise<VerificationResult> {
    const { model, variant } = this.library.resolveVariant(input.id, input.variant);
    const key = `${model.id}\u0000${variant}`;
    this.verifying.add(key);
    void this.emitStatus(model.id, variant);
    try {
      return await this.use((s) => s.verify(model.id, { variant }));
    } finally {
      this.verifying.delete(key);
      await this.emitStatus(model.id, variant);
    }
  }

  async pin(input: ApiParsedInput<'pin'>): Promise<PinResult> {
    const result = await this.use((s) => s.pin(input.id, variantOpt(input.variant)));
    await this.emitStatus(result.id, result.variant);
    this.emit({ type: 'disk' });
    return result;
  }

  async unpin(input: ApiParsedInput<'unpin'>): Promise<PinResult> {
    const result = await this.use((s) => s.unpin(input.id, variantOpt(input.variant)));
    await this.emitStatus(result.id, result.variant);
    this.emit({ type: 'disk' });
    return result;
  }

  async remove(input: ApiParsedInput<'remove'>): Promise<RemoveResult> {
    const { model, variant } = this.library.resolveVariant(input.id, input.variant);
    if (this.queue.isLive(model.id, variant)) {
      throw new OrchestratorError(
        'CONCURRENT_MODIFICATION',
        `${model.id} (${variant}) is downloading. Cancel the download first, then remove it.`,
        { id: model.id, variant },
      );
    }
    // Exports keep their own links to the bytes: say where, so the user can delete those too.
    const links = (await this.catalog.listModelLinks({ id: model.id, variant })).links;
    const result = await this.use((s) => s.remove(model.id, { variant }));
    await this.emitStatus(model.id, variant);
    this.emit({ type: 'disk' });
    return links.length ? { ...result, links } : result;
  }

  async gcPlan(input: ApiParsedInput<'gcPlan'>): Promise<GcResult> {
    return this.use((s) => s.gc({ ...this.gcOptions(input), dryRun: true }));
  }

  async gcRun(input: ApiParsedInput<'gcRun'>): Promise<GcResult> {
    const result = await this.use((s) => s.gc({ ...this.gcOptions(input), dryRun: false }));
    await Promise.all(result.removed.map((r) => this.emitStatus(r.id, r.variant)));
    this.emit({ type: 'disk' });
    return result;
  }

  async getHealth(input: ApiParsedInput<'getHealth'>): Promise<HealthReport> {
    return this.healthReport(input);
  }

  private async healthReport(input: ApiParsedInput<'getHealth'>, budgetMs?: number): Promise<HealthReport> {
    const root = this.root;
    return this.use((s) =>
      checkHealth(s, {
        root,
        ...(input.ids ? { ids: input.ids } : {}),
        ...(budgetMs !== undefined ? { budgetMs } : {}),
        ...(this.options.now ? { now: this.options.now } : {}),
      }),
    );
  }

  async diskUsage(): Promise<DiskUsage> {
    const usage = await this.use((s) => s.diskUsage());
    return { ...usage, quotaBytes: this.settings.get().quotaBytes };
  }

  testMirror(input: ApiParsedInput<'testMirror'>): Promise<MirrorTestResult> {
    return this.mirrors.test(input.mirror);
  }

  pushToMirror(input: ApiParsedInput<'pushToMirror'>): Promise<MirrorPushResult> {
    return this.mirrors.push(input);
  }

  getSettings(): SettingsView {
    return this.settings.view(this.root);
  }

  async setSettings(patch: ApiParsedInput<'setSettings'>): Promise<SettingsView> {
    const nextRoot = patch.modelsRoot !== undefined ? resolve(patch.modelsRoot) : this.root;
    if (nextRoot !== this.root && this.queue.list().some((j) => j.state === 'running' || j.state === 'verifying')) {
      throw new OrchestratorError('CONCURRENT_MODIFICATION', 'Downloads are running. Pause them before choosing another models folder.', {
        modelsRoot: nextRoot,
      });
    }
    const before = this.settings.get();
    const saved = await this.settings.update(patch.modelsRoot !== undefined ? { ...patch, modelsRoot: nextRoot } : patch);
    this.queue.setParallel(saved.parallelDownloads);
    // The orchestrator takes root, bandwidth, quota, margin, proxy and CA at construction: build a new one.
    // Running downloads finish on the old one, which is closed after its last call.
    const rebuild = (['maxBytesPerSecond', 'quotaBytes', 'minFreeBytes', 'proxy', 'caFile'] as const).some((k) => before[k] !== saved[k]);
    if (nextRoot !== this.root || rebuild) {
      const rootChanged = nextRoot !== this.root;
      await this.services.replace(nextRoot);
      this.root = nextRoot;
      if (rootChanged) this.emit({ type: 'models' });
      this.emit({ type: 'disk' });
    }
    const view = this.getSettings();
    this.emit({ type: 'settings', settings: view });
    return view;
  }

  async openFolder(input: ApiParsedInput<'openFolder'>): Promise<{ opened: boolean; path: string }> {
    const status = await this.statusOf(input.id, input.variant);
    if (!this.options.openPath) {
      throw new OrchestratorError(
        'INVALID_CONFIG',
        'Opening folders works in the desktop app only. Copy the path instead and open it yourself.',
        { path: status.localPath },
      );
    }
    await this.options.openPath(status.localPath);
    return { opened: true, path: status.localPath };
  }

  /** The desktop host answers this with its folder picker (main/app); elsewhere the user types the path. */
  async chooseFolder(): Promise<{ path: string | null }> {
    throw new OrchestratorError(
      'INVALID_CONFIG',
      'Choosing a folder with a picker works in the desktop app only. Type the path instead.',
      {},
    );
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Runs `fn` on the current service, keeping it open until `fn` settles. */
  private async use<T>(fn: (service: ClosableModelService) => Promise<T>): Promise<T> {
    return this.services.use(fn);
  }

  private async statusOf(id: string, variant?: string): Promise<StatusReport> {
    const report = await this.use((s) => s.status(id, variantOpt(variant)));
    if (this.verifying.has(`${report.id}\u0000${report.variant}`) && report.status !== 'NOT_PRESENT') {
      return { ...report, status: 'VERIFYING' };
    }
    return report;
  }

  private gcOptions(input: ApiParsedInput<'gcPlan'>): GcOptions {
    const options: GcOptions = { ...input };
    const quota = this.settings.get().quotaBytes;
    if (options.maxSizeBytes === undefined && quota !== null) options.maxSizeBytes = quota;
    return options;
  }

  private async onJobSettled(job: JobProgress, outcome: JobOutcome): Promise<void> {
    await this.emitStatus(job.id, job.variant);
    this.emit({ type: 'disk' });
    const notification = jobNotification(job, outcome);
    if (notification) this.emit({ type: 'notification', notification });
  }

  private async emitStatus(id: string, variant: string): Promise<void> {
    if (this.closed) return;
    try {
      this.emit({ type: 'status', status: await this.statusOf(id, variant) });
    } catch {
      // The model may have been removed from the manifests meanwhile; nothing to report.
    }
  }

  private emit(event: ApiEvent): void {
    this.events.emit(event);
  }

  private assertOpen(): void {
    if (this.closed) throw new OrchestratorError('CANCELLED', 'The app is shutting down.');
  }
}

function variantOpt(variant: string | undefined): { variant?: string } {
  return variant === undefined ? {} : { variant };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
