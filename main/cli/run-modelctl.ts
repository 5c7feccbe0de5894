/**
 * modelctl without the process around it: parses the arguments, loads the manifest, drives
 * the orchestrator and writes the result. Returns the exit status (0 success, 1 the
 * operation failed, 2 bad usage, 130 cancelled) so tests can run it in-process too.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { OrchestratorError, toStructuredError, type StructuredError } from '../../shared/errors';
import type { ModelSpec } from '../../shared/manifest';
import type { ModelService } from '../core/ports';
import { loadManifestFile, ModelRegistry } from '../core/manifest/index';
import { defaultModelsRoot } from '../core/store/default-root';
import { helpText } from './help-text';
import { parseCommandLine, UsageError, type Command, type CommandLine } from './parse-command-line';
import { resultDocuments } from './result-documents';
import { resultText } from './result-text';
import { TerminalProgress, type ProgressTerminal } from './terminal-progress';

export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

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
  settings?: { maxBytesPerSecond?: number };
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
  if (command.name === 'help') {
    io.stdout.write(helpText(command.topic));
    return EXIT.ok;
  }
  const progress = io.stderr.isTTY === true && !global.quiet ? new TerminalProgress(io.stderr, io.now) : null;
  try {
    return await execute(command, commandLine, io, progress);
  } catch (error) {
    progress?.clear();
    return fail(io, global.json, error, io.signal?.aborted === true, rootFor(commandLine, io));
  }
}

async function execute(
  command: Exclude<Command, { name: 'help' }>,
  { global }: CommandLine,
  io: ModelctlIo,
  progress: TerminalProgress | null,
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
  // mirror pull-manifests and test never read one (pull-manifests creates it).
  const readsNoManifest = command.name === 'mirror' && command.action !== 'push';
  const needsManifest = command.name !== 'gc' && command.name !== 'disk-usage' && !readsNoManifest;
  const manifestPath = findManifest(global.manifest, io, needsManifest);
  const registry = new ModelRegistry();
  if (manifestPath !== null && !readsNoManifest) registry.add(await loadManifestFile(manifestPath));

  const root = rootFor({ command, global }, io);
  if (command.name === 'mirror') {
    const { runMirrorCommand } = await import('./run-mirror-command');
    const manifestFile = manifestPath ?? (global.manifest !== undefined ? resolve(io.cwd, global.manifest) : null);
    const context = { root, models: registry.models(), manifestPath: manifestFile, env: io.env, progress, print };
    return runMirrorCommand(command, io.signal ? { ...context, signal: io.signal } : context);
  }
  const options: ServiceOptions = { root, models: registry.models() };
  if (command.name === 'ensure' && command.maxBytesPerSecond !== undefined)
    options.settings = { maxBytesPerSecond: command.maxBytesPerSecond };
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
      case 'disk-usage': {
        const usage = await service.diskUsage();
        print(resultDocuments.diskUsage(usage), resultText.diskUsage(usage, (io.now ?? Date.now)()));
        return EXIT.ok;
      }
    }
  } finally {
    await service.close();
  }
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

export function fail(io: Pick<ModelctlIo, 'stdout' | 'stderr'>, json: boolean, error: unknown, aborted = false, root?: string): number {
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
  const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim().slice(0, 200);
  const crash = new OrchestratorError(
    'UNKNOWN_ERROR',
    `modelctl stopped unexpectedly (${reason}). Partial downloads are kept; run the same command again to resume, and report this if it happens again.`,
    { cause: reason },
  );
  return fail(io, json, crash);
}
