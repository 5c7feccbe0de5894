/**
 * Runs the real modelctl (TypeScript source through tsx, as `npm run modelctl` does) in a
 * child process, and writes manifests for generated model files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  done: Promise<CliRun>;
}

export function startCli(args: string[], options: { env?: Record<string, string>; cwd?: string; entry?: string[] } = {}): CliProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (!options.env?.MODELS_ROOT) delete env.MODELS_ROOT;
  if (!options.env?.MODELS_MANIFEST) delete env.MODELS_MANIFEST;
  delete env.FORCE_COLOR;
  const entry = options.entry ?? ['--import', 'tsx', 'main/cli/modelctl.ts'];
  const child = spawn(process.execPath, [...entry, ...args], { cwd: options.cwd ?? repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stderr: () => stderr, done };
}

export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string; entry?: string[] } = {}): Promise<CliRun> {
  return startCli(args, options).done;
}

/** Parses stdout as the single JSON document --json promises (fails the test otherwise). */
export function jsonOf(run: CliRun): Record<string, unknown> {
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

export interface GeneratedFile {
  path: string;
  data: Buffer;
  sha256: string;
}

export function generateFiles(spec: Array<{ path: string; size: number }>): GeneratedFile[] {
  return spec.map(({ path, size }) => {
    const data = randomBytes(size);
    return { path, data, sha256: createHash('sha256').update(data).digest('hex') };
  });
}

export interface ModelDefinition {
  id: string;
  files: GeneratedFile[];
  sources: string[];
  variants?: string[];
}

/** Writes models.toml for `models` into a fresh temporary folder and returns its path. */
export function writeManifest(models: ModelDefinition[], dir = mkdtempSync(join(tmpdir(), 'modelctl-manifest-'))): string {
  const document = {
    schema_version: 1,
    models: Object.fromEntries(
      models.map((m) => [
        m.id,
        {
          version: '1.0.0',
          variants: m.variants ?? ['fp16'],
          default_variant: (m.variants ?? ['fp16'])[0],
          files: m.files.map((f) => ({ path: f.path, size: f.data.length, sha256: f.sha256 })),
          sources: { priority: m.sources },
        },
      ]),
    ),
  };
  const path = join(dir, 'models.toml');
  writeFileSync(path, stringify(document));
  return path;
}

/** A loopback port nothing listens on: connections to it are refused at once. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
