/**
 * What the UI does: calls the API through the typed client and feeds results and pushed
 * events into the store. Failures become toasts carrying the error code and message (which
 * says what to do); nothing here throws into React.
 */
import { ApiCallError, type ApiClient, type ApiEvent, type ImportManifestResult } from '../../shared/api';
import type { StructuredError } from '../../shared/errors';
import type { GcOptions, MirrorPushResult, MirrorTestResult } from '../../shared/results';
import { formatBytes } from '../format';
import { statusKey, type AppStore, type PendingAction } from './app-store';
import { createCatalogActions, type CatalogActions } from './catalog-actions';

export interface AppActions extends CatalogActions {
  /** Loads everything and subscribes to events; returns the unsubscribe function. */
  start(): () => void;
  /** Reloads jobs, models, statuses and disk usage (after the event stream reconnects). */
  resync(): Promise<void>;
  refreshModels(): Promise<void>;
  refreshStatuses(): Promise<void>;
  refreshDisk(): Promise<void>;
  /** Reloads the health summary (quick status of every model; no hashing). */
  refreshHealth(): Promise<void>;
  startDownload(id: string, variant: string): Promise<void>;
  pauseJob(jobId: string): Promise<void>;
  resumeJob(jobId: string): Promise<void>;
  cancelJob(jobId: string): Promise<void>;
  dismissJob(jobId: string): Promise<void>;
  pauseAll(): Promise<void>;
  resumeAll(): Promise<void>;
  clearFinished(): Promise<void>;
  verify(id: string, variant: string): Promise<void>;
  setPinned(id: string, variant: string, pinned: boolean): Promise<void>;
  remove(id: string, variant: string): Promise<void>;
  openFolder(id: string, variant: string): Promise<void>;
  copyPath(id: string, variant: string): Promise<void>;
  importFiles(files: Iterable<File>): Promise<ImportManifestResult[]>;
  removeManifest(name: string): Promise<void>;
  planGc(options: GcOptions): Promise<void>;
  runGc(options: GcOptions): Promise<void>;
  /** `quiet`: no "saved" toast (for controls that show their new value themselves). */
  saveSettings(patch: Parameters<ApiClient['setSettings']>[0], options?: { quiet?: boolean }): Promise<boolean>;
  /** Checks a team mirror with the saved S3 settings; the result says what is wrong, it never throws. */
  testMirror(mirror: string): Promise<MirrorTestResult>;
  /** Pushes a complete model to a team mirror; progress arrives as mirrorProgress events. */
  pushToMirror(id: string, variant: string, to: string): Promise<MirrorPushResult | null>;
}

export function asStructured(error: unknown): StructuredError {
  if (error instanceof ApiCallError) return error.error;
  return { code: 'UNKNOWN_ERROR', message: error instanceof Error ? error.message : String(error), details: {}, retryable: false };
}

const MANIFEST_NAME = /\.(toml|json)$/i;

export function createAppActions(client: ApiClient, store: AppStore): AppActions {
  const state = () => store.getState();

  const fail = (title: string, error: unknown) => {
    const e = asStructured(error);
    state().pushToast({ tone: 'error', title, body: `${e.code}: ${e.message}` });
  };

  /** Runs an action for one model variant, marking it pending so its buttons show progress. */
  const withPending = async (id: string, variant: string, action: PendingAction, title: string, run: () => Promise<void>) => {
    const key = statusKey(id, variant);
    state().setPending(key, action);
    try {
      await run();
    } catch (error) {
      fail(title, error);
    } finally {
      state().setPending(key, null);
    }
  };

  const refreshStatus = async (id: string, variant: string) => {
    try {
      state().putStatus(await client.getStatus({ id, variant }));
    } catch {
      // The next status event or refresh will catch up.
    }
  };

  let diskTimer: ReturnType<typeof setTimeout> | null = null;
  const refreshDiskSoon = () => {
    if (diskTimer) return;
    diskTimer = setTimeout(() => {
      diskTimer = null;
      void actions.refreshDisk();
    }, 150);
  };

  let healthTimer: ReturnType<typeof setTimeout> | null = null;
  const refreshHealthSoon = () => {
    if (healthTimer) return;
    healthTimer = setTimeout(() => {
      healthTimer = null;
      void actions.refreshHealth();
    }, 300);
  };

  const onEvent = (event: ApiEvent) => {
    const s = state();
    switch (event.type) {
      case 'job':
        s.putJob(event.job);
        // A new download replaces the files: an older verification no longer describes them.
        if (event.job.state === 'running' || event.job.state === 'done')
          s.setVerifyResult(statusKey(event.job.id, event.job.variant), null);
        break;
      case 'jobRemoved':
        s.removeJob(event.jobId);
        break;
      case 'status':
        refreshHealthSoon();
        s.putStatus(event.status);
        if (event.status.status === 'NOT_PRESENT') s.setVerifyResult(statusKey(event.status.id, event.status.variant), null);
        break;
      case 'models':
        refreshHealthSoon();
        void actions.refreshModels().then(() => actions.refreshStatuses());
        break;
      case 'disk':
        refreshHealthSoon();
        refreshDiskSoon();
        break;
      case 'settings':
        s.setSettings(event.settings);
        break;
      case 'adoptProgress':
        s.setAdoptProgress(event.progress);
        break;
      case 'mirrorProgress':
        s.putMirrorProgress(event.progress);
        break;
      case 'notification':
        s.pushToast({
          tone: event.notification.kind === 'completed' ? 'success' : 'error',
          title: event.notification.title,
          body: event.notification.body,
          ...(event.notification.id ? { key: `model:${event.notification.id}` } : {}),
        });
        break;
      default: {
        const never: never = event;
        void never;
      }
    }
  };

  const actions: AppActions = {
    start() {
      const unsubscribe = client.onEvent(onEvent);
      void (async () => {
        try {
          const [info, settings, jobs] = await Promise.all([client.getAppInfo(), client.getSettings(), client.listJobs()]);
          state().setAppInfo(info);
          state().setSettings(settings);
          state().setJobs(jobs);
          await actions.refreshModels();
          state().setConnection('live');
          await Promise.all([actions.refreshStatuses(), actions.refreshDisk(), actions.refreshHealth()]);
        } catch (error) {
          state().setLoadError(asStructured(error));
        }
      })();
      return unsubscribe;
    },

    async resync() {
      try {
        state().setJobs(await client.listJobs());
        await actions.refreshModels();
        await Promise.all([actions.refreshStatuses(), actions.refreshDisk(), actions.refreshHealth()]);
        state().setLoadError(null);
      } catch (error) {
        state().setLoadError(asStructured(error));
      }
    },

    async refreshModels() {
      const [models, manifests] = await Promise.all([client.listModels(), client.listManifests()]);
      state().setModels(models);
      state().setManifests(manifests);
    },

    async refreshStatuses() {
      try {
        state().setStatuses(await client.getAllStatuses());
      } catch (error) {
        fail('Could not read model status', error);
      }
    },

    async refreshDisk() {
      try {
        state().setDisk(await client.diskUsage());
      } catch (error) {
        state().setDisk(state().disk, asStructured(error));
      }
    },

    async refreshHealth() {
      try {
        state().setHealth(await client.getHealth());
      } catch (error) {
        state().setHealth(state().health, asStructured(error));
      }
    },

    startDownload: (id, variant) =>
      withPending(id, variant, 'start', `Could not start ${id}`, async () => {
        state().putJob(await client.startDownload({ id, variant }));
      }),

    async pauseJob(jobId) {
      try {
        state().putJob(await client.pauseJob({ jobId }));
      } catch (error) {
        fail('Could not pause', error);
      }
    },
    async resumeJob(jobId) {
      try {
        state().putJob(await client.resumeJob({ jobId }));
      } catch (error) {
        fail('Could not resume', error);
      }
    },
    async cancelJob(jobId) {
      try {
        state().putJob(await client.cancelJob({ jobId }));
      } catch (error) {
        fail('Could not cancel', error);
      }
    },
    async dismissJob(jobId) {
      try {
        await client.dismissJob({ jobId });
        state().removeJob(jobId);
      } catch (error) {
        fail('Could not clear the download', error);
      }
    },
    async pauseAll() {
      try {
        state().setJobs(await client.pauseAll());
      } catch (error) {
        fail('Could not pause downloads', error);
      }
    },
    async resumeAll() {
      try {
        state().setJobs(await client.resumeAll());
      } catch (error) {
        fail('Could not resume downloads', error);
      }
    },
    async clearFinished() {
      const finished = Object.values(state().jobs).filter((j) => j.state === 'done' || j.state === 'failed' || j.state === 'cancelled');
      for (const job of finished) await actions.dismissJob(job.jobId);
    },

    verify: (id, variant) =>
      withPending(id, variant, 'verify', `Could not verify ${id}`, async () => {
        const key = statusKey(id, variant);
        state().setVerifyResult(key, null);
        const result = await client.verify({ id, variant });
        state().setVerifyResult(key, result);
        state().toggleExpanded(id, true);
        await refreshStatus(id, variant);
        state().pushToast(
          result.success
            ? {
                tone: 'success',
                key: `model:${id}`,
                title: `${id} verified`,
                body: `${result.verifiedFiles.length} file(s) match their sha256.`,
              }
            : {
                tone: 'error',
                key: `model:${id}`,
                title: `${id} failed verification`,
                body: `${result.failedFiles.length + result.missingFiles.length} file(s) are damaged or missing. Download again to repair.`,
              },
        );
      }),

    setPinned: (id, variant, pinned) =>
      withPending(id, variant, 'pin', pinned ? `Could not pin ${id}` : `Could not unpin ${id}`, async () => {
        await (pinned ? client.pin({ id, variant }) : client.unpin({ id, variant }));
        await refreshStatus(id, variant);
      }),

    remove: (id, variant) =>
      withPending(id, variant, 'remove', `Could not remove ${id}`, async () => {
        const result = await client.remove({ id, variant });
        state().setVerifyResult(statusKey(id, variant), null);
        await refreshStatus(id, variant);
        state().pushToast({
          tone: 'info',
          key: `model:${id}`,
          title: `Removed ${id}`,
          body:
            `${variant}: freed ${formatBytes(result.bytesFreed)}.` +
            // Exported copies are hard links: their bytes stay until those folders are cleaned too.
            (result.links?.length ? ` Still linked in ${result.links.map((l) => l.dir).join(', ')}.` : ''),
        });
        refreshDiskSoon();
      }),

    async openFolder(id, variant) {
      try {
        await client.openFolder({ id, variant });
      } catch (error) {
        fail('Could not open the folder', error);
      }
    },

    async copyPath(id, variant) {
      const path = state().statuses[statusKey(id, variant)]?.localPath;
      if (!path) return;
      try {
        await navigator.clipboard.writeText(path);
        state().pushToast({ tone: 'info', title: 'Path copied', body: path });
      } catch {
        state().pushToast({ tone: 'info', title: 'Copy this path', body: path });
      }
    },

    async importFiles(files) {
      const reports: ImportManifestResult[] = [];
      for (const file of files) {
        if (!MANIFEST_NAME.test(file.name)) {
          reports.push({
            name: file.name,
            ok: false,
            added: [],
            conflicts: [],
            problems: [],
            error: {
              code: 'INVALID_CONFIG',
              message: `${file.name} is not a manifest. Drop a models.toml or models.json file.`,
              details: {},
              retryable: false,
            },
          });
          continue;
        }
        try {
          reports.push(await client.importManifest({ name: file.name, text: await file.text() }));
        } catch (error) {
          reports.push({ name: file.name, ok: false, added: [], conflicts: [], problems: [], error: asStructured(error) });
        }
      }
      if (reports.length === 0) return reports;
      state().addImportReports(reports);
      const failed = reports.filter((r) => !r.ok || r.conflicts.length > 0);
      if (failed.length) state().openDialog({ kind: 'imports' });
      for (const r of reports.filter((x) => x.ok)) {
        state().pushToast({
          tone: 'success',
          title: `Imported ${r.name}`,
          body: r.added.length ? `${r.added.length} model(s) added.` : 'No new models (already known).',
        });
      }
      if (reports.some((r) => r.ok)) {
        await actions.refreshModels();
        await actions.refreshStatuses();
      }
      return reports;
    },

    async removeManifest(name) {
      try {
        await client.removeManifest({ name });
        await actions.refreshModels();
      } catch (error) {
        fail(`Could not remove ${name}`, error);
      }
    },

    async planGc(options) {
      state().setGcResult(null);
      try {
        state().setGcPlan(await client.gcPlan(options));
      } catch (error) {
        fail('Could not plan the clean-up', error);
      }
    },

    async runGc(options) {
      try {
        const result = await client.gcRun(options);
        state().setGcResult(result);
        // "x is ready" is no longer news once x has been cleaned up.
        for (const r of result.removed) state().dismissToastsWithKey(`model:${r.id}`);
        state().setGcPlan(null);
        await Promise.all([actions.refreshStatuses(), actions.refreshDisk()]);
      } catch (error) {
        fail('Clean-up failed', error);
      }
    },

    async saveSettings(patch, options = {}) {
      try {
        state().setSettings(await client.setSettings(patch));
        if (!options.quiet) state().pushToast({ tone: 'success', title: 'Settings saved' });
        void actions.refreshDisk();
        return true;
      } catch (error) {
        fail('Could not save the settings', error);
        return false;
      }
    },

    ...createCatalogActions(client, store, {
      asStructured,
      refreshModels: () => actions.refreshModels(),
      refreshStatuses: () => actions.refreshStatuses(),
      refreshDisk: () => actions.refreshDisk(),
    }),
    async testMirror(mirror) {
      try {
        return await client.testMirror({ mirror });
      } catch (error) {
        const e = asStructured(error);
        return { mirror, ok: false, models: null, message: e.message, error: e };
      }
    },
    async pushToMirror(id, variant, to) {
      try {
        const result = await client.pushToMirror({ id, variant, to });
        const sent = result.bytesUploaded > 0 ? `${formatBytes(result.bytesUploaded)} uploaded` : 'the mirror already had every file';
        state().pushToast({ tone: 'success', title: `Pushed ${id} to ${result.mirror}`, body: sent, key: `push:${id}` });
        return result;
      } catch (error) {
        fail(`Could not push ${id} to the mirror`, error);
        return null;
      }
    },
  };
  return actions;
}
