/**
 * modelctl's command line → a typed command, or a UsageError (exit status 2) that says what
 * was wrong and how to get help. Global options may appear before or after the command.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { OrchestratorError } from '../../shared/errors';
import { suggestSimilar } from '../core/manifest/index';
import { parseDuration, parseRate, parseSize } from './units';

export const COMMAND_NAMES = [
  'list',
  'validate',
  'ensure',
  'status',
  'verify',
  'estimate',
  'gc',
  'pin',
  'unpin',
  'disk-usage',
  'add',
  'adopt',
  'export',
  'remove',
  'health',
  'mirror',
  'help',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export interface GlobalOptions {
  manifest?: string;
  root?: string;
  json: boolean;
  quiet: boolean;
  /** Write this run's Prometheus metrics here at the end (atomically, for node_exporter's textfile collector). */
  metricsFile?: string;
  /** `json`: one JSON object a line on stderr (also MODELS_LOG_FORMAT); `text` (default): the human output. */
  logFormat?: LogFormat;
  /** --proxy URL, --ca-file FILE, --min-free SIZE (each also an environment variable, read in run-modelctl). */
  proxy?: string;
  caFile?: string;
  minFreeBytes?: number;
}

export type LogFormat = 'json' | 'text';

export type Command =
  | { name: 'help'; topic?: CommandName }
  | { name: 'list' }
  | { name: 'validate'; file?: string }
  | { name: 'ensure'; id: string; variant?: string; force: boolean; maxBytesPerSecond?: number }
  | { name: 'status' | 'verify' | 'estimate' | 'pin' | 'unpin'; id: string; variant?: string }
  | { name: 'gc'; dryRun: boolean; maxSizeBytes?: number; maxAgeMs?: number }
  | { name: 'disk-usage' }
  | { name: 'health'; ids: string[]; budgetMs?: number }
  | { name: 'mirror'; action: MirrorAction; ids: string[]; all: boolean; to?: string; from?: string; variant?: string; partSize?: number }
  | CatalogCommand;

/** add, adopt, export, remove (main/cli/catalog-commands.ts runs them). */
export type CatalogCommand =
  | {
      name: 'add';
      source: string;
      id?: string;
      revision?: string;
      include: string[];
      exclude: string[];
      variants: Array<{ name: string; patterns: string[] }>;
      description?: string;
      /** SOURCE is a team mirror root (or one `…/manifests/ID.toml` entry): import its manifest entries. */
      fromMirror: boolean;
    }
  | { name: 'adopt'; dirs: string[] }
  | { name: 'export'; id: string; variant?: string; target: 'hf-cache' | 'folder'; dir: string }
  | { name: 'remove'; id: string; variant?: string };

export const MIRROR_ACTIONS = ['push', 'pull-manifests', 'test'] as const;
export type MirrorAction = (typeof MIRROR_ACTIONS)[number];

export interface CommandLine {
  command: Command;
  global: GlobalOptions;
}

/** Bad usage: unknown command or option, missing or malformed argument. Exit status 2. */
export class UsageError extends OrchestratorError {
  constructor(
    message: string,
    readonly command?: CommandName,
  ) {
    super('INVALID_CONFIG', message, { usage: true, ...(command ? { command } : {}) });
    this.name = 'UsageError';
  }
}

const OPTIONS = {
  manifest: { type: 'string' },
  root: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  // Repeatable for add (--variant NAME=GLOB[,GLOB…]); other commands take the last one.
  variant: { type: 'string', multiple: true },
  force: { type: 'boolean' },
  'max-rate': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'max-size': { type: 'string' },
  'max-age': { type: 'string' },
  id: { type: 'string' },
  revision: { type: 'string' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  description: { type: 'string' },
  'hf-cache': { type: 'string' },
  to: { type: 'string' },
  'metrics-file': { type: 'string' },
  'log-format': { type: 'string' },
  budget: { type: 'string' },
  proxy: { type: 'string' },
  'ca-file': { type: 'string' },
  'min-free': { type: 'string' },
  from: { type: 'string' },
  all: { type: 'boolean' },
  'part-size': { type: 'string' },
  'from-mirror': { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

type OptionName = keyof typeof OPTIONS;

const GLOBAL_OPTIONS: readonly OptionName[] = [
  'manifest',
  'root',
  'json',
  'quiet',
  'help',
  'metrics-file',
  'log-format',
  'proxy',
  'ca-file',
  'min-free',
];

/** Options each command accepts besides the global ones, and its positional arguments. */
export const COMMAND_SYNTAX: Record<CommandName, { options: readonly OptionName[]; args: readonly string[] }> = {
  list: { options: [], args: [] },
  validate: { options: [], args: ['[FILE]'] },
  ensure: { options: ['variant', 'force', 'max-rate'], args: ['ID'] },
  status: { options: ['variant'], args: ['ID'] },
  verify: { options: ['variant'], args: ['ID'] },
  estimate: { options: ['variant'], args: ['ID'] },
  gc: { options: ['dry-run', 'max-size', 'max-age'], args: [] },
  pin: { options: ['variant'], args: ['ID'] },
  unpin: { options: ['variant'], args: ['ID'] },
  'disk-usage': { options: [], args: [] },
  add: { options: ['id', 'revision', 'include', 'exclude', 'variant', 'description', 'from-mirror'], args: ['SOURCE'] },
  adopt: { options: [], args: ['DIR...'] },
  export: { options: ['variant', 'hf-cache', 'to'], args: ['ID'] },
  remove: { options: ['variant'], args: ['ID'] },
  health: { options: ['budget'], args: ['[ID…]'] },
  mirror: { options: ['to', 'from', 'all', 'variant', 'part-size'], args: ['push|pull-manifests|test', '[ID…]'] },
  help: { options: [], args: ['[COMMAND]'] },
};

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const commandGuess = argv.find((a) => isCommandName(a)) as CommandName | undefined;
    throw new UsageError(
      `${describeParseError(error)}. Run \`modelctl ${commandGuess ? `${commandGuess} ` : ''}--help\` for usage.`,
      commandGuess,
    );
  }
  const { values, positionals } = parsed;
  const global: GlobalOptions = { json: values.json === true, quiet: values.quiet === true };
  if (values.manifest !== undefined) global.manifest = nonEmpty(values.manifest, '--manifest');
  if (values.root !== undefined) global.root = nonEmpty(values.root, '--root');
  if (values['metrics-file'] !== undefined) global.metricsFile = nonEmpty(values['metrics-file'], '--metrics-file');
  if (values['log-format'] !== undefined) global.logFormat = logFormatOf(values['log-format'], '--log-format');
  if (values.proxy !== undefined) global.proxy = values.proxy;
  if (values['ca-file'] !== undefined) global.caFile = nonEmpty(values['ca-file'], '--ca-file');
  if (values['min-free'] !== undefined) global.minFreeBytes = parseMinFree(values['min-free'], '--min-free');

  const [name, ...args] = positionals;
  if (name === undefined) {
    if (values.help) return { command: { name: 'help' }, global };
    throw new UsageError('No command given. Run `modelctl --help` to see the commands.');
  }
  if (!isCommandName(name)) {
    const close = suggestSimilar(
      name,
      COMMAND_NAMES.filter((c) => c !== 'help'),
      2,
    );
    const hint = close.length > 0 ? ` Did you mean ${close.join(' or ')}?` : '';
    throw new UsageError(`Unknown command "${name}".${hint} Run \`modelctl --help\` to see the commands.`);
  }
  if (values.help) return { command: { name: 'help', topic: name === 'help' ? undefined : name } as Command, global };

  const syntax = COMMAND_SYNTAX[name];
  for (const option of Object.keys(values) as OptionName[]) {
    if (!GLOBAL_OPTIONS.includes(option) && !syntax.options.includes(option)) {
      throw new UsageError(`The ${name} command has no --${option} option. Run \`modelctl ${name} --help\` for its options.`, name);
    }
  }
  const required = syntax.args.filter((a) => !a.startsWith('['));
  if (args.length < required.length) {
    throw new UsageError(`${name} needs ${required.join(' ')}: modelctl ${usageLine(name)}`, name);
  }
  if (args.length > syntax.args.length && !syntax.args.some((a) => a.endsWith('...') || a.endsWith('…]'))) {
    throw new UsageError(
      `${name} takes ${syntax.args.length === 0 ? 'no arguments' : syntax.args.join(' ')}, but got ${args.length}: ${args.map((a) => JSON.stringify(a)).join(' ')}.`,
      name,
    );
  }
  const lastVariant = values.variant?.at(-1);
  const variant = lastVariant === undefined || name === 'add' ? {} : { variant: nonEmpty(lastVariant, '--variant', name) };

  switch (name) {
    case 'help': {
      const topic = args[0];
      if (topic !== undefined && !isCommandName(topic))
        throw new UsageError(`Unknown command "${topic}". Run \`modelctl --help\` to see the commands.`);
      return { command: topic === undefined ? { name } : { name, topic }, global };
    }
    case 'list':
    case 'disk-usage':
      return { command: { name }, global };
    case 'validate':
      return { command: args[0] === undefined ? { name } : { name, file: args[0] }, global };
    case 'ensure': {
      const command: Command = { name, id: args[0] as string, force: values.force === true, ...variant };
      if (values['max-rate'] !== undefined) {
        const rate = parseRate(values['max-rate']);
        if (rate === null)
          throw new UsageError(
            `--max-rate ${JSON.stringify(values['max-rate'])} is not a rate. Use bytes per second like 50M, 10MiB/s or 2MB/s.`,
            name,
          );
        command.maxBytesPerSecond = rate;
      }
      return { command, global };
    }
    case 'status':
    case 'verify':
    case 'estimate':
    case 'pin':
    case 'unpin':
      return { command: { name, id: args[0] as string, ...variant }, global };
    case 'add':
    case 'adopt':
    case 'export':
    case 'remove':
      return { command: parseCatalogCommand(name, args, values, variant), global };
    case 'health': {
      const command: Command = { name, ids: args };
      if (values.budget !== undefined) {
        const budget = parseDuration(values.budget);
        if (budget === null || budget <= 0)
          throw new UsageError(
            `--budget ${JSON.stringify(values.budget)} is not a duration. Use a number with a unit, like 10s, 1m or 500ms.`,
            name,
          );
        command.budgetMs = budget;
      }
      return { command, global };
    }
    case 'gc': {
      const command: Command = { name, dryRun: values['dry-run'] === true };
      if (values['max-size'] !== undefined) {
        const size = parseSize(values['max-size']);
        if (size === null)
          throw new UsageError(
            `--max-size ${JSON.stringify(values['max-size'])} is not a size. Use bytes or a unit, like 10G, 500MiB or 1048576.`,
            name,
          );
        command.maxSizeBytes = size;
      }
      if (values['max-age'] !== undefined) {
        const age = parseDuration(values['max-age']);
        if (age === null)
          throw new UsageError(
            `--max-age ${JSON.stringify(values['max-age'])} is not a duration. Use a number with a unit, like 7d, 12h or 30m.`,
            name,
          );
        command.maxAgeMs = age;
      }
      return { command, global };
    }
    case 'mirror':
      return { command: mirrorCommand(args, values, variant), global };
  }
}

function parseCatalogCommand(
  name: CatalogCommand['name'],
  args: string[],
  values: Partial<Record<OptionName, string | string[] | boolean | undefined>>,
  variant: { variant?: string },
): CatalogCommand {
  const text = (option: OptionName) => {
    const v = values[option];
    return typeof v === 'string' ? nonEmpty(v, `--${option}`, name) : undefined;
  };
  const list = (option: OptionName) => {
    const v = values[option];
    return Array.isArray(v) ? v.map((item) => nonEmpty(item, `--${option}`, name)) : [];
  };
  switch (name) {
    case 'add': {
      const variants = list('variant').map((spec) => {
        const eq = spec.indexOf('=');
        const patterns =
          eq > 0
            ? spec
                .slice(eq + 1)
                .split(',')
                .filter(Boolean)
            : [];
        if (eq <= 0 || patterns.length === 0) {
          throw new UsageError(`--variant ${JSON.stringify(spec)} should be NAME=GLOB[,GLOB…], like fp16=*fp16*.safetensors.`, name);
        }
        return { name: spec.slice(0, eq), patterns };
      });
      const command: CatalogCommand = {
        name,
        source: args[0] as string,
        include: list('include'),
        exclude: list('exclude'),
        variants,
        fromMirror: values['from-mirror'] === true,
      };
      const id = text('id');
      const revision = text('revision');
      const description = text('description');
      if (id !== undefined) command.id = id;
      if (revision !== undefined) command.revision = revision;
      if (description !== undefined) command.description = description;
      return command;
    }
    case 'adopt':
      return { name, dirs: args };
    case 'export': {
      const hfCache = text('hf-cache');
      const to = text('to');
      if ((hfCache === undefined) === (to === undefined)) {
        throw new UsageError('export needs exactly one of --hf-cache DIR (a Hugging Face cache) or --to DIR (a plain folder).', name);
      }
      return hfCache !== undefined
        ? { name, id: args[0] as string, ...variant, target: 'hf-cache', dir: hfCache }
        : { name, id: args[0] as string, ...variant, target: 'folder', dir: to as string };
    }
    case 'remove':
      return { name, id: args[0] as string, ...variant };
  }
}

/** A free-space margin (`--min-free`, `MODELS_MIN_FREE`): bytes or a size with a unit; 0 is allowed. */
export function parseMinFree(value: string, from: string): number {
  const size = parseSize(value);
  if (size === null) throw new UsageError(`${from} ${JSON.stringify(value)} is not a size. Use bytes or a unit, like 1G, 200MiB or 0.`);
  return size;
}

/** `mirror push ID… | --all --to s3://…`, `mirror pull-manifests --from URL [ID…]`, `mirror test URL`. */
function mirrorCommand(
  args: string[],
  values: { to?: string; from?: string; all?: boolean; 'part-size'?: string },
  variant: { variant?: string },
): Command {
  const [action, ...ids] = args;
  if (!(MIRROR_ACTIONS as readonly string[]).includes(action as string)) {
    throw new UsageError(`mirror needs push, pull-manifests or test, not ${JSON.stringify(action)}.`, 'mirror');
  }
  const all = values.all === true;
  const command: Command = { name: 'mirror', action: action as MirrorAction, ids, all, ...variant };
  if (values.to !== undefined) command.to = nonEmpty(values.to, '--to', 'mirror');
  if (values.from !== undefined) command.from = nonEmpty(values.from, '--from', 'mirror');
  if (values['part-size'] !== undefined) {
    const size = parseSize(values['part-size']);
    if (size === null || size < 5 * 1024 * 1024)
      throw new UsageError('--part-size needs a size of at least 5MiB (S3 refuses smaller parts), like 16M.', 'mirror');
    command.partSize = size;
  }
  if (command.action === 'push') {
    if (command.to === undefined) throw new UsageError('mirror push needs --to s3://bucket/prefix.', 'mirror');
    if (all === ids.length > 0) throw new UsageError('mirror push needs model ids or --all (not both).', 'mirror');
  }
  if (command.action === 'pull-manifests' && command.from === undefined) {
    throw new UsageError('mirror pull-manifests needs --from s3://bucket/prefix (or https://…).', 'mirror');
  }
  if (command.action === 'test' && ids.length !== 1)
    throw new UsageError('mirror test needs one mirror URL, like s3://bucket/prefix.', 'mirror');
  return command;
}

export function usageLine(name: CommandName): string {
  const syntax = COMMAND_SYNTAX[name];
  const options = syntax.options.map((o) =>
    OPTIONS[o].type === 'string' ? `[--${o} ${metavar(name, o)}]${'multiple' in OPTIONS[o] && name === 'add' ? '…' : ''}` : `[--${o}]`,
  );
  return [name, ...syntax.args, ...options].join(' ');
}

function metavar(command: CommandName, option: OptionName): string {
  if (option === 'variant') return command === 'add' ? 'NAME=GLOB[,GLOB…]' : 'V';
  if (command === 'mirror' && (option === 'to' || option === 'from')) return 'URL';
  const names: Partial<Record<OptionName, string>> = {
    'hf-cache': 'DIR',
    to: 'DIR',
    include: 'GLOB',
    exclude: 'GLOB',
    revision: 'REV',
    description: 'TEXT',
    'part-size': 'SIZE',
  };
  return names[option] ?? option.replace('max-', '').toUpperCase();
}

/** `--log-format` and MODELS_LOG_FORMAT take json or text. */
export function logFormatOf(value: string, where: string): LogFormat {
  const v = value.trim().toLowerCase();
  if (v === 'json' || v === 'text') return v;
  throw new UsageError(`${where} ${JSON.stringify(value)} is not a log format. Use json or text.`);
}

function nonEmpty(value: string, option: string, command?: CommandName): string {
  if (value.trim() === '') throw new UsageError(`${option} needs a value.`, command);
  return value;
}

function describeParseError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1];
    return `Unknown option ${option ?? ''}`.trim();
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /'(--?[\w-]+)/.exec(message)?.[1];
    if (!option) return (message.split('\n')[0] ?? message).replace(/\.$/, '');
    return /does not take an argument/.test(message) ? `${option} takes no value` : `${option} needs a value`;
  }
  return message.replace(/\.$/, '');
}
