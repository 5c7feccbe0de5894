/**
 * Logs a machine can read (`--log-format json`, `MODELS_LOG_FORMAT=json`): one JSON object a
 * line with `time`, `level`, `msg`, `runId` (this process), `correlationId` (one per job: every
 * line of one model's ensure carries the same id) and the event's fields, every secret masked.
 */
import { randomBytes } from 'node:crypto';
import type { OrchestratorEvent, OrchestratorObserver } from '../ports';
import { redactSource } from '../manifest/index';
import { maskFields, maskText } from './secret-mask';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface JsonLogOptions {
  write: (line: string) => void;
  /** Secret values to mask wherever they appear (see secretsFromEnv). */
  secrets?: readonly string[];
  now?: () => number;
}

export class JsonLog {
  readonly runId = newId();
  private readonly jobs = new Map<string, string>();
  private readonly secrets: readonly string[];
  private readonly now: () => number;

  constructor(private readonly options: JsonLogOptions) {
    this.secrets = options.secrets ?? [];
    this.now = options.now ?? Date.now;
  }

  log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    const record = {
      time: new Date(this.now()).toISOString(),
      level,
      msg: maskText(msg, this.secrets),
      runId: this.runId,
      ...(maskFields(fields, this.secrets) as Record<string, unknown>),
    };
    try {
      this.options.write(`${JSON.stringify(record)}\n`);
    } catch {
      // A closed stderr must not break the operation being logged.
    }
  }

  /** Pass as (or chain into) the orchestrator's `onEvent`. */
  readonly observe: OrchestratorObserver = (event: OrchestratorEvent): void => {
    switch (event.type) {
      case 'download-started': {
        const correlationId = newId();
        this.jobs.set(jobKey(event), correlationId);
        this.log('info', `downloading ${event.id} [${event.variant}]`, {
          event: event.type,
          correlationId,
          ...model(event),
          bytesToFetch: event.bytesToFetch,
        });
        return;
      }
      case 'file-fetched':
        this.log('info', `fetched ${event.path}`, {
          event: event.type,
          correlationId: this.jobs.get(jobKey(event)) ?? null,
          ...model(event),
          path: event.path,
          source: redactSource(event.source),
          bytes: event.bytes,
        });
        return;
      case 'download-finished': {
        const correlationId = this.jobs.get(jobKey(event)) ?? newId();
        this.jobs.delete(jobKey(event));
        const verb = event.status === 'success' ? 'ready' : event.status === 'cancelled' ? 'cancelled' : 'failed';
        this.log(event.status === 'failure' ? 'error' : 'info', `${event.id} [${event.variant}] ${verb}`, {
          event: event.type,
          correlationId,
          ...model(event),
          status: event.status,
          source: event.source === null ? null : redactSource(event.source),
          bytesDownloaded: event.bytesDownloaded,
          dedupBytesSaved: event.dedupBytesSaved,
          durationSeconds: event.durationSeconds,
          ...(event.error ? { error: { code: event.error.code, message: event.error.message, details: event.error.details } } : {}),
        });
        return;
      }
      case 'verify-finished':
        this.log(event.success ? 'info' : 'error', `${event.id} [${event.variant}] ${event.success ? 'verified' : 'failed verification'}`, {
          event: event.type,
          correlationId: newId(),
          ...model(event),
          success: event.success,
          badFiles: event.badFiles,
        });
        return;
      case 'gc-finished':
        this.log('info', `garbage collection removed ${event.removed} model(s)`, {
          event: event.type,
          trigger: event.trigger,
          removed: event.removed,
          bytesReclaimed: event.bytesReclaimed,
        });
        return;
      case 'lock-timeout':
        this.log('warn', `timed out waiting for the lock of ${event.what}`, { event: event.type, what: event.what });
        return;
      case 'operation-failed':
        // The host logs the failure it reports (with its exit status); counted by metrics only.
        return;
    }
  };
}

function newId(): string {
  return randomBytes(8).toString('hex');
}

function jobKey(event: { id: string; variant: string }): string {
  return `${event.id}\u0000${event.variant}`;
}

function model(event: { id: string; variant: string }): { modelId: string; variant: string } {
  return { modelId: event.id, variant: event.variant };
}
