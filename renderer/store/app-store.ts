/**
 * The renderer's one store, made of typed slices (models, statuses, jobs, disk, settings, catalog, ui).
 * Slices hold plain data fed by API results and pushed events; `reset()` restores the initial
 * state (tests). Components read it through the named selectors in selectors.ts.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppInfo, ImportManifestResult, ManifestInfo, ModelListItem, SettingsView } from '../../shared/api';
import type { StructuredError } from '../../shared/errors';
import type {
  AdoptProgress,
  DiskUsage,
  GcResult,
  JobProgress,
  MirrorPushProgress,
  ModelLink,
  StatusReport,
  VerificationResult,
} from '../../shared/results';
import type { HealthReport } from '../../shared/results';

export const statusKey = (id: string, variant: string): string => `${id}\u0000${variant}`;

export interface ModelsSlice {
  models: ModelListItem[];
  manifests: ManifestInfo[];
  modelsLoaded: boolean;
  setModels(models: ModelListItem[]): void;
  setManifests(manifests: ManifestInfo[]): void;
}

export interface StatusesSlice {
  /** By statusKey(id, variant). */
  statuses: Record<string, StatusReport>;
  setStatuses(list: StatusReport[]): void;
  putStatus(status: StatusReport): void;
}

export interface JobsSlice {
  jobs: Record<string, JobProgress>;
  /** Job ids in the order they were first seen. */
  jobOrder: string[];
  setJobs(list: JobProgress[]): void;
  putJob(job: JobProgress): void;
  removeJob(jobId: string): void;
}

export interface DiskSlice {
  disk: DiskUsage | null;
  diskError: StructuredError | null;
  setDisk(disk: DiskUsage | null, error?: StructuredError | null): void;
}

/** The Storage page's health summary (getHealth). */
export interface HealthSlice {
  health: HealthReport | null;
  healthError: StructuredError | null;
  setHealth(health: HealthReport | null, error?: StructuredError | null): void;
}

export interface SettingsSlice {
  settings: SettingsView | null;
  appInfo: AppInfo | null;
  setSettings(settings: SettingsView): void;
  setAppInfo(info: AppInfo): void;
}

export interface CatalogSlice {
  /** The latest progress of a running "Find models on this computer…" scan (null when none ran yet). */
  adoptProgress: AdoptProgress | null;
  /** Where each model is linked (exports), by model id, as last read from the host. */
  modelLinks: Record<string, ModelLink[]>;
  setAdoptProgress(progress: AdoptProgress | null): void;
  setModelLinks(id: string, links: ModelLink[]): void;
}

export type View = 'models' | 'downloads' | 'storage';
export type SortKey = 'name' | 'size' | 'status' | 'lastUsed';
export type StatusFilter = 'all' | 'ready' | 'active' | 'missing' | 'problems';
export type ThemeChoice = 'system' | 'light' | 'dark';

export type Dialog =
  | { kind: 'gc' }
  | { kind: 'remove'; id: string; variant: string }
  | { kind: 'settings' }
  | { kind: 'imports' }
  | { kind: 'add-model' }
  | { kind: 'adopt' }
  | { kind: 'use-with'; id: string; variant: string }
  | { kind: 'push'; id: string; variant: string };

export interface Toast {
  id: number;
  tone: 'success' | 'error' | 'info';
  title: string;
  body?: string;
  /** Toasts about the same thing (e.g. one model) replace each other: the newest news wins. */
  key?: string;
}

export type PendingAction = 'verify' | 'pin' | 'remove' | 'start';

export interface UiSlice {
  view: View;
  filter: string;
  statusFilter: StatusFilter;
  sort: SortKey;
  theme: ThemeChoice;
  /** Variant chosen in each model's picker (default variant when absent). */
  chosenVariant: Record<string, string>;
  /** Models whose file list is open. */
  expanded: Record<string, boolean>;
  /** Last verification per statusKey. */
  verifyResults: Record<string, VerificationResult>;
  /** Actions waiting for an answer, per statusKey. */
  pending: Record<string, PendingAction>;
  importReports: ImportManifestResult[];
  dragging: boolean;
  dialog: Dialog | null;
  gcPlan: GcResult | null;
  gcResult: GcResult | null;
  toasts: Toast[];
  connection: 'connecting' | 'live' | 'lost';
  loadError: StructuredError | null;
  setView(view: View): void;
  setFilter(filter: string): void;
  setStatusFilter(filter: StatusFilter): void;
  setSort(sort: SortKey): void;
  setTheme(theme: ThemeChoice): void;
  chooseVariant(id: string, variant: string): void;
  toggleExpanded(id: string, open?: boolean): void;
  setVerifyResult(key: string, result: VerificationResult | null): void;
  setPending(key: string, action: PendingAction | null): void;
  addImportReports(reports: ImportManifestResult[]): void;
  clearImportReports(): void;
  setDragging(dragging: boolean): void;
  openDialog(dialog: Dialog | null): void;
  setGcPlan(plan: GcResult | null): void;
  setGcResult(result: GcResult | null): void;
  pushToast(toast: Omit<Toast, 'id'>): number;
  dismissToast(id: number): void;
  /** Dismisses the toasts about one thing (e.g. a model that was just removed). */
  dismissToastsWithKey(key: string): void;
  setConnection(connection: UiSlice['connection']): void;
  setLoadError(error: StructuredError | null): void;
  /** The latest progress of each push to a team mirror, per statusKey. */
  mirrorPushes: Record<string, MirrorPushProgress>;
  putMirrorProgress(progress: MirrorPushProgress): void;
}

export interface AppState extends ModelsSlice, StatusesSlice, JobsSlice, DiskSlice, HealthSlice, SettingsSlice, CatalogSlice, UiSlice {
  reset(): void;
}

export type AppStore = StoreApi<AppState>;

type Set = StoreApi<AppState>['setState'];
type Get = StoreApi<AppState>['getState'];

type Data<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K] };

const initialData = (): Data<AppState> => ({
  models: [],
  manifests: [],
  modelsLoaded: false,
  statuses: {},
  jobs: {},
  jobOrder: [],
  disk: null,
  diskError: null,
  health: null,
  healthError: null,
  settings: null,
  appInfo: null,
  adoptProgress: null,
  modelLinks: {},
  view: 'models',
  filter: '',
  statusFilter: 'all',
  sort: 'name',
  theme: 'system',
  chosenVariant: {},
  expanded: {},
  verifyResults: {},
  pending: {},
  importReports: [],
  dragging: false,
  dialog: null,
  gcPlan: null,
  gcResult: null,
  toasts: [],
  connection: 'connecting',
  loadError: null,
  mirrorPushes: {},
});

const modelsSlice = (set: Set): ModelsSlice => ({
  models: [],
  manifests: [],
  modelsLoaded: false,
  setModels: (models) => set({ models, modelsLoaded: true }),
  setManifests: (manifests) => set({ manifests }),
});

const statusesSlice = (set: Set): StatusesSlice => ({
  statuses: {},
  setStatuses: (list) => set({ statuses: Object.fromEntries(list.map((s) => [statusKey(s.id, s.variant), s])) }),
  putStatus: (status) => set((s) => ({ statuses: { ...s.statuses, [statusKey(status.id, status.variant)]: status } })),
});

const jobsSlice = (set: Set): JobsSlice => ({
  jobs: {},
  jobOrder: [],
  setJobs: (list) => set({ jobs: Object.fromEntries(list.map((j) => [j.jobId, j])), jobOrder: list.map((j) => j.jobId) }),
  putJob: (job) =>
    set((s) => ({
      jobs: { ...s.jobs, [job.jobId]: job },
      jobOrder: s.jobOrder.includes(job.jobId) ? s.jobOrder : [...s.jobOrder, job.jobId],
    })),
  removeJob: (jobId) =>
    set((s) => {
      const { [jobId]: _gone, ...jobs } = s.jobs;
      return { jobs, jobOrder: s.jobOrder.filter((id) => id !== jobId) };
    }),
});

const diskSlice = (set: Set): DiskSlice => ({
  disk: null,
  diskError: null,
  setDisk: (disk, error = null) => set({ disk, diskError: error }),
});

const healthSlice = (set: Set): HealthSlice => ({
  health: null,
  healthError: null,
  setHealth: (health, error = null) => set({ health, healthError: error }),
});

const settingsSlice = (set: Set): SettingsSlice => ({
  settings: null,
  appInfo: null,
  setSettings: (settings) => set({ settings }),
  setAppInfo: (appInfo) => set({ appInfo }),
});

const catalogSlice = (set: Set): CatalogSlice => ({
  adoptProgress: null,
  modelLinks: {},
  setAdoptProgress: (adoptProgress) => set({ adoptProgress }),
  setModelLinks: (id, links) => set((s) => ({ modelLinks: { ...s.modelLinks, [id]: links } })),
});

let toastCounter = 0;

const uiSlice = (set: Set, get: Get): UiSlice => ({
  ...(initialData() as Pick<UiSlice, keyof Data<UiSlice>>),
  setView: (view) => set({ view }),
  setFilter: (filter) => set({ filter }),
  setStatusFilter: (statusFilter) => set({ statusFilter }),
  setSort: (sort) => set({ sort }),
  setTheme: (theme) => set({ theme }),
  chooseVariant: (id, variant) => set((s) => ({ chosenVariant: { ...s.chosenVariant, [id]: variant } })),
  toggleExpanded: (id, open) => set((s) => ({ expanded: { ...s.expanded, [id]: open ?? !s.expanded[id] } })),
  setVerifyResult: (key, result) => {
    if (!result && !(key in get().verifyResults)) return;
    set((s) => {
      const { [key]: _old, ...rest } = s.verifyResults;
      return { verifyResults: result ? { ...rest, [key]: result } : rest };
    });
  },
  setPending: (key, action) =>
    set((s) => {
      const { [key]: _old, ...rest } = s.pending;
      return { pending: action ? { ...rest, [key]: action } : rest };
    }),
  addImportReports: (reports) => set((s) => ({ importReports: [...reports, ...s.importReports].slice(0, 20) })),
  clearImportReports: () => set({ importReports: [] }),
  setDragging: (dragging) => {
    if (get().dragging !== dragging) set({ dragging });
  },
  openDialog: (dialog) => set({ dialog }),
  setGcPlan: (gcPlan) => set({ gcPlan }),
  setGcResult: (gcResult) => set({ gcResult }),
  pushToast: (toast) => {
    const id = ++toastCounter;
    set((s) => ({ toasts: [...s.toasts.filter((t) => !toast.key || t.key !== toast.key), { ...toast, id }].slice(-3) }));
    return id;
  },
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  dismissToastsWithKey: (key) => {
    if (get().toasts.some((t) => t.key === key)) set((s) => ({ toasts: s.toasts.filter((t) => t.key !== key) }));
  },
  setConnection: (connection) => set({ connection }),
  setLoadError: (loadError) => set({ loadError }),
  putMirrorProgress: (progress) =>
    set((s) => ({ mirrorPushes: { ...s.mirrorPushes, [statusKey(progress.id, progress.variant)]: progress } })),
});

export function createAppStore(overrides: Partial<Data<AppState>> = {}): AppStore {
  const store = createStore<AppState>()((set, get) => ({
    ...modelsSlice(set),
    ...statusesSlice(set),
    ...jobsSlice(set),
    ...diskSlice(set),
    ...healthSlice(set),
    ...settingsSlice(set),
    ...catalogSlice(set),
    ...uiSlice(set, get),
    ...overrides,
    reset: () => set({ ...initialData(), ...overrides }),
  }));
  return store;
}
