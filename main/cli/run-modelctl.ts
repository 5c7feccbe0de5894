/**
 * modelctl without the process around it: parses the arguments, loads the manifest, drives
 * the orchestrator and writes the result. Returns the exit status (0 success, 1 the
 * operation failed, 2 bad usage, 130 cancelled) so tests can run it in-process too.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { OrchestratorError, toStructuredError, type StructuredError } from '../../shared/errors';
import type { ModelSpec } from '../../shared/manifest';
import type { ModelService, OrchestratorObserver } from '../core/ports';
import { checkHealth } from '../core/health/health-report';
import type { JsonLog } from '../core/logging/json-log';
import { loadManifestFile, ModelRegistry } from '../core/manifest/index';
import { defaultModelsRoot } from '../core/store/default-root';
import { runCatalogCommand } from './catalog-commands';
import { helpText } from './help-text';
import { parseCommandLine, parseMinFree, UsageError, type Command, type CommandLine, type GlobalOptions } from './parse-command-line';
import type { NetworkOptions } from '../core/net/http-dispatcher';
import { resultDocuments } from './result-documents';
import { resultText } from './result-text';
import { startRunTelemetry, type RunTelemetry } from './run-telemetry';
import { TerminalProgress, type ProgressTerminal } from './terminal-progress';

export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

/** `add s3://bucket/prefix/manifests/ID.toml`: one entry of a team mirror. */
const MIRROR_ENTRY = /^(s3|https?):\/\/.+\/manifests\/[^/]+\.toml$/i;

export interface ModelctlIo {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: { write(text: string): unknown };
  stderr: ProgressTerminal;
  /** Aborted on Ctrl-C: the running operation stops and keeps its partial data. */
  signal?: AbortSignal;
  /** Builds the service; defaults to the real orchestrator. */
  createService?: (options: ServiceOptions) => ModelService & { close(): Promise<void> };
  now?: () => number;
}

export interface ServiceOptions {
  root: string;
  models: ModelSpec[];
  settings?: { maxBytesPerSecond?: number; safetyMarginBytes?: number };
  /** Metrics and JSON logs of this run. */
  onEvent?: OrchestratorObserver;
  /** Proxy and CA file (--proxy/MODELS_PROXY, --ca-file/MODELS_CA_FILE) and the environment for HTTP(S)_PROXY. */
  network?: NetworkOptions;
}

export async function runModelctl(io: ModelctlIo): Promise<number> {
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(io.argv);
  } catch (error) {
    const json = io.argv.includes('--json');
    return fail(io, json, error);
  }
  const { command, global } = commandLine;
  let telemetry: RunTelemetry;
  try {
    telemetry = startRunTelemetry(global, io);
  } catch (error) {
    return fail(io, global.json, error);
  }
  if (command.name === 'help') {
    io.stdout.write(helpText(command.topic));
    return telemetry.finish(command.name, EXIT.ok);
  }
  const progress = io.stderr.isTTY === true && !global.quiet && !telemetry.log ? new TerminalProgress(io.stderr, io.now) : null;
  let code: number;
  try {
    code = await execute(command, commandLine, io, progress, telemetry);
  } catch (error) {
    progress?.clear();
    telemetry.failed(error);
    code = fail(io, global.json, error, io.signal?.aborted === true, rootFor(commandLine, io), telemetry.log);
  }
  return telemetry.finish(command.name, code);
}

async function execute(
  command: Exclude<Command, { name: 'help' }>,
  { global }: CommandLine,
  io: ModelctlIo,
  progress: TerminalProgress | null,
  telemetry: RunTelemetry,
): Promise<number> {
  const print = (document: unknown, text: string): void => {
    io.stdout.write(global.json ? `${JSON.stringify(document)}\n` : `${text}\n`);
  };

  if (command.name === 'validate') {
    const file = command.file !== undefined ? resolve(io.cwd, command.file) : findManifest(global.manifest, io, true);
    const manifest = await loadManifestFile(file as string);
    print(resultDocuments.validate(manifest.models.length), resultText.validate(file as string, manifest.models.length));
    return EXIT.ok;
  }

  // gc and disk-usage work on the models root alone, so a missing default manifest is fine there;
  // add creates the manifest when there is none; mirror pull-manifests and test never read one (pull-manifests creates it).
  const readsNoManifest = command.name === 'mirror' && command.action !== 'push';
  const needsManifest = command.name !== 'gc' && command.name !== 'disk-usage' && command.name !== 'add' && !readsNoManifest;
  const manifestPath = findManifest(global.manifest, io, needsManifest);
  if (command.name === 'add' && (command.fromMirror || MIRROR_ENTRY.test(command.source))) {
    // A team mirror's models come with their manifest entries: import those (mirror pull-manifests).
    const { runMirrorCommand } = await import('./run-mirror-command');
    const { network } = networkAndMargin(global, io.env, undefined);
    const pull: Command = { name: 'mirror', action: 'pull-manifests', from: command.source, ids: [], all: false };
    const context = { root: rootFor({ command, global }, io), models: [], env: io.env, progress, print };
    return runMirrorCommand(pull, {
      ...context,
      manifestPath: manifestPath ?? resolve(io.cwd, 'models.toml'),
      ...(network ? { network } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
    });
  }
  if (command.name === 'add') {
    // add writes the manifest (creating it), so it neither needs nor loads one first.
    await runCatalogCommand(command, {
      ...catalogContext(io, rootFor({ command, global }, io), [], progress, print, global),
      manifestPath: manifestPath ?? resolve(io.cwd, 'models.toml'),
    });
    return EXIT.ok;
  }
  const registry = new ModelRegistry();
  if (manifestPath !== null && !readsNoManifest) registry.add(await loadManifestFile(manifestPath));

  const root = rootFor({ command, global }, io);
  telemetry.setRoot(root);
  if (command.name === 'mirror') {
    const { runMirrorCommand } = await import('./run-mirror-command');
    const manifestFile = manifestPath ?? (global.manifest !== undefined ? resolve(io.cwd, global.manifest) : null);
    const { network } = networkAndMargin(global, io.env, undefined);
    const context = {
      root,
      models: registry.models(),
      manifestPath: manifestFile,
      env: io.env,
      progress,
      print,
      ...(network ? { network } : {}),
    };
    return runMirrorCommand(command, io.signal ? { ...context, signal: io.signal } : context);
  }
  const options: ServiceOptions = { root, models: registry.models(), onEvent: telemetry.observe };
  if (command.name === 'ensure' && command.maxBytesPerSecond !== undefined)
    options.settings = { maxBytesPerSecond: command.maxBytesPerSecond };
  Object.assign(options, networkAndMargin(global, io.env, options.settings));
  // Loaded on demand: help, validate and usage errors answer without starting the core.
  const createService = io.createService ?? (await import('../core/orchestrator')).createOrchestrator;
  const service = createService(options);
  const variant = (c: { variant?: string }) => (c.variant === undefined ? {} : { variant: c.variant });
  try {
    switch (command.name) {
      case 'list': {
        const models = service.listModels();
        print(resultDocuments.list(models), resultText.list(models));
        return EXIT.ok;
      }
      case 'ensure': {
        const result = await service.ensure(command.id, {
          ...variant(command),
          force: command.force,
          ...(io.signal ? { signal: io.signal } : {}),
          onProgress: (p) => progress?.update(`${phaseLabel(p.phase)} ${p.id} [${p.variant}]`, p.bytesDone, p.bytesTotal),
        });
        progress?.finish();
        print(resultDocuments.ensure(result), global.quiet ? result.localPath : resultText.ensure(result));
        return EXIT.ok;
      }
      case 'status': {
        const report = await service.status(command.id, variant(command));
        print(resultDocuments.status(report), resultText.status(report));
        return EXIT.ok;
      }
      case 'verify': {
        const label = `Verifying ${command.id}`;
        const result = await service.verify(command.id, {
          ...variant(command),
          ...(io.signal ? { signal: io.signal } : {}),
          onProgress: (p) => progress?.update(label, p.bytesDone, p.bytesTotal),
        });
        progress?.finish();
        print(resultDocuments.verify(result), resultText.verify(result));
        return result.success ? EXIT.ok : EXIT.failed;
      }
      case 'estimate': {
        const result = await service.estimate(command.id, variant(command));
        print(resultDocuments.estimate(result), resultText.estimate(result));
        return EXIT.ok;
      }
      case 'gc': {
        const result = await service.gc({
          dryRun: command.dryRun,
          ...(command.maxSizeBytes !== undefined ? { maxSizeBytes: command.maxSizeBytes } : {}),
          ...(command.maxAgeMs !== undefined ? { maxAgeMs: command.maxAgeMs } : {}),
        });
        print(resultDocuments.gc(result), resultText.gc(result));
        return EXIT.ok;
      }
      case 'pin':
      case 'unpin': {
        const result = await (command.name === 'pin'
          ? service.pin(command.id, variant(command))
          : service.unpin(command.id, variant(command)));
        print(resultDocuments.pin(result), resultText.pin(result));
        return EXIT.ok;
      }
      case 'health': {
        const report = await checkHealth(service, {
          root,
          ids: command.ids,
          ...(command.budgetMs !== undefined ? { budgetMs: command.budgetMs } : {}),
          ...(io.now ? { now: io.now } : {}),
        });
        telemetry.setHealth(report);
        print(resultDocuments.health(report), resultText.health(report));
        return report.health === 'healthy' ? EXIT.ok : EXIT.failed;
      }
      case 'disk-usage': {
        const usage = await service.diskUsage();
        print(resultDocuments.diskUsage(usage), resultText.diskUsage(usage, (io.now ?? Date.now)()));
        return EXIT.ok;
      }
      case 'adopt':
      case 'export':
      case 'remove':
        await runCatalogCommand(command, {
          ...catalogContext(io, root, registry.models(), progress, print, global),
          service,
          manifestPath: manifestPath ?? resolve(io.cwd, 'models.toml'),
        });
        return EXIT.ok;
    }
  } finally {
    await service.close();
  }
}

function catalogContext(
  io: ModelctlIo,
  root: string,
  models: ModelSpec[],
  progress: TerminalProgress | null,
  print: (document: unknown, text: string) => void,
  global: GlobalOptions,
) {
  const { network } = networkAndMargin(global, io.env, undefined);
  return {
    root,
    cwd: io.cwd,
    env: io.env,
    models,
    progress,
    print,
    ...(network ? { network } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
  };
}

function phaseLabel(phase: string): string {
  switch (phase) {
    case 'preflight':
      return 'Checking';
    case 'verifying':
      return 'Verifying';
    case 'assembling':
      return 'Finishing';
    default:
      return 'Downloading';
  }
}

/** --proxy, --ca-file and --min-free, each falling back to MODELS_PROXY, MODELS_CA_FILE and MODELS_MIN_FREE. */
function networkAndMargin(global: GlobalOptions, env: NodeJS.ProcessEnv, settings: ServiceOptions['settings']): Partial<ServiceOptions> {
  const proxy = global.proxy ?? env.MODELS_PROXY;
  const caFile = global.caFile ?? (env.MODELS_CA_FILE ? env.MODELS_CA_FILE : undefined);
  const minFree = global.minFreeBytes ?? (env.MODELS_MIN_FREE?.trim() ? parseMinFree(env.MODELS_MIN_FREE, 'MODELS_MIN_FREE') : undefined);
  return {
    network: { env, ...(proxy ? { proxy } : {}), ...(caFile ? { caFile } : {}) },
    ...(minFree !== undefined ? { settings: { ...settings, safetyMarginBytes: minFree } } : {}),
  };
}

/** --manifest, then MODELS_MANIFEST, then ./models.toml, then ./models.json. */
function findManifest(option: string | undefined, io: ModelctlIo, required: boolean): string | null {
  const chosen = option ?? (io.env.MODELS_MANIFEST ? io.env.MODELS_MANIFEST : undefined);
  if (chosen !== undefined) return resolve(io.cwd, chosen);
  for (const name of ['models.toml', 'models.json']) {
    const candidate = resolve(io.cwd, name);
    if (existsSync(candidate)) return candidate;
  }
  if (!required) return null;
  throw new OrchestratorError(
    'MISSING_MANIFEST',
    `No manifest found: there is no models.toml or models.json in ${io.cwd}. Pass --manifest FILE or set MODELS_MANIFEST.`,
    { searched: [resolve(io.cwd, 'models.toml'), resolve(io.cwd, 'models.json')] },
  );
}

function rootFor({ global }: CommandLine, io: ModelctlIo): string {
  return resolve(io.cwd, global.root ?? defaultModelsRoot(io.env));
}

export function fail(
  io: Pick<ModelctlIo, 'stdout' | 'stderr'>,
  json: boolean,
  error: unknown,
  aborted = false,
  root?: string,
  log?: JsonLog | null,
): number {
  let structured: StructuredError = toStructuredError(error);
  // Ctrl-C can surface as whatever the interrupted step threw; the user only needs to know it stopped.
  const cancelled = structured.code === 'CANCELLED' || (aborted && !(error instanceof UsageError));
  if (cancelled) {
    const where = root ? ` in ${resolve(root, '.partial')}` : '';
    structured = {
      code: 'CANCELLED',
      message: `Cancelled. Partial data is kept${where}; run the same command again to resume.`,
      details: structured.details,
      retryable: true,
    };
  }
  if (json) io.stdout.write(`${JSON.stringify(resultDocuments.error(structured))}\n`);
  if (log) {
    // JSON logs replace the human sentences on stderr; the exit status is unchanged.
    log.log('error', structured.message, { event: 'command-failed', error: { code: structured.code, details: structured.details } });
    return error instanceof UsageError ? EXIT.usage : cancelled ? EXIT.cancelled : EXIT.failed;
  }
  if (!json || cancelled) io.stderr.write(`${resultText.error(structured)}\n`);
  if (!json && error instanceof UsageError && !structured.message.includes('--help')) {
    io.stderr.write(`Run \`modelctl ${error.command ? `${error.command} ` : ''}--help\` for usage.\n`);
  }
  if (error instanceof UsageError) return EXIT.usage;
  return cancelled ? EXIT.cancelled : EXIT.failed;
}

/**
 * Last resort for an exception no operation caught (a library bug firing from an event
 * handler): still one JSON error document with --json, still a sentence saying what to do.
 */
export function reportCrash(io: Pick<ModelctlIo, 'stdout' | 'stderr'>, json: boolean, error: unknown): number {
  // A condition the core knows (its error, or one wrapped as the cause) keeps its own code.
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof OrchestratorError && e.code !== 'UNKNOWN_ERROR') return fail(io, json, e);
  }
  const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim().slice(0, 200);
  const crash = new OrchestratorError(
    'UNKNOWN_ERROR',
    `modelctl stopped unexpectedly (${reason}). Partial downloads are kept; run the same command again to resume, and report this if it happens again.`,
    { cause: reason },
  );
  return fail(io, json, crash);
}
