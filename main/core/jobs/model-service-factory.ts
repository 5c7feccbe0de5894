/**
 * How the app service obtains the model service it drives (the orchestrator in production, a
 * fake in some tests): a factory called with the models root, the merged catalogue and the
 * live settings.
 */
import type { ModelSpec } from '../../../shared/manifest';
import type { StatusReport } from '../../../shared/results';
import type { ModelService } from '../ports';
import type { AppSettings } from './settings-store';

export type ClosableModelService = ModelService & {
  close(): Promise<void> | void;
  /** Status changes made by this service (e.g. by GC); forwarded as `status` events when present. */
  onStatusChange?(listener: (status: StatusReport) => void): () => void;
};

export interface ModelServiceContext {
  root: string;
  models: () => ModelSpec[];
  /** Current settings (token, S3, bandwidth); read it when needed, it changes at runtime. */
  settings: () => AppSettings;
}

export type ModelServiceFactory = (context: ModelServiceContext) => ClosableModelService | Promise<ClosableModelService>;
