/**
 * What "Add model…", "Find models on this computer…" and "Use with…" do: call the host and
 * refresh what their results change. Each answers with an Outcome, so its dialog can show the
 * error in place (code, message, what to do) instead of a toast that hides behind the dialog.
 */
import type { ApiClient, ApiInput } from '../../shared/api';
import type { StructuredError } from '../../shared/errors';
import type { AddModelResult, AdoptFolderSuggestion, AdoptResult, ExportResult, SourcePreview } from '../../shared/results';
import type { AppStore } from './app-store';

export type Outcome<T> = { ok: true; result: T } | { ok: false; error: StructuredError };

export interface CatalogActions {
  previewModelSource(input: ApiInput<'previewModelSource'>): Promise<Outcome<SourcePreview>>;
  addModel(input: ApiInput<'addModel'>): Promise<Outcome<AddModelResult>>;
  suggestAdoptFolders(): Promise<Outcome<AdoptFolderSuggestion[]>>;
  adoptFolders(dirs: string[]): Promise<Outcome<AdoptResult>>;
  exportModel(input: ApiInput<'exportModel'>): Promise<Outcome<ExportResult>>;
  /** The desktop folder picker; null when the user cancels (a failure is a toast; the path field stays usable). */
  chooseFolder(title: string): Promise<string | null>;
  /** Reads where a model is linked into the store (for Use with… and the Remove warning). */
  refreshModelLinks(id: string): Promise<void>;
}

/** What the catalog actions need from the rest of the actions. */
export interface CatalogRefreshers {
  asStructured(error: unknown): StructuredError;
  refreshModels(): Promise<void>;
  refreshStatuses(): Promise<void>;
  refreshDisk(): Promise<void>;
}

export function createCatalogActions(client: ApiClient, store: AppStore, app: CatalogRefreshers): CatalogActions {
  const attempt = async <T>(run: () => Promise<T>): Promise<Outcome<T>> => {
    try {
      return { ok: true, result: await run() };
    } catch (error) {
      return { ok: false, error: app.asStructured(error) };
    }
  };

  const actions: CatalogActions = {
    previewModelSource: (input) => attempt(() => client.previewModelSource(input)),

    addModel: (input) =>
      attempt(async () => {
        const result = await client.addModel(input);
        // The host also sends a `models` event; reading now means "Download now" finds the new card.
        await app.refreshModels();
        await app.refreshStatuses();
        return result;
      }),

    suggestAdoptFolders: () => attempt(async () => (await client.suggestAdoptFolders()).folders),

    adoptFolders: (dirs) =>
      attempt(async () => {
        store.getState().setAdoptProgress(null);
        const result = await client.adoptFolders({ dirs });
        await Promise.all([app.refreshStatuses(), app.refreshDisk()]);
        return result;
      }),

    exportModel: (input) =>
      attempt(async () => {
        const result = await client.exportModel(input);
        await actions.refreshModelLinks(input.id);
        return result;
      }),

    async chooseFolder(title) {
      try {
        return (await client.chooseFolder({ title })).path;
      } catch (error) {
        const e = app.asStructured(error);
        store.getState().pushToast({ tone: 'error', title: 'Could not open the folder picker', body: `${e.code}: ${e.message}` });
        return null;
      }
    },

    async refreshModelLinks(id) {
      try {
        store.getState().setModelLinks(id, (await client.listModelLinks({ id })).links);
      } catch {
        // Links are extra information: without them the dialogs still work, they just say less.
      }
    },
  };
  return actions;
}
