/**
 * Named selectors over the store. Selectors that build arrays are used with `useShallow` so
 * a component re-renders only when the items themselves change.
 */
import type { ModelListItem } from '../../shared/api';
import type { JobProgress, JobState, StatusReport } from '../../shared/results';
import { statusKey, type AppState, type StatusFilter } from './app-store';

export type DisplayKind =
  'not-present' | 'partial' | 'queued' | 'downloading' | 'paused' | 'verifying' | 'complete' | 'corrupt' | 'failed' | 'unknown';

export interface DisplayStatus {
  kind: DisplayKind;
  label: string;
  /** 0..100 when meaningful. */
  percent: number | null;
}

const LIVE_JOB: ReadonlySet<JobState> = new Set(['queued', 'running', 'paused', 'verifying']);

export const isLiveJob = (job: JobProgress | undefined): job is JobProgress => Boolean(job && LIVE_JOB.has(job.state));

const pct = (done: number, total: number) => (total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0);

/** What the badge says for one model variant: a live job wins over the on-disk status. */
export function displayStatus(status: StatusReport | undefined, job: JobProgress | undefined, verifying = false): DisplayStatus {
  if (verifying) return { kind: 'verifying', label: 'Verifying', percent: null };
  if (job && LIVE_JOB.has(job.state)) {
    const percent = pct(job.bytesDone, job.bytesTotal);
    switch (job.state) {
      case 'queued':
        return { kind: 'queued', label: 'Queued', percent };
      case 'running':
        return { kind: 'downloading', label: `Downloading ${percent}%`, percent };
      case 'paused':
        return { kind: 'paused', label: `Paused ${percent}%`, percent };
      case 'verifying':
        return { kind: 'verifying', label: 'Verifying', percent };
      case 'done':
      case 'failed':
      case 'cancelled':
        break; // not live (LIVE_JOB): the lines below decide
    }
  }
  if (job?.state === 'failed' && status?.status !== 'COMPLETE') return { kind: 'failed', label: 'Failed', percent: null };
  if (!status) return { kind: 'unknown', label: 'Checking…', percent: null };
  switch (status.status) {
    case 'NOT_PRESENT':
      return { kind: 'not-present', label: 'Not downloaded', percent: 0 };
    case 'PARTIAL': {
      const percent = pct(status.bytesPresent, status.bytesPresent + status.bytesNeeded);
      return { kind: 'partial', label: `Partial ${percent}%`, percent };
    }
    case 'VERIFYING':
      return { kind: 'verifying', label: 'Verifying', percent: null };
    case 'COMPLETE':
      return { kind: 'complete', label: 'Ready', percent: 100 };
    case 'CORRUPT':
      return { kind: 'corrupt', label: 'Corrupt', percent: null };
  }
}

export const variantOf = (state: AppState, model: ModelListItem): string => {
  const chosen = state.chosenVariant[model.id];
  return chosen && model.variants.includes(chosen) ? chosen : model.defaultVariant;
};

/** The most recent job of a model variant (live or finished). */
export function jobFor(state: AppState, id: string, variant: string): JobProgress | undefined {
  for (let i = state.jobOrder.length - 1; i >= 0; i--) {
    const job = state.jobs[state.jobOrder[i] as string];
    if (job && job.id === id && job.variant === variant) return job;
  }
  return undefined;
}

function matchesFilter(state: AppState, model: ModelListItem, filter: StatusFilter): boolean {
  if (filter === 'all') return true;
  const variant = variantOf(state, model);
  const { kind } = displayStatus(state.statuses[statusKey(model.id, variant)], jobFor(state, model.id, variant));
  switch (filter) {
    case 'ready':
      return kind === 'complete';
    case 'active':
      return kind === 'downloading' || kind === 'queued' || kind === 'paused' || kind === 'verifying';
    case 'missing':
      return kind === 'not-present' || kind === 'partial';
    case 'problems':
      return kind === 'corrupt' || kind === 'failed';
  }
}

const STATUS_ORDER: Record<DisplayKind, number> = {
  downloading: 0,
  verifying: 1,
  queued: 2,
  paused: 3,
  failed: 4,
  corrupt: 5,
  partial: 6,
  complete: 7,
  'not-present': 8,
  unknown: 9,
};

/** Model ids after the text filter, the status filter and the sort. */
export function selectVisibleModelIds(state: AppState): string[] {
  const needle = state.filter.trim().toLowerCase();
  const models = state.models.filter(
    (m) =>
      (!needle || m.id.toLowerCase().includes(needle) || (m.description ?? '').toLowerCase().includes(needle)) &&
      matchesFilter(state, m, state.statusFilter),
  );
  const sizeOf = (m: ModelListItem) => m.variantBytes[variantOf(state, m)] ?? m.totalBytes;
  const statusOf = (m: ModelListItem) => state.statuses[statusKey(m.id, variantOf(state, m))];
  const byName = (a: ModelListItem, b: ModelListItem) => a.id.localeCompare(b.id);
  const sorted = [...models];
  switch (state.sort) {
    case 'name':
      sorted.sort(byName);
      break;
    case 'size':
      sorted.sort((a, b) => sizeOf(b) - sizeOf(a) || byName(a, b));
      break;
    case 'lastUsed':
      sorted.sort((a, b) => (statusOf(b)?.lastUsed ?? 0) - (statusOf(a)?.lastUsed ?? 0) || byName(a, b));
      break;
    case 'status': {
      const rank = (m: ModelListItem) => {
        const v = variantOf(state, m);
        return STATUS_ORDER[displayStatus(state.statuses[statusKey(m.id, v)], jobFor(state, m.id, v)).kind];
      };
      sorted.sort((a, b) => rank(a) - rank(b) || byName(a, b));
      break;
    }
  }
  return sorted.map((m) => m.id);
}

/** Jobs newest first. */
export const selectJobList = (state: AppState): JobProgress[] =>
  state.jobOrder
    .map((id) => state.jobs[id])
    .filter((j): j is JobProgress => Boolean(j))
    .reverse();

export const selectActiveJobCount = (state: AppState): number =>
  Object.values(state.jobs).filter((j) => j.state === 'running' || j.state === 'queued' || j.state === 'verifying').length;

export const selectHasPausedJobs = (state: AppState): boolean => Object.values(state.jobs).some((j) => j.state === 'paused');
export const selectHasFinishedJobs = (state: AppState): boolean =>
  Object.values(state.jobs).some((j) => j.state === 'done' || j.state === 'failed' || j.state === 'cancelled');

/** Total download speed of running jobs (bytes/s). */
export const selectTotalSpeed = (state: AppState): number =>
  Object.values(state.jobs).reduce((sum, j) => sum + (j.state === 'running' ? j.speed : 0), 0);
