/**
 * The renderer's actions against the real API dispatcher (validation included) with an
 * in-memory service standing in for the core: results and pushed events land in the store.
 */
import { describe, expect, it } from 'vitest';
import {
  API_METHOD_NAMES,
  createApiClient,
  createApiHandlers,
  handleApiCall,
  type ApiEvent,
  type ApiService,
  type ImportManifestResult,
} from '../../../shared/api';
import { OrchestratorError } from '../../../shared/errors';
import type { JobProgress } from '../../../shared/results';
import { createAppActions } from '../../../renderer/store/app-actions';
import { createAppStore } from '../../../renderer/store/app-store';

function harness(overrides: Partial<Record<keyof ApiService, (input: never) => unknown>>) {
  const listeners = new Set<(e: ApiEvent) => void>();
  const service: Record<string, unknown> = {};
  for (const name of API_METHOD_NAMES) {
    service[name] = async () => {
      throw new OrchestratorError('INVALID_CONFIG', `${name} is not part of this test.`);
    };
  }
  Object.assign(service, overrides);
  const handlers = createApiHandlers(service as unknown as ApiService);
  const client = createApiClient({
    call: (m, i) => handleApiCall(handlers, m, i),
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  });
  const store = createAppStore();
  const actions = createAppActions(client, store);
  const push = (e: ApiEvent) => listeners.forEach((l) => l(e));
  return { store, actions, push, listeners };
}

const job: JobProgress = {
  jobId: 'j1',
  id: 'm@1',
  variant: 'fp16',
  state: 'running',
  bytesDone: 1,
  bytesTotal: 10,
  speed: 1,
  etaSeconds: 9,
  files: [],
};

describe('renderer actions', () => {
  it('imports dropped files, reports invalid ones with their code and opens the report', async () => {
    const invalid: ImportManifestResult = {
      name: 'bad.toml',
      ok: false,
      added: [],
      conflicts: [],
      problems: [{ path: 'models."x".files[0].sha256', message: 'must be 64 hex characters' }],
      error: { code: 'MANIFEST_VALIDATION_ERROR', message: 'bad.toml has 1 problem', details: {}, retryable: false },
    };
    const { store, actions } = harness({
      importManifest: (async (input: { name: string }) =>
        input.name === 'bad.toml'
          ? invalid
          : { ...invalid, name: input.name, ok: true, problems: [], error: null, added: ['m@1'] }) as never,
      listModels: (async () => []) as never,
      listManifests: (async () => []) as never,
      getAllStatuses: (async () => []) as never,
    });
    const reports = await actions.importFiles([
      new File(['x'], 'bad.toml'),
      new File(['{}'], 'good.json'),
      new File(['png'], 'picture.png'),
    ]);
    expect(reports.map((r) => [r.name, r.ok, r.error?.code ?? null])).toEqual([
      ['bad.toml', false, 'MANIFEST_VALIDATION_ERROR'],
      ['good.json', true, null],
      ['picture.png', false, 'INVALID_CONFIG'],
    ]);
    expect(store.getState().dialog).toEqual({ kind: 'imports' });
    expect(store.getState().toasts.map((t) => t.title)).toEqual(['Imported good.json']);
  });

  it('feeds pushed job, status and notification events into the store', async () => {
    const { store, actions, push } = harness({
      getAppInfo: (async () => ({ version: '1', host: 'web', canOpenFolder: false, modelsRoot: '/r' })) as never,
      getSettings: (async () => ({
        modelsRoot: '/r',
        parallelDownloads: 2,
        maxBytesPerSecond: null,
        quotaBytes: null,
        hfTokenSet: false,
        s3: { endpoint: null, region: null, accessKeyId: null, secretAccessKeySet: false },
      })) as never,
      listJobs: (async () => []) as never,
      listModels: (async () => []) as never,
      listManifests: (async () => []) as never,
      getAllStatuses: (async () => []) as never,
      diskUsage: (async () => ({ root: '/r', models: [], partialBytes: 0, freeBytes: 1, totalBytes: 2 })) as never,
    });
    const stop = actions.start();
    await expect.poll(() => store.getState().connection).toBe('live');
    await expect.poll(() => store.getState().disk?.root).toBe('/r');
    push({ type: 'job', job });
    push({
      type: 'status',
      status: { id: 'm@1', variant: 'fp16', status: 'PARTIAL', localPath: '/r/m', missingFiles: [], bytesPresent: 1, bytesNeeded: 9 },
    });
    push({ type: 'notification', notification: { kind: 'failed', title: 'm@1 could not be downloaded', body: 'SOURCE_UNAVAILABLE: ...' } });
    expect(store.getState().jobs.j1?.state).toBe('running');
    expect(Object.values(store.getState().statuses)[0]?.status).toBe('PARTIAL');
    expect(store.getState().toasts.at(-1)).toMatchObject({ tone: 'error', title: 'm@1 could not be downloaded' });
    push({ type: 'jobRemoved', jobId: 'j1' });
    expect(store.getState().jobs).toEqual({});
    stop();
  });

  it('turns a failed call into an error toast with its code, and marks the action pending meanwhile', async () => {
    let release: () => void = () => {};
    const { store, actions } = harness({
      verify: (() =>
        new Promise((_, reject) => {
          release = () =>
            reject(new OrchestratorError('LOCK_TIMEOUT', 'Another process is verifying m@1. Try again when it has finished.'));
        })) as never,
    });
    const running = actions.verify('m@1', 'fp16');
    await expect.poll(() => Object.values(store.getState().pending)).toEqual(['verify']);
    release();
    await running;
    expect(store.getState().pending).toEqual({});
    expect(store.getState().toasts.at(-1)).toMatchObject({ tone: 'error', body: expect.stringMatching(/^LOCK_TIMEOUT: Another process/) });
  });
});
