/** What `modelctl --help` and `modelctl COMMAND --help` print. */
import { COMMAND_NAMES, COMMAND_SYNTAX, usageLine, type CommandName } from './parse-command-line';

const SUMMARY: Record<CommandName, string> = {
  list: 'List the models in the manifest',
  validate: 'Check a manifest and report every problem in it',
  ensure: 'Download and verify a model unless it is already complete',
  status: 'Show whether a model is present (a quick check, no hashing)',
  verify: 'Re-hash every file of an installed model',
  estimate: 'Show how many bytes a model needs and how many are still missing',
  gc: 'Remove least-recently-used models that are not pinned',
  pin: 'Protect an installed model from gc',
  unpin: 'Let gc remove a model again',
  'disk-usage': 'Show what the models root holds and the free space',
  add: 'Write a model from Hugging Face, S3 or a folder into the manifest',
  adopt: 'Use model files already on this computer (no download, no copy)',
  export: 'Link a stored model into a Hugging Face cache or an app folder',
  remove: 'Remove an installed model and free its space',
  health: 'Check every model (or those named) is complete; exit 0 only when healthy',
  mirror: 'Push verified models to a team mirror on S3, import its manifests, or test it',
  help: 'Show help for a command',
};

const DETAILS: Partial<Record<CommandName, string>> = {
  validate:
    'FILE defaults to the manifest chosen by --manifest / MODELS_MANIFEST / ./models.toml.\nExit status 1 when the manifest has problems; all of them are listed.',
  ensure: [
    "  --variant V       the variant to install (default: the model's default variant)",
    '  --force           download again even if the model is complete',
    '  --max-rate RATE   limit the download speed, e.g. 50M, 10MiB/s, 2MB/s',
    '',
    'Interrupted downloads (Ctrl-C, lost connection) keep their partial data and resume on the next run.',
    "Team mirrors (MODELS_MIRRORS) come first, by sha256, then the manifest's sources in priority order;",
    'a failing source falls back to the next one.',
  ].join('\n'),
  status: "  --variant V       the variant to check (default: the model's default variant)",
  verify: '  --variant V       the variant to verify\n\nExit status 1 when a file is missing or does not match its sha256.',
  estimate: '  --variant V       the variant to estimate',
  gc: [
    '  --dry-run         show what would be removed, remove nothing',
    '  --max-size SIZE   remove least-recently-used models until models use at most SIZE (10G, 500MiB, bytes)',
    '  --max-age AGE     remove models not used for longer than AGE (7d, 12h, 30m)',
    '',
    'Pinned models are never removed. Without --max-size or --max-age, only orphaned data is removed.',
  ].join('\n'),
  pin: '  --variant V       the variant to pin',
  unpin: '  --variant V       the variant to unpin',
  add: [
    'SOURCE is hf://org/name[@rev] (or org/name, or a huggingface.co URL), s3://bucket/prefix, or a folder.',
    'The model is written into --manifest (created when missing; other models and comments are kept).',
    '',
    '  --id ID           the model id (default: name@<first 7 hex of the commit>, or the folder name)',
    '  --revision REV    branch, tag or commit on the Hub (default main); pinned to its commit',
    '  --include GLOB    only files matching GLOB (repeatable; * matches across folders)',
    '  --exclude GLOB    leave out files matching GLOB (repeatable)',
    '  --variant NAME=GLOB[,GLOB…]   a variant and its files (repeatable); files matching no variant are in all',
    '  --description T   a description for the model',
    '  --from-mirror     SOURCE is a team mirror (s3://bucket/prefix): import its models as the mirror lists them',
    '                    (a single entry also works as SOURCE: s3://bucket/prefix/manifests/ID.toml)',
    '',
    'Hub LFS files take size and sha256 from the Hub without downloading; small files are fetched and hashed.',
    'HF_TOKEN for private and gated repos, HF_ENDPOINT for a mirror; AWS_* for S3.',
  ].join('\n'),
  adopt: [
    'Scans each DIR (an HF cache, a ComfyUI models folder, Downloads…), hashes the files whose size matches',
    'a manifest file, hard-links the matches into the store (copies across filesystems) and completes every',
    'model variant whose files are then all present. Files in DIR are never changed, moved or deleted.',
  ].join('\n'),
  export: [
    '  --hf-cache DIR    lay the model out as a Hugging Face cache in DIR (e.g. ~/.cache/huggingface/hub);',
    '                    only for models added from hf://org/name (pinned to a commit)',
    '  --to DIR          hard-link the model files into DIR (symlinks across filesystems)',
    '  --variant V       the variant to export',
    '',
    'Running it again changes nothing. An exported model counts as in use for gc.',
  ].join('\n'),
  remove: '  --variant V       the variant to remove\n\nPrints where the model is still exported (linked), if anywhere.',
  health: [
    '  --budget BUDGET   time for all checks together (default 10s); models not reached are UNCHECKED, never healthy',
    '',
    'A quick check (file sizes, no hashing) of the default variant of each model and of every other installed variant.',
    'healthy: all complete (exit 0). degraded: any missing, partial, corrupt or unchecked (exit 1).',
    'error: no models, or the models root cannot be read (exit 1).',
  ].join('\n'),
  mirror: [
    '  mirror push ID… --to s3://bucket/prefix    upload the verified blobs of complete models, then their manifests and the index',
    '  mirror push --all --to s3://bucket/prefix  every model of the manifest that is complete here',
    "  mirror pull-manifests --from URL [ID…]     write the mirror's models into --manifest (created when missing);",
    '                                             URL is s3://bucket/prefix, https://host/prefix or <root>/manifests/ID.toml',
    '  mirror test URL                            check that the mirror (s3://… or https://…) is reachable with these credentials',
    '  --variant V       only this variant (push)',
    '  --part-size SIZE  multipart part size for large files (default 16M, at least 5M)',
    '',
    'Keys, region and endpoint come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL(_S3)',
    'or the AWS_PROFILE in ~/.aws. Every machine that sets MODELS_MIRRORS=s3://bucket/prefix tries the mirror first.',
    'They go through --proxy / --ca-file (or MODELS_PROXY, MODELS_CA_FILE, HTTPS_PROXY) as downloads do.',
  ].join('\n'),
};

const GLOBAL = [
  'Options for every command:',
  '  --manifest FILE   the manifest (env MODELS_MANIFEST; default ./models.toml, then ./models.json)',
  '  --root DIR        the models root (env MODELS_ROOT; default: your data folder)',
  '  --json            print one JSON document on stdout and nothing else there',
  '  -q, --quiet       no progress bars or hints',
  "  --metrics-file F  write this run's Prometheus metrics to F at the end (atomically; node_exporter textfile collector)",
  '  --log-format FMT  json: one JSON object a line on stderr (env MODELS_LOG_FORMAT); text: the default',
  '  --proxy URL       proxy for downloads, add and mirror, http://[user:password@]host:port (env MODELS_PROXY;',
  '                    default HTTPS_PROXY / HTTP_PROXY, with NO_PROXY)',
  '  --ca-file FILE    PEM file of a company CA to trust besides the usual ones, for downloads, add and mirror (env MODELS_CA_FILE)',
  '  --min-free SIZE   free space kept on the volume beyond a download, e.g. 200M (env MODELS_MIN_FREE; default 1G)',
  '  -h, --help        show help',
].join('\n');

export function helpText(topic?: CommandName): string {
  if (topic && topic !== 'help') {
    const details = DETAILS[topic];
    return [`Usage: modelctl ${usageLine(topic)}`, '', `${SUMMARY[topic]}.`, ...(details ? ['', details] : []), '', GLOBAL, ''].join('\n');
  }
  const short = (c: CommandName) => [c, ...COMMAND_SYNTAX[c].args].join(' ');
  const width = Math.max(...COMMAND_NAMES.map((c) => short(c).length)) + 3;
  const lines = COMMAND_NAMES.map((c) => `  ${short(c).padEnd(width)}${SUMMARY[c]}`);
  return [
    'modelctl keeps the model files you need present, verified and within your disk budget.',
    '',
    'Usage: modelctl COMMAND [ARGS] [OPTIONS]',
    '',
    'Commands:',
    ...lines,
    '',
    GLOBAL,
    '',
    'Exit status: 0 success, 1 the operation failed, 2 bad usage, 130 cancelled.',
    'Run `modelctl COMMAND --help` for the options of one command.',
    '',
  ].join('\n');
}
