import { describe, expect, it } from 'vitest';
import type { ModelListItem } from '../../../shared/api';
import type { JobProgress, StatusReport } from '../../../shared/results';
import { createAppStore, statusKey } from '../../../renderer/store/app-store';
import { displayStatus, jobFor, selectJobList, selectVisibleModelIds } from '../../../renderer/store/selectors';

const model = (id: string, bytes: number, description = ''): ModelListItem => ({
  id,
  description,
  version: '1',
  variants: ['fp16', 'bf16'],
  defaultVariant: 'fp16',
  totalBytes: bytes,
  sources: [],
  variantBytes: { fp16: bytes, bf16: bytes * 2 },
  files: [],
  manifest: 'm.toml',
});

const status = (id: string, s: StatusReport['status'], extra: Partial<StatusReport> = {}): StatusReport => ({
  id,
  variant: 'fp16',
  status: s,
  localPath: `/models/${id}/fp16`,
  missingFiles: [],
  bytesPresent: 0,
  bytesNeeded: 100,
  ...extra,
});

const job = (jobId: string, id: string, state: JobProgress['state'], bytesDone = 50): JobProgress => ({
  jobId,
  id,
  variant: 'fp16',
  state,
  bytesDone,
  bytesTotal: 100,
  speed: 10,
  etaSeconds: 5,
  files: [],
});

describe('renderer store', () => {
  it('filters by text and status and sorts by size, status or name', () => {
    const store = createAppStore();
    const s = store.getState();
    s.setModels([model('alpha', 300, 'an embedding model'), model('beta', 100), model('gamma', 200)]);
    s.setStatuses([status('alpha', 'COMPLETE'), status('beta', 'NOT_PRESENT'), status('gamma', 'CORRUPT')]);
    expect(selectVisibleModelIds(store.getState())).toEqual(['alpha', 'beta', 'gamma']);
    store.getState().setSort('size');
    expect(selectVisibleModelIds(store.getState())).toEqual(['alpha', 'gamma', 'beta']);
    store.getState().setSort('status');
    expect(selectVisibleModelIds(store.getState())).toEqual(['gamma', 'alpha', 'beta']);
    store.getState().setFilter('EMBEDDING');
    expect(selectVisibleModelIds(store.getState())).toEqual(['alpha']);
    store.getState().setFilter('');
    store.getState().setStatusFilter('problems');
    expect(selectVisibleModelIds(store.getState())).toEqual(['gamma']);
    // The chosen variant's size counts: bf16 is twice as big.
    store.getState().setStatusFilter('all');
    store.getState().setSort('size');
    store.getState().chooseVariant('beta', 'bf16');
    // beta's bf16 (200) ties with gamma (200): names decide.
    expect(selectVisibleModelIds(store.getState())).toEqual(['alpha', 'beta', 'gamma']);
    // A variant the model does not have falls back to the default one.
    store.getState().chooseVariant('beta', 'nope');
    expect(selectVisibleModelIds(store.getState())).toEqual(['alpha', 'gamma', 'beta']);
  });

  it('shows a live job over the on-disk status, and the latest job per model variant', () => {
    const store = createAppStore();
    store.getState().putJob(job('j1', 'alpha', 'failed'));
    store.getState().putJob(job('j2', 'alpha', 'running', 42));
    const state = store.getState();
    expect(jobFor(state, 'alpha', 'fp16')?.jobId).toBe('j2');
    expect(displayStatus(status('alpha', 'PARTIAL'), jobFor(state, 'alpha', 'fp16'))).toEqual({
      kind: 'downloading',
      label: 'Downloading 42%',
      percent: 42,
    });
    expect(displayStatus(status('alpha', 'PARTIAL', { bytesPresent: 25, bytesNeeded: 75 }), undefined)).toMatchObject({
      kind: 'partial',
      label: 'Partial 25%',
    });
    expect(displayStatus(status('alpha', 'COMPLETE'), job('j', 'alpha', 'paused', 10))).toMatchObject({
      kind: 'paused',
      label: 'Paused 10%',
    });
    expect(displayStatus(status('alpha', 'COMPLETE'), job('j', 'alpha', 'done'))).toMatchObject({ kind: 'complete', label: 'Ready' });
    expect(displayStatus(status('alpha', 'NOT_PRESENT'), job('j', 'alpha', 'failed'))).toMatchObject({ kind: 'failed' });
    expect(displayStatus(status('alpha', 'COMPLETE'), undefined, true)).toMatchObject({ kind: 'verifying' });
    expect(displayStatus(undefined, undefined)).toMatchObject({ kind: 'unknown' });
    expect(selectJobList(state).map((j) => j.jobId)).toEqual(['j2', 'j1']);
    store.getState().removeJob('j2');
    expect(selectJobList(store.getState()).map((j) => j.jobId)).toEqual(['j1']);
  });

  it('replaces an older toast about the same model, and keeps at most three', () => {
    const store = createAppStore();
    store.getState().pushToast({ tone: 'error', title: 'a failed verification', key: 'model:a' });
    store.getState().pushToast({ tone: 'info', title: 'other' });
    store.getState().pushToast({ tone: 'success', title: 'a is ready', key: 'model:a' });
    expect(store.getState().toasts.map((t) => t.title)).toEqual(['other', 'a is ready']);
    for (const n of [1, 2, 3]) store.getState().pushToast({ tone: 'info', title: `n${n}` });
    expect(store.getState().toasts.map((t) => t.title)).toEqual(['n1', 'n2', 'n3']);
  });

  it('resets to the initial state, keeping the overrides it was created with', () => {
    const store = createAppStore({ theme: 'dark' });
    store.getState().setModels([model('a', 1)]);
    store.getState().putStatus(status('a', 'COMPLETE'));
    store.getState().pushToast({ tone: 'info', title: 'hi' });
    store.getState().setVerifyResult(statusKey('a', 'fp16'), null);
    expect(store.getState().verifyResults).toEqual({});
    store.getState().reset();
    const s = store.getState();
    expect(s.models).toEqual([]);
    expect(s.statuses).toEqual({});
    expect(s.toasts).toEqual([]);
    expect(s.theme).toBe('dark');
    expect(s.modelsLoaded).toBe(false);
  });
});
