/**
 * `npm run web -- [--port N] [--manifest FILE]... [--root DIR] [--config-dir DIR]`
 *
 * Serves the UI and the API on 127.0.0.1. The first line on stdout is the URL to open,
 * including this launch's access token. Without a manifest (and without MODELS_MANIFEST) it
 * starts the offline demo catalogue so there is something to try.
 */
import { parseArgs } from 'node:util';
import { toStructuredError } from '../../shared/errors';
import { startWebApp } from './web-app';

const USAGE = `Usage: npm run web -- [--port N] [--manifest FILE]... [--root DIR] [--config-dir DIR] [--no-demo]

  --port N          port on 127.0.0.1 (default 0: any free port)
  --manifest FILE   models.toml or models.json to load (repeatable; env MODELS_MANIFEST)
  --root DIR        models root (env MODELS_ROOT; default the per-user data folder)
  --config-dir DIR  where settings and imported manifests are kept (default <root>/.state/app)
  --no-demo         without a manifest, start empty instead of with the demo catalogue

Environment: MODELS_WEB_TOKEN fixes the access token (at least 16 characters) instead of a
random one per launch, for Prometheus (GET /metrics) and probes (GET /api/health) that send
it as \`Authorization: Bearer <token>\`.`;

function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse();
  } catch (error) {
    usageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    usageError(`--port must be a whole number from 0 to 65535, got "${values.port}".`);
  const fixedToken = process.env.MODELS_WEB_TOKEN;
  if (fixedToken !== undefined && !/^[A-Za-z0-9._~+/=-]{16,256}$/.test(fixedToken))
    usageError('MODELS_WEB_TOKEN must be 16 to 256 letters, digits or . _ ~ + / = - (for example: openssl rand -hex 24).');
  const manifests = values.manifest?.length ? values.manifest : process.env.MODELS_MANIFEST ? [process.env.MODELS_MANIFEST] : [];

  let app: Awaited<ReturnType<typeof startWebApp>>;
  try {
    app = await startWebApp({
      port,
      manifests,
      demo: !values['no-demo'],
      ...(fixedToken ? { token: fixedToken } : {}),
      ...(values.root ? { root: values.root } : {}),
      ...(values['config-dir'] ? { configDir: values['config-dir'] } : {}),
      ...(process.env.npm_package_version ? { version: process.env.npm_package_version } : {}),
    });
  } catch (error) {
    const e = toStructuredError(error);
    process.stderr.write(`web: ${e.code}: ${e.message}\n`);
    const problems = Array.isArray(e.details.problems) ? (e.details.problems as Array<{ path: string; message: string }>) : [];
    for (const p of problems.slice(0, 20)) process.stderr.write(`  ${p.path}: ${p.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${app.url}\n`);
  process.stderr.write(
    `Model Orchestrator is serving ${app.demo ? 'the demo catalogue' : manifests.length ? manifests.join(', ') : 'no manifest yet (import one in the page)'} on 127.0.0.1 only; models root ${app.root}.\n` +
      'Open the URL above in a browser (it logs you in for this launch). Press Ctrl+C to stop; running downloads pause and resume next time.\n',
  );

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function parse() {
  return parseArgs({
    options: {
      port: { type: 'string' },
      manifest: { type: 'string', multiple: true },
      root: { type: 'string' },
      'config-dir': { type: 'string' },
      'no-demo': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
    strict: true,
  }).values;
}

void main();
