/**
 * What one modelctl run reports besides its output: Prometheus metrics written to
 * `--metrics-file` at the end (atomically, so node_exporter's textfile collector never reads
 * half a file) and, with `--log-format json` / MODELS_LOG_FORMAT=json, one JSON object a line
 * on stderr instead of the human messages and progress bars.
 */
import { dirname, resolve } from 'node:path';
import { OrchestratorError, toStructuredError } from '../../shared/errors';
import { OrchestratorMetrics } from '../core/health/orchestrator-metrics';
import { JsonLog } from '../core/logging/json-log';
import { secretsFromEnv } from '../core/logging/secret-mask';
import type { OrchestratorObserver } from '../core/ports';
import type { HealthReport } from '../../shared/results';
import { writeFileDurable } from '../core/store/durable-write';
import { logFormatOf, type GlobalOptions } from './parse-command-line';

export interface RunTelemetry {
  /** JSON log (null in text mode). */
  readonly log: JsonLog | null;
  /** Give to the orchestrator as `onEvent`. */
  readonly observe: OrchestratorObserver;
  /** The models root the storage gauges measure. */
  setRoot(root: string): void;
  /** The report of a `health` run, exported as the health gauges. */
  setHealth(report: HealthReport): void;
  /** Counts the run's failure (one per run: a run is one operation). */
  failed(error: unknown): void;
  /** Writes the metrics file and the closing log line; returns the exit status (1 if the file could not be written). */
  finish(command: string, code: number): Promise<number>;
}

export function startRunTelemetry(
  global: GlobalOptions,
  io: { env: NodeJS.ProcessEnv; cwd: string; stderr: { write(text: string): unknown }; now?: () => number },
): RunTelemetry {
  const now = io.now ?? Date.now;
  const started = now();
  const env = io.env.MODELS_LOG_FORMAT;
  const format = global.logFormat ?? (env ? logFormatOf(env, 'MODELS_LOG_FORMAT') : 'text');
  const log = format === 'json' ? new JsonLog({ write: (line) => io.stderr.write(line), secrets: secretsFromEnv(io.env), now }) : null;
  let root: string | null = null;
  let health: HealthReport | null = null;
  const metrics = global.metricsFile !== undefined ? new OrchestratorMetrics({ root: () => root, health: async () => health }) : null;
  const metricsFile = global.metricsFile !== undefined ? resolve(io.cwd, global.metricsFile) : null;
  return {
    log,
    observe: (event) => {
      // The run's own failure is counted once by failed(); the orchestrator's copy of it is not.
      if (event.type !== 'operation-failed') metrics?.observe(event);
      log?.observe(event);
    },
    setRoot(value) {
      root = value;
    },
    setHealth(report) {
      health = report;
    },
    failed(error) {
      const structured = toStructuredError(error);
      metrics?.observe({ type: 'operation-failed', operation: 'modelctl', error: structured });
    },
    async finish(command, code) {
      let exit = code;
      if (metrics && metricsFile) {
        try {
          await writeFileDurable(metricsFile, await metrics.text());
        } catch (error) {
          const e = new OrchestratorError(
            'FILESYSTEM_ERROR',
            `Could not write the metrics file ${metricsFile} (${(error as Error).message}). Check that ${dirname(metricsFile)} exists and is writable.`,
            { path: metricsFile },
          );
          if (log) log.log('error', e.message, { event: 'metrics-file-failed', error: { code: e.code, details: e.details } });
          else io.stderr.write(`modelctl: ${e.message}\n`);
          if (exit === 0) exit = 1;
        }
      }
      log?.log(exit === 0 ? 'info' : 'error', `modelctl ${command} finished`, {
        event: 'command-finished',
        command,
        exitCode: exit,
        durationSeconds: (now() - started) / 1000,
      });
      return exit;
    },
  };
}
