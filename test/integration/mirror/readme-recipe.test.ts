/**
 * The README recipe "One node pushes, every node ensures", run as written: the shell block is
 * read from README.md, s3rver is started with its command line (only the folder and port are
 * swapped for free ones), `export` lines set the environment, and every `modelctl` line runs as
 * a real process. Node 1 ensures from the origin and pushes; the origin is then shut down, and
 * nodes 2 and 3 (fresh roots, the second without a manifest) must still end with verified models.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startFaultServer } from '../../helpers/fault-server';
import { deadPort, generateFiles, repoRoot, runCli, writeManifest } from '../cli/cli-harness';
import { sha256 } from './mirror-fixture';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const recipe = /### One node pushes, every node ensures[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';

// `modelctl` run in each node's own folder (the harness default resolves tsx from the checkout).
const modelctlFromAnywhere = [
  '--import',
  pathToFileURL(path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href,
  path.join(repoRoot, 'main', 'cli', 'modelctl.ts'),
];

let store: ChildProcess | null = null;
let tmp = '';

afterAll(async () => {
  store?.kill();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(true));
      socket.on('error', () => resolve(false));
      socket.setTimeout(500, () => resolve(false));
    }).catch(() => false);
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`s3rver did not listen on ${port}`);
}

describe('README: one node pushes, every node ensures', () => {
  it('works as written against a local s3rver, the origin unreachable for nodes 2 and 3', async () => {
    expect(recipe).toContain('mirror push');
    tmp = await mkdtemp(path.join(os.tmpdir(), 'readme-mirror-'));
    const port = await deadPort();
    const origin = await startFaultServer();
    const files = generateFiles([
      { path: 'config.json', size: 400 },
      { path: 'model.safetensors', size: 20 * 1024 * 1024 + 17 },
    ]);
    for (const f of files) origin.serve(`/hub/${f.path}`, f.data);
    const manifestText = readFileSync(writeManifest([{ id: 'team-llm@1.0', files, sources: [`${origin.url}/hub`] }]), 'utf8');

    let env: Record<string, string> = {};
    let storeEnv: Record<string, string> = {};
    let node = 0;
    let nodeDir = '';
    const roots: string[] = [];
    for (const raw of recipe.split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      const section = /^#\s*(\d+)\./.exec(raw.trim());
      if (section) {
        // Each numbered step is another machine: it has the store's settings, nothing of the others'.
        if (node === 0) storeEnv = { ...env };
        env = { ...storeEnv };
        node = Number(section[1]);
        nodeDir = path.join(tmp, `node-${node}`);
        await mkdir(nodeDir, { recursive: true });
        if (node <= 2) writeFileSync(path.join(nodeDir, 'models.toml'), manifestText);
        if (node === 2) await origin.close(); // from here on, the internet is gone
        continue;
      }
      if (line === '' || line.startsWith('#')) continue;
      const words = line.replace(/&$/, '').trim().split(/\s+/);
      if (words[0] === 'npx' && words[1] === 's3rver') {
        const args = words
          .slice(2)
          .map((w, i, all) => (all[i - 1] === '-d' ? path.join(tmp, 's3') : all[i - 1] === '-p' ? String(port) : w));
        store = spawn(process.execPath, [path.join(repoRoot, 'node_modules', 's3rver', 'bin', 's3rver.js'), ...args], { stdio: 'ignore' });
        await waitForPort(port);
      } else if (words[0] === 'export') {
        for (const pair of words.slice(1)) {
          const [name, value = ''] = pair.split('=');
          env[name as string] = value
            .replace('http://127.0.0.1:9000', `http://127.0.0.1:${port}`)
            .replace('/data/models', path.join(nodeDir, 'root'));
        }
        if (env.MODELS_ROOT) roots[node] = env.MODELS_ROOT;
      } else if (words[0] === 'modelctl') {
        const run = await runCli(words.slice(1), { env: { ...env }, cwd: nodeDir, entry: modelctlFromAnywhere });
        expect(run.code, `${line}\n${run.stdout}${run.stderr}`).toBe(0);
      } else {
        throw new Error(`the recipe has a line this test does not know how to run: ${line}`);
      }
    }
    expect(node).toBe(3);
    for (const n of [1, 2, 3]) {
      for (const f of files) {
        expect(sha256(await readFile(path.join(roots[n] as string, 'models', 'team-llm@1.0', 'fp16', f.path)))).toBe(f.sha256);
      }
    }
  }, 120_000);
});
