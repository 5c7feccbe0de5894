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
    "Sources are tried in the manifest's priority order; a failing source falls back to the next one.",
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
  mirror: [
    '  mirror push ID… --to s3://bucket/prefix    upload the verified blobs of complete models, then their manifests and the index',
    '  mirror push --all --to s3://bucket/prefix  every model of the manifest that is complete here',
    "  mirror pull-manifests --from s3://bucket/prefix [ID…]  write the mirror's models into --manifest",
    '  mirror test s3://bucket/prefix             check that the mirror is reachable with these credentials',
    '  --variant V       only this variant (push)',
    '  --part-size SIZE  multipart part size for large files (default 16M, at least 5M)',
    '',
    'Keys, region and endpoint come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL(_S3)',
    'or the AWS_PROFILE in ~/.aws. Every machine that sets MODELS_MIRRORS=s3://bucket/prefix tries the mirror first.',
  ].join('\n'),
};

const GLOBAL = [
  'Options for every command:',
  '  --manifest FILE   the manifest (env MODELS_MANIFEST; default ./models.toml, then ./models.json)',
  '  --root DIR        the models root (env MODELS_ROOT; default: your data folder)',
  '  --json            print one JSON document on stdout and nothing else there',
  '  -q, --quiet       no progress bars or hints',
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
