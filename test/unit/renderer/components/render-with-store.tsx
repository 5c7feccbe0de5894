/**
 * Renders a real renderer component inside the real store and actions, with a fake API client
 * standing in for the host (the e2e tests cover the real server). Each call gets a fresh
 * client; the file's one store is reset before every test and the DOM is cleaned after it.
 */
import { act, cleanup, render, type RenderResult } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { afterEach, beforeEach, vi, type Mock } from 'vitest';
import {
  API_METHOD_NAMES,
  ApiCallError,
  type ApiClient,
  type ApiEvent,
  type ApiMethodName,
  type ModelListItem,
} from '../../../../shared/api';
import type { DiskUsage, JobProgress, StatusReport } from '../../../../shared/results';
import { AddModelDialog } from '../../../../renderer/components/AddModelDialog';
import { AdoptDialog } from '../../../../renderer/components/AdoptDialog';
import { GcDialog } from '../../../../renderer/components/GcDialog';
import { ImportReportsDialog } from '../../../../renderer/components/ImportReportsDialog';
import { PushToMirrorDialog } from '../../../../renderer/components/PushToMirrorDialog';
import { RemoveDialog } from '../../../../renderer/components/RemoveDialog';
import { SettingsDialog } from '../../../../renderer/components/SettingsDialog';
import { UseWithDialog } from '../../../../renderer/components/UseWithDialog';
import { AppProvider, useAppStore } from '../../../../renderer/store/app-context';
import { createAppActions, type AppActions } from '../../../../renderer/store/app-actions';
import { createAppStore, type AppStore } from '../../../../renderer/store/app-store';

export type FakeClient = { [M in ApiMethodName]: Mock<ApiClient[M]> } & {
  onEvent: ApiClient['onEvent'];
  /** Delivers a pushed event to every subscriber, as the host would. */
  push(event: ApiEvent): void;
};

/** Every method fails with a clear error unless the test gives it an answer. */
export function fakeClient(answers: Partial<{ [M in ApiMethodName]: ApiClient[M] }> = {}): FakeClient {
  const listeners = new Set<(event: ApiEvent) => void>();
  const client: Record<string, unknown> = {};
  for (const name of API_METHOD_NAMES) {
    const answer = answers[name] as ((input?: unknown) => Promise<unknown>) | undefined;
    client[name] = vi.fn(
      answer ??
        (async () => {
          throw new ApiCallError({ code: 'INVALID_CONFIG', message: `${name} is not part of this test.`, details: {}, retryable: false });
        }),
    );
  }
  client.onEvent = (listener: (event: ApiEvent) => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  client.push = (event: ApiEvent) => listeners.forEach((l) => l(event));
  return client as FakeClient;
}

export const store: AppStore = createAppStore();

beforeEach(() => store.getState().reset());
afterEach(() => cleanup());

export interface Rendered extends RenderResult {
  client: FakeClient;
  actions: AppActions;
  store: AppStore;
  user: ReturnType<typeof userEvent.setup>;
}

export function renderWithStore(ui: ReactElement, client: FakeClient = fakeClient()): Rendered {
  const actions = createAppActions(client, store);
  const user = userEvent.setup();
  const result = render(
    <AppProvider store={store} actions={actions}>
      {ui}
    </AppProvider>,
  );
  return { ...result, client, actions, store, user };
}

// ---------------------------------------------------------------------------------------------
// Small builders for what the host sends
// ---------------------------------------------------------------------------------------------

export function model(id: string, overrides: Partial<ModelListItem> = {}): ModelListItem {
  return {
    id,
    version: '1.0',
    variants: ['fp16'],
    defaultVariant: 'fp16',
    totalBytes: 4_000_000,
    variantBytes: { fp16: 4_000_000 },
    sources: ['https://example.org/m'],
    files: [{ path: 'model.safetensors', size: 4_000_000, optional: false }],
    manifest: null,
    ...overrides,
  };
}

export function status(id: string, overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    id,
    variant: 'fp16',
    status: 'NOT_PRESENT',
    localPath: `/models/${id}/fp16`,
    missingFiles: ['model.safetensors'],
    bytesPresent: 0,
    bytesNeeded: 4_000_000,
    pinned: false,
    lastUsed: null,
    ...overrides,
  };
}

export function job(id: string, overrides: Partial<JobProgress> = {}): JobProgress {
  return {
    jobId: `job-${id}`,
    id,
    variant: 'fp16',
    state: 'running',
    bytesDone: 1_000_000,
    bytesTotal: 4_000_000,
    speed: 500_000,
    etaSeconds: 6,
    files: [],
    ...overrides,
  };
}

export function disk(overrides: Partial<DiskUsage> = {}): DiskUsage {
  return { root: '/models', models: [], partialBytes: 0, freeBytes: 600_000_000, totalBytes: 1_000_000_000, ...overrides };
}

/** Shows the open dialog the way App does, so a view's "open dialog" buttons can be followed. */
export function OpenDialog() {
  const dialog = useAppStore((s) => s.dialog);
  if (dialog?.kind === 'gc') return <GcDialog />;
  if (dialog?.kind === 'remove') return <RemoveDialog id={dialog.id} variant={dialog.variant} />;
  if (dialog?.kind === 'settings') return <SettingsDialog />;
  if (dialog?.kind === 'imports') return <ImportReportsDialog />;
  if (dialog?.kind === 'add-model') return <AddModelDialog />;
  if (dialog?.kind === 'adopt') return <AdoptDialog />;
  if (dialog?.kind === 'use-with') return <UseWithDialog id={dialog.id} variant={dialog.variant} />;
  if (dialog?.kind === 'push') return <PushToMirrorDialog id={dialog.id} variant={dialog.variant} />;
  return null;
}

/** Answers for everything `actions.start()` loads, describing an empty, connected host. */
export const emptyHost: Partial<{ [M in ApiMethodName]: ApiClient[M] }> = {
  getAppInfo: async () => ({ version: '0.1.0', host: 'web', canOpenFolder: false, modelsRoot: '/models' }),
  getSettings: async () => ({
    modelsRoot: '/models',
    parallelDownloads: 2,
    maxBytesPerSecond: null,
    quotaBytes: null,
    hfTokenSet: false,
    s3: { endpoint: null, region: null, accessKeyId: null, secretAccessKeySet: false },
  }),
  listJobs: async () => [],
  listModels: async () => [],
  listManifests: async () => [],
  getAllStatuses: async () => [],
  diskUsage: async () => disk(),
};

/** Starts the actions (load + event subscription) and waits until the first load is done. */
export async function startApp(actions: AppActions): Promise<() => void> {
  let stop = () => {};
  await act(async () => {
    stop = actions.start();
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
  return stop;
}
