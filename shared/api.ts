/**
 * The ONE API contract between the UI and the core. The Electron IPC adapter, the preload,
 * the localhost web host and the renderer client are all derived from `apiMethods`:
 * every method lists its zod input schema (inputs are `unknown` until parsed) and its result
 * type; `apiEvents` lists what the core pushes. `handleApiCall` validates and dispatches a
 * call and never throws; `createApiClient` gives the renderer a typed client over any
 * transport (fetch + EventSource on the web, `window.modelOrchestrator` in Electron).
 *
 * No Node, DOM or electron imports here: this file runs on both sides.
 */
import { z } from 'zod';
import { OrchestratorError, toStructuredError, type StructuredError } from './errors';
import type { ManifestProblem } from './manifest';
import type {
  DiskUsage,
  GcResult,
  JobProgress,
  MirrorPushProgress,
  MirrorPushResult,
  MirrorTestResult,
  ModelSummary,
  PinResult,
  StatusReport,
  VerificationResult,
} from './results';
import type { AddModelResult, AdoptFolderSuggestion, AdoptProgress, AdoptResult, ExportResult, ModelLink, SourcePreview } from './results';
import type { HealthReport } from './results';

// ---------------------------------------------------------------------------------------------
// Result types that exist only at the API level
// ---------------------------------------------------------------------------------------------

/** One file of a model as the UI shows it. */
export interface ModelFileInfo {
  path: string;
  size: number;
  optional: boolean;
  /** Variants this file belongs to; undefined means every variant. */
  variants?: string[];
}

/** A model in the list: the summary plus what the variant picker and file views need. */
export interface ModelListItem extends ModelSummary {
  /** Bytes of each variant's files (required and optional). */
  variantBytes: Record<string, number>;
  files: ModelFileInfo[];
  /** Name of the imported manifest the model came from (null for the startup manifest). */
  manifest: string | null;
}

export interface ImportManifestResult {
  /** Display name of the manifest (usually the file name). */
  name: string;
  /** True when the manifest parsed and validated; its models (minus conflicts) were added. */
  ok: boolean;
  /** Model ids added or replaced. */
  added: string[];
  /** Models skipped because another manifest already defines the same id differently. */
  conflicts: ManifestProblem[];
  /** Validation problems, each with its place (`models."x".files[3].sha256`). */
  problems: ManifestProblem[];
  /** Why the import failed (code, message saying what to do), null on success. */
  error: StructuredError | null;
}

export interface ManifestInfo {
  name: string;
  models: string[];
  /** ms since epoch. */
  importedAt: number;
  /** True for the manifest passed at startup (`--manifest`); it cannot be removed from the UI. */
  builtIn: boolean;
}

export interface RemoveResult {
  id: string;
  variant: string;
  bytesFreed: number;
  /** Exports of the model that still hold its bytes (absent when there are none). */
  links?: ModelLink[];
}

/** Settings as the UI sees them: secrets are write-only (only whether one is set is returned). */
export interface SettingsView {
  modelsRoot: string;
  parallelDownloads: number;
  /** Download bandwidth limit in bytes per second; null = unlimited. */
  maxBytesPerSecond: number | null;
  /** Disk budget for models in bytes; null = no quota. */
  quotaBytes: number | null;
  hfTokenSet: boolean;
  s3: {
    endpoint: string | null;
    region: string | null;
    accessKeyId: string | null;
    secretAccessKeySet: boolean;
  };
  /**
   * How saved secrets are protected: 'os-keychain' (the desktop app's safeStorage) or 'file'
   * (a file only this user can read, when no keychain is available). Absent from older hosts.
   */
  secretStorage?: 'os-keychain' | 'file';
  /** Network and disk (absent from older hosts): the proxy without its credentials (null = the environment's HTTP(S)_PROXY), */
  proxy?: string | null;
  /** whether the saved proxy URL holds a user and password (never returned), */
  proxyCredentialsSet?: boolean;
  /** the CA certificates file trusted besides the default roots, and the free space kept beyond downloads (null = 1 GiB). */
  caFile?: string | null;
  minFreeBytes?: number | null;
  /** Team mirror roots (`s3://bucket/prefix`, `https://…`) tried before every model's own sources. */
  mirrors?: string[];
}

export interface AppInfo {
  version: string;
  /** Which host serves the API; the renderer hides desktop-only actions on the web. */
  host: 'web' | 'electron';
  /** True when `openFolder` can open a file manager (desktop app only). */
  canOpenFolder: boolean;
  modelsRoot: string;
  /** Problems met at startup that the user should know about (damaged settings, unrestorable imports). */
  notices?: string[];
}

export interface AppNotification {
  kind: 'completed' | 'failed';
  title: string;
  body: string;
  id?: string;
  variant?: string;
  jobId?: string;
}

// ---------------------------------------------------------------------------------------------
// Input schemas
// ---------------------------------------------------------------------------------------------

const text = (max: number) => z.string().min(1).max(max);

/** Methods without input accept nothing, `undefined`, `null` or `{}`. */
const NoInput = z.union([z.undefined(), z.null(), z.strictObject({})]).transform(() => ({}) as Record<string, never>);

const ModelRef = z.strictObject({
  id: text(256),
  variant: text(128).optional(),
});

const JobRef = z.strictObject({ jobId: text(128) });

const MirrorRef = z.strictObject({ mirror: text(2048) });
const MirrorPushInput = z.strictObject({ id: text(256), variant: text(128).optional(), to: text(2048) });

const nonNegativeInt = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const GcInput = z
  .strictObject({
    maxSizeBytes: nonNegativeInt.optional(),
    maxAgeMs: nonNegativeInt.optional(),
    targetFreeBytes: nonNegativeInt.optional(),
  })
  .optional()
  .transform((v) => v ?? {});

/** Manifests are small text files; 8 MiB leaves room for thousands of models. */
const MAX_MANIFEST_CHARS = 8 * 1024 * 1024;

const ImportManifestInput = z.strictObject({
  name: text(255),
  text: z.string().max(MAX_MANIFEST_CHARS),
});

const nullableSecret = z.union([z.string().max(4096), z.null()]);
const nullableText = z.union([z.string().max(2048), z.null()]);

const SettingsPatch = z.strictObject({
  modelsRoot: text(4096).optional(),
  parallelDownloads: z.number().int().min(1).max(16).optional(),
  maxBytesPerSecond: z.union([nonNegativeInt, z.null()]).optional(),
  quotaBytes: z.union([nonNegativeInt, z.null()]).optional(),
  /** A string sets the token, null or '' clears it. */
  hfToken: nullableSecret.optional(),
  s3: z
    .strictObject({
      endpoint: nullableText.optional(),
      region: nullableText.optional(),
      accessKeyId: nullableText.optional(),
      secretAccessKey: nullableSecret.optional(),
    })
    .optional(),
  /** A proxy URL (may hold user:password@); null or '' = use the environment. */
  proxy: nullableSecret.optional(),
  /** A PEM file of extra CA certificates; null or '' = none. */
  caFile: z.union([z.string().max(4096), z.null()]).optional(),
  /** Free space to keep beyond a download in bytes; null = the default (1 GiB). */
  minFreeBytes: z.union([nonNegativeInt, z.null()]).optional(),
  /** The whole list; each entry an s3:// or http(s):// mirror root. */
  mirrors: z
    .array(
      z
        .string()
        .trim()
        .max(2048)
        .regex(/^(s3|https?):\/\/[^\s/]+\S*$/i, 'must be an s3://bucket/prefix or https://host/prefix mirror'),
    )
    .max(16)
    .optional(),
});

/** `getHealth`: every model, or only these ids. */
const HealthInput = z
  .union([z.null(), z.strictObject({ ids: z.array(text(256)).max(10_000).optional() })])
  .optional()
  .transform((v) => v ?? {});

export type SettingsPatch = z.infer<typeof SettingsPatch>;
export type GcInput = z.output<typeof GcInput>;

// ---------------------------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------------------------

export interface MethodSpec<I extends z.ZodType, R> {
  input: I;
  /** Phantom: carries the result type only. */
  readonly result?: R;
  /** Methods only the desktop host can really perform (others answer with a clear error). */
  desktopOnly?: boolean;
}

function method<R>() {
  return <I extends z.ZodType>(input: I, extra: { desktopOnly?: boolean } = {}): MethodSpec<I, R> => ({
    input,
    ...extra,
  });
}

export const apiMethods = {
  getAppInfo: method<AppInfo>()(NoInput),

  listModels: method<ModelListItem[]>()(NoInput),
  listManifests: method<ManifestInfo[]>()(NoInput),
  importManifest: method<ImportManifestResult>()(ImportManifestInput),
  removeManifest: method<{ name: string; removed: string[] }>()(z.strictObject({ name: text(255) })),

  // ---- add, adopt, export (catalog) ----
  /** Lists what a source holds without downloading large files (hf: Hub metadata; small non-LFS files
   *  are fetched and hashed; s3: SHA256SUMS / checksums / hashing; folder: hashing). */
  previewModelSource: method<SourcePreview>()(
    z.strictObject({
      /** "org/repo", "https://huggingface.co/org/repo", "hf://org/repo@rev", "s3://b/p", "/abs/folder" */
      source: text(4096),
      /** hf only; default "main". */
      revision: text(256).optional(),
    }),
  ),
  /** Writes the model into the app's own manifest ("added-models.toml" in the app state; listed by
   *  listManifests like an import, builtIn false, name "Added models"); adding the same id again updates it. */
  addModel: method<AddModelResult>()(
    z.strictObject({
      source: text(4096),
      revision: text(256).optional(),
      /** The preview's revisionName when `source` is the preview's pinned source (recorded as hf_revision). */
      revisionName: z
        .string()
        .max(256)
        .regex(/^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'a branch or tag name')
        .optional(),
      id: text(128).optional(),
      include: z.array(text(512)).max(64).optional(),
      exclude: z.array(text(512)).max(64).optional(),
      variants: z
        .array(z.strictObject({ name: text(128), patterns: z.array(text(512)).min(1).max(64) }))
        .max(32)
        .optional(),
      description: text(1024).optional(),
    }),
  ),
  /** Folders worth scanning on this machine, pre-filled in "Find models on this computer…". */
  suggestAdoptFolders: method<{ folders: AdoptFolderSuggestion[] }>()(NoInput),
  /** Scans folders, hashes size-matching candidates, links matches into the store, assembles complete models.
   *  Emits `adoptProgress` events while it runs. */
  adoptFolders: method<AdoptResult>()(z.strictObject({ dirs: z.array(text(4096)).min(1).max(32) })),
  /** Exports a complete model: to an HF cache (default dir: HF_HUB_CACHE or ~/.cache/huggingface/hub) or to a plain folder (dir required). */
  exportModel: method<ExportResult>()(
    z.strictObject({
      id: text(256),
      variant: text(128).optional(),
      target: z.enum(['hf-cache', 'folder']),
      dir: text(4096).optional(),
    }),
  ),
  /** Where a model is linked (exports), for "Use with…" and for remove's warning. */
  listModelLinks: method<{ links: ModelLink[] }>()(ModelRef),
  // ---- end of add, adopt, export ----

  getStatus: method<StatusReport>()(ModelRef),
  /** Every (model, variant) pair. Status is a stat, never a hash. */
  getAllStatuses: method<StatusReport[]>()(NoInput),

  /** Enqueues a download job (or returns the live one for the same model and variant). */
  startDownload: method<JobProgress>()(ModelRef),
  pauseJob: method<JobProgress>()(JobRef),
  resumeJob: method<JobProgress>()(JobRef),
  cancelJob: method<JobProgress>()(JobRef),
  /** Forgets a finished (done, failed, cancelled) job. */
  dismissJob: method<{ jobId: string }>()(JobRef),
  pauseAll: method<JobProgress[]>()(NoInput),
  resumeAll: method<JobProgress[]>()(NoInput),
  listJobs: method<JobProgress[]>()(NoInput),

  verify: method<VerificationResult>()(ModelRef),
  pin: method<PinResult>()(ModelRef),
  unpin: method<PinResult>()(ModelRef),
  remove: method<RemoveResult>()(ModelRef),
  /** Dry run: what gc would remove, why, and the bytes reclaimed. Pins are respected. */
  gcPlan: method<GcResult>()(GcInput),
  gcRun: method<GcResult>()(GcInput),
  /** Health of every model (quick status, no hashing, a time budget), as `modelctl health --json` prints it. */
  getHealth: method<HealthReport>()(HealthInput),
  diskUsage: method<DiskUsage>()(NoInput),
  /** Team mirror: reachability and credentials (a signed List on the prefix, then its index). */
  testMirror: method<MirrorTestResult>()(MirrorRef),
  /** Uploads a complete model's verified blobs, its manifest entry and the index; progress as `mirrorProgress` events. */
  pushToMirror: method<MirrorPushResult>()(MirrorPushInput),

  getSettings: method<SettingsView>()(NoInput),
  setSettings: method<SettingsView>()(SettingsPatch),

  /** Opens the model's folder in the file manager (desktop app only). */
  openFolder: method<{ opened: boolean; path: string }>()(ModelRef, { desktopOnly: true }),
  /** Asks for a folder with the system's folder picker (desktop app only); `path` is null when the user cancels. */
  chooseFolder: method<{ path: string | null }>()(z.strictObject({ title: text(256).optional() }), { desktopOnly: true }),
} as const;

export type ApiMethods = typeof apiMethods;
export type ApiMethodName = keyof ApiMethods;
export const API_METHOD_NAMES = Object.keys(apiMethods) as ApiMethodName[];

/** What a caller passes (before parsing). */
export type ApiInput<M extends ApiMethodName> = z.input<ApiMethods[M]['input']>;
/** What a handler receives (after parsing). */
export type ApiParsedInput<M extends ApiMethodName> = z.output<ApiMethods[M]['input']>;
export type ApiResult<M extends ApiMethodName> = NonNullable<ApiMethods[M]['result']>;

export type ApiResponse<R = unknown> = { ok: true; result: R } | { ok: false; error: StructuredError };

// ---------------------------------------------------------------------------------------------
// Pushed events
// ---------------------------------------------------------------------------------------------

export type ApiEvent =
  /** A job changed (throttled to a few per second per job; the final state is always sent). */
  | { type: 'job'; job: JobProgress }
  /** A finished job was dismissed. */
  | { type: 'jobRemoved'; jobId: string }
  /** The status of one (model, variant) changed. */
  | { type: 'status'; status: StatusReport }
  /** The list of models changed (manifest imported or removed). */
  | { type: 'models' }
  /** Disk usage changed (download finished, remove, gc). Clients re-read `diskUsage`. */
  | { type: 'disk' }
  | { type: 'settings'; settings: SettingsView }
  | { type: 'notification'; notification: AppNotification }
  /** Progress of `adoptFolders` (throttled to a few per second; the final `done` is always sent). */
  | { type: 'adoptProgress'; progress: AdoptProgress }
  /** A push to a team mirror advanced (throttled) or ended (`done`). */
  | { type: 'mirrorProgress'; progress: MirrorPushProgress };

export type ApiEventType = ApiEvent['type'];
export const API_EVENT_TYPES: readonly ApiEventType[] = [
  'job',
  'jobRemoved',
  'status',
  'models',
  'disk',
  'settings',
  'notification',
  'adoptProgress',
  'mirrorProgress',
];

/** Events arrive from another process: accept only known shapes (fields are trusted from our own host). */
export function parseApiEvent(value: unknown): ApiEvent | null {
  if (typeof value !== 'object' || value === null) return null;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !(API_EVENT_TYPES as readonly string[]).includes(type)) return null;
  return value as ApiEvent;
}

// ---------------------------------------------------------------------------------------------
// Server side: handlers and the dispatcher
// ---------------------------------------------------------------------------------------------

/** What a host implements: one function per method, receiving the parsed input. */
export type ApiService = {
  [M in ApiMethodName]: (input: ApiParsedInput<M>) => Promise<ApiResult<M>> | ApiResult<M>;
};

export type ApiHandlers = ApiService;

/** Binds a service (a class instance works) into a plain handler table, checking nothing is missing. */
export function createApiHandlers(service: ApiService): ApiHandlers {
  const handlers = {} as Record<ApiMethodName, unknown>;
  const missing: string[] = [];
  for (const name of API_METHOD_NAMES) {
    const fn = (service as unknown as Record<string, unknown>)[name];
    if (typeof fn !== 'function') missing.push(name);
    else handlers[name] = (fn as (input: unknown) => unknown).bind(service);
  }
  if (missing.length) {
    throw new OrchestratorError('INVALID_CONFIG', `createApiHandlers: the service lacks ${missing.join(', ')}.`, { missing });
  }
  return handlers as ApiHandlers;
}

export function isApiMethodName(value: unknown): value is ApiMethodName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(apiMethods, value);
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): Array<{ path: string; message: string }> {
  return issues.map((issue) => ({
    path: issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.') : '(input)',
    message: issue.message,
  }));
}

/**
 * Validates the method name and input, calls the handler and turns every failure into a
 * structured error. Never throws.
 */
export async function handleApiCall(handlers: ApiHandlers, method: unknown, input: unknown): Promise<ApiResponse> {
  try {
    if (!isApiMethodName(method)) {
      const shown = typeof method === 'string' ? method.slice(0, 64) : typeof method;
      return {
        ok: false,
        error: toStructuredError(
          new OrchestratorError('INVALID_CONFIG', `api: unknown method "${shown}". Update the app so both sides speak the same API.`, {
            method: shown,
          }),
        ),
      };
    }
    const spec = apiMethods[method];
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) {
      const problems = describeIssues(parsed.error.issues);
      const summary = problems
        .slice(0, 3)
        .map((p) => `${p.path}: ${p.message}`)
        .join('; ');
      return {
        ok: false,
        error: toStructuredError(new OrchestratorError('INVALID_CONFIG', `${method}: invalid input (${summary}).`, { method, problems })),
      };
    }
    const handler = (handlers as unknown as Record<string, ((input: unknown) => unknown) | undefined>)[method];
    if (typeof handler !== 'function') {
      return {
        ok: false,
        error: toStructuredError(new OrchestratorError('INVALID_CONFIG', `${method}: this host does not implement it.`, { method })),
      };
    }
    const result = await handler(parsed.data);
    return { ok: true, result };
  } catch (error) {
    return { ok: false, error: toStructuredError(error) };
  }
}

// ---------------------------------------------------------------------------------------------
// Client side
// ---------------------------------------------------------------------------------------------

/** Moves calls and events; the web uses fetch + EventSource, Electron the preload bridge. */
export interface ApiTransport {
  call(method: ApiMethodName, input: unknown): Promise<ApiResponse>;
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

/** A failed call, carrying the structured error for the UI to show (code, message, details). */
export class ApiCallError extends Error {
  readonly error: StructuredError;
  constructor(error: StructuredError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.error = error;
  }
}

type ClientMethod<M extends ApiMethodName> =
  undefined extends ApiInput<M> ? (input?: ApiInput<M>) => Promise<ApiResult<M>> : (input: ApiInput<M>) => Promise<ApiResult<M>>;

export type ApiClient = { [M in ApiMethodName]: ClientMethod<M> } & {
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
};

/** A typed client: each method resolves with its result or rejects with ApiCallError. */
export function createApiClient(transport: ApiTransport): ApiClient {
  const client: Record<string, unknown> = {};
  for (const name of API_METHOD_NAMES) {
    client[name] = async (input?: unknown) => {
      let response: ApiResponse;
      try {
        response = await transport.call(name, input);
      } catch (error) {
        throw new ApiCallError(toStructuredError(error));
      }
      if (!response || typeof response !== 'object') {
        throw new ApiCallError({ code: 'UNKNOWN_ERROR', message: `${name}: the host sent no answer.`, details: {}, retryable: true });
      }
      if (response.ok) return response.result;
      throw new ApiCallError(response.error);
    };
  }
  client.onEvent = (listener: (event: ApiEvent) => void) => transport.subscribe(listener);
  return client as ApiClient;
}

// ---------------------------------------------------------------------------------------------
// Electron wiring (names only; the adapter lives in main/app, the bridge in preload)
// ---------------------------------------------------------------------------------------------

/** ipcMain.handle channel: `(method: unknown, input: unknown) => ApiResponse`. */
export const API_CALL_CHANNEL = 'model-orchestrator:call';
/** webContents.send channel carrying one ApiEvent. */
export const API_EVENT_CHANNEL = 'model-orchestrator:event';
/** The global the preload exposes with contextBridge.exposeInMainWorld. */
export const API_BRIDGE_GLOBAL = 'modelOrchestrator';

/**
 * What the preload exposes as `window.modelOrchestrator`: one function per API method
 * (each forwarding `(input)` over API_CALL_CHANNEL) plus `onEvent`.
 */
export type PreloadBridge = { [M in ApiMethodName]: (input?: unknown) => Promise<ApiResponse<ApiResult<M>>> } & {
  onEvent(listener: (event: ApiEvent) => void): () => void;
};

/** Transport over the preload bridge (renderer side, Electron). */
export function bridgeTransport(bridge: PreloadBridge): ApiTransport {
  return {
    call: (method, input) => {
      const fn = (bridge as unknown as Record<string, ((input?: unknown) => Promise<ApiResponse>) | undefined>)[method];
      if (typeof fn !== 'function') {
        return Promise.resolve({
          ok: false,
          error: {
            code: 'INVALID_CONFIG',
            message: `${method}: the desktop bridge lacks this method. Update the app.`,
            details: {},
            retryable: false,
          },
        });
      }
      return fn(input);
    },
    subscribe: (listener) =>
      bridge.onEvent((event) => {
        const parsed = parseApiEvent(event);
        if (parsed) listener(parsed);
      }),
  };
}
