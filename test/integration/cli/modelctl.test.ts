/**
 * modelctl end to end: the real CLI in child processes, a real HTTP server on 127.0.0.1,
 * real files in a temporary models root. Asserts what a script or a user sees: exit
 * status, the JSON on stdout, files on disk, and what the server was asked for.
 */
import { existsSync, mkdtempSync, openSync, readFileSync, readSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer } from '../../helpers/fault-server';
import { deadPort, generateFiles, jsonOf, runCli, startCli, writeManifest, type GeneratedFile } from './cli-harness';

let server: FaultServer;
let dead: string;

beforeAll(async () => {
  server = await startFaultServer();
  dead = `http://127.0.0.1:${await deadPort()}/gone`;
});

afterAll(async () => {
  await server.close();
});

function publish(prefix: string, files: GeneratedFile[], options?: { bytesPerSecond?: number }): void {
  for (const f of files) server.serve(`${prefix}/${f.path}`, f.data, options);
}

function fileGets(prefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of server.requests) {
    if (r.method === 'GET' && r.path.startsWith(`${prefix}/`)) counts.set(r.path, (counts.get(r.path) ?? 0) + 1);
  }
  return counts;
}

function freshRoot(): string {
  return mkdtempSync(join(tmpdir(), 'modelctl-root-'));
}

describe('modelctl validate and list', () => {
  const files = generateFiles([
    { path: 'a.bin', size: 100 },
    { path: 'sub/b.json', size: 20 },
  ]);
  const manifest = writeManifest([
    { id: 'alpha@1', files, sources: ['https://example.com/alpha'] },
    { id: 'beta@1', files: files.slice(0, 1), sources: ['https://example.com/beta'], variants: ['fp16', 'bf16'] },
  ]);

  it('validates a good manifest: exit 0 and {ok:true,models:N}', async () => {
    const run = await runCli(['--json', 'validate', manifest]);
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toEqual({ ok: true, models: 2 });
  });

  it('validates the seed manifest', async () => {
    const run = await runCli(['validate', 'test/fixtures/manifests/wan22-models.toml', '--json']);
    expect(jsonOf(run)).toEqual({ ok: true, models: 3 });
  });

  it('refuses a bad manifest: exit 1 and every problem with its place', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'bad-')), 'models.toml');
    writeFileSync(
      bad,
      readFileSync(manifest, 'utf8')
        .replaceAll(`sha256 = "${files[0]!.sha256}"`, 'sha256 = "123"')
        .replace('path = "sub/b.json"', 'path = "../b.json"'),
    );
    const run = await runCli(['--json', 'validate', bad]);
    expect(run.code).toBe(1);
    const { error } = jsonOf(run) as {
      error: { code: string; message: string; details: { problems: Array<{ path: string; code?: string }> } };
    };
    expect(error.code).toBe('MANIFEST_VALIDATION_ERROR');
    expect(error.details.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'models."alpha@1".files[0].sha256' }),
        expect.objectContaining({ path: 'models."alpha@1".files[1].path', code: 'PATH_TRAVERSAL_DETECTED' }),
        expect.objectContaining({ path: 'models."beta@1".files[0].sha256' }),
      ]),
    );
    const plain = await runCli(['validate', bad]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toContain('models."alpha@1".files[1].path');
    expect(plain.stderr).toContain('Fix them and try again');
  });

  it('says MISSING_MANIFEST with what to do when there is none', async () => {
    const run = await runCli(['--json', 'list', '--manifest', '/nonexistent/models.toml']);
    expect(run.code).toBe(1);
    expect(jsonOf(run)).toEqual({
      error: { code: 'MISSING_MANIFEST', message: expect.stringContaining('--manifest'), details: expect.any(Object) },
    });
  });

  it('lists the models with their default variant and size', async () => {
    const run = await runCli(['--json', 'list', '--manifest', manifest]);
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toEqual({
      models: [
        { id: 'alpha@1', variants: ['fp16'], defaultVariant: 'fp16', totalBytes: 120 },
        { id: 'beta@1', variants: ['fp16', 'bf16'], defaultVariant: 'fp16', totalBytes: 100 },
      ],
    });
  });

  it('finds the manifest from MODELS_MANIFEST and prints a table without --json', async () => {
    const run = await runCli(['list'], { env: { MODELS_MANIFEST: manifest } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/alpha@1\s+fp16\*\s+120 B/);
  });

  it('finds ./models.toml in the working folder', async () => {
    const run = await runCli(['--json', 'list'], {
      cwd: join(manifest, '..'),
      entry: [join(import.meta.dirname, '..', '..', '..', 'bin', 'modelctl.mjs')],
    });
    expect(run.code).toBe(0);
    expect((jsonOf(run).models as unknown[]).length).toBe(2);
  });

  it('prints nothing but the JSON through npm run -s modelctl', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync('npm', ['run', '-s', 'modelctl', '--', '--json', 'list', '--manifest', manifest], {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ models: expect.any(Array) });
  });
});

describe('modelctl usage errors', () => {
  it.each([[['frobnicate']], [['ensure']], [['list', '--bogus']], [['gc', '--max-size', 'lots']], [[]]])('exits 2 for %j', async (args) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/modelctl: .+--help/s);
  });

  it('with --json prints exactly {"error":{code,message,details}}', async () => {
    const run = await runCli(['--json', 'ensure']);
    expect(run.code).toBe(2);
    const document = jsonOf(run);
    expect(Object.keys(document)).toEqual(['error']);
    expect(Object.keys(document.error as object).sort()).toEqual(['code', 'details', 'message']);
  });

  it('prints help for the tool and for a command', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('disk-usage');
    const gc = await runCli(['gc', '--help']);
    expect(gc.stdout).toContain('--max-age');
  });
});

describe('modelctl ensure, status, verify, estimate, pin, gc, disk-usage', () => {
  const files = generateFiles([
    { path: 'config.json', size: 300 },
    { path: 'unet/weights.safetensors', size: 200_000 },
    { path: 'vae/vae.pth', size: 50_000 },
  ]);
  let manifest: string;
  const root = freshRoot();
  const cli = (...args: string[]) => runCli(['--json', '--manifest', manifest, '--root', root, ...args]);

  beforeAll(() => {
    publish('/m1', files);
    manifest = writeManifest([{ id: 'wan@1', files, sources: [dead, `${server.url}/m1`] }]);
  });

  it('reports NOT_PRESENT and the full estimate before anything is downloaded', async () => {
    const status = await cli('status', 'wan@1');
    expect(status.code).toBe(0);
    expect(jsonOf(status)).toEqual({
      id: 'wan@1',
      variant: 'fp16',
      status: 'NOT_PRESENT',
      localPath: join(root, 'models', 'wan@1', 'fp16'),
      missingFiles: files.map((f) => f.path),
      bytesPresent: 0,
      bytesNeeded: 250_300,
      fileSources: [],
    });
    const estimate = await cli('estimate', 'wan@1');
    expect(jsonOf(estimate)).toEqual({ id: 'wan@1', variant: 'fp16', totalBytes: 250_300, bytesNeeded: 250_300 });
  });

  it('ensures a model from the second source when the first is dead, then downloads nothing the second time', async () => {
    const first = await cli('ensure', 'wan@1');
    expect(first.code, first.stderr).toBe(0);
    expect(jsonOf(first)).toEqual({
      id: 'wan@1',
      variant: 'fp16',
      localPath: join(root, 'models', 'wan@1', 'fp16'),
      downloadedBytes: 250_300,
      source: `${server.url}/m1`,
      fileSources: expect.arrayContaining(files.map((f) => ({ path: f.path, source: `${server.url}/m1` }))) as unknown,
    });
    for (const f of files) expect(readFileSync(join(root, 'models', 'wan@1', 'fp16', f.path)).equals(f.data)).toBe(true);

    server.reset();
    const second = await cli('ensure', 'wan@1');
    expect(second.code).toBe(0);
    expect(jsonOf(second)).toMatchObject({ downloadedBytes: 0 });
    expect(fileGets('/m1').size).toBe(0);
  });

  it('reports COMPLETE after ensure', async () => {
    const status = await cli('status', 'wan@1');
    expect(jsonOf(status)).toMatchObject({ status: 'COMPLETE', missingFiles: [], bytesNeeded: 0, bytesPresent: 250_300 });
    const estimate = await cli('estimate', 'wan@1');
    expect(jsonOf(estimate)).toMatchObject({ totalBytes: 250_300, bytesNeeded: 0 });
  });

  it('verifies a complete model with exit 0', async () => {
    const run = await cli('verify', 'wan@1');
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toMatchObject({
      success: true,
      verifiedFiles: expect.arrayContaining(files.map((f) => f.path)),
      failedFiles: [],
      missingFiles: [],
    });
  });

  it('shows the model in disk-usage, and pin/unpin change it', async () => {
    const pin = await cli('pin', 'wan@1');
    expect(pin.code).toBe(0);
    expect(jsonOf(pin)).toEqual({ id: 'wan@1', variant: 'fp16', pinned: true });
    const usage = jsonOf(await cli('disk-usage'));
    expect(usage).toEqual({
      root,
      models: [{ id: 'wan@1', variant: 'fp16', bytes: 250_300, pinned: true, lastUsed: expect.any(Number) }],
      partialBytes: expect.any(Number),
      freeBytes: expect.any(Number),
      totalBytes: expect.any(Number),
    });
    const unpin = await cli('unpin', 'wan@1');
    expect(jsonOf(unpin)).toEqual({ id: 'wan@1', variant: 'fp16', pinned: false });
  });

  it('keeps a pinned model through gc', async () => {
    await cli('pin', 'wan@1');
    const run = await cli('gc', '--max-size', '0');
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toMatchObject({ dryRun: false, removed: [] });
    expect(existsSync(join(root, 'models', 'wan@1', 'fp16', 'config.json'))).toBe(true);
    await cli('unpin', 'wan@1');
  });

  it('gc --dry-run lists what gc would remove and removes nothing; gc removes it', async () => {
    const dry = await cli('gc', '--dry-run', '--max-size', '0');
    expect(dry.code).toBe(0);
    expect(jsonOf(dry)).toEqual({
      dryRun: true,
      removed: [{ id: 'wan@1', variant: 'fp16', bytes: 250_300 }],
      bytesReclaimed: expect.any(Number),
    });
    expect(existsSync(join(root, 'models', 'wan@1', 'fp16', 'config.json'))).toBe(true);

    const real = await cli('gc', '--max-size', '0');
    expect(jsonOf(real)).toMatchObject({ dryRun: false, removed: [{ id: 'wan@1', variant: 'fp16', bytes: 250_300 }] });
    expect((jsonOf(real).bytesReclaimed as number) >= 250_300).toBe(true);
    expect(existsSync(join(root, 'models', 'wan@1'))).toBe(false);
    expect(jsonOf(await cli('status', 'wan@1'))).toMatchObject({ status: 'NOT_PRESENT' });
  });

  it('verify finds a corrupted byte: exit 1 and the file in failedFiles', async () => {
    // Same model, live source only: the dead-source fallback was covered above.
    const live = writeManifest([{ id: 'wan@1', files, sources: [`${server.url}/m1`] }]);
    const again = await runCli(['--json', '--manifest', live, '--root', root, 'ensure', 'wan@1']);
    expect(again.code, again.stderr).toBe(0);
    const target = join(root, 'models', 'wan@1', 'fp16', 'unet', 'weights.safetensors');
    const fd = openSync(target, 'r+');
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, 1000);
    byte[0] = (byte[0] as number) ^ 0xff;
    writeSync(fd, byte, 0, 1, 1000);
    closeSync(fd);

    const run = await cli('verify', 'wan@1');
    expect(run.code).toBe(1);
    expect(jsonOf(run)).toMatchObject({ success: false, failedFiles: ['unet/weights.safetensors'], missingFiles: [] });

    const plain = await runCli(['verify', 'wan@1', '--manifest', manifest, '--root', root]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('unet/weights.safetensors');
  });

  it('says MODEL_NOT_FOUND and VARIANT_NOT_FOUND with exit 1', async () => {
    const model = await cli('status', 'wan@2');
    expect(model.code).toBe(1);
    expect(jsonOf(model)).toMatchObject({ error: { code: 'MODEL_NOT_FOUND' } });
    const variant = await cli('ensure', 'wan@1', '--variant', 'int8');
    expect(variant.code).toBe(1);
    expect(jsonOf(variant)).toMatchObject({ error: { code: 'VARIANT_NOT_FOUND', message: expect.stringContaining('fp16') } });
  });
});

describe('modelctl with two processes and with Ctrl-C', () => {
  it('two processes ensuring the same model: one downloads, the other waits, every file fetched once', async () => {
    const files = generateFiles([
      { path: 'one.bin', size: 60_000 },
      { path: 'two.bin', size: 40_000 },
    ]);
    // Slow enough that the second process starts while the first is still downloading.
    publish('/m2', files, { bytesPerSecond: 50_000 });
    const manifest = writeManifest([{ id: 'shared@1', files, sources: [`${server.url}/m2`] }]);
    const root = freshRoot();
    const args = ['--json', '--manifest', manifest, '--root', root, 'ensure', 'shared@1'];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const downloaded = [jsonOf(a).downloadedBytes, jsonOf(b).downloadedBytes].sort();
    expect(downloaded).toEqual([0, 100_000]);
    expect([...fileGets('/m2').values()]).toEqual([1, 1]);
    for (const f of files) expect(readFileSync(join(root, 'models', 'shared@1', 'fp16', f.path)).equals(f.data)).toBe(true);
  });

  it('Ctrl-C cancels a download with exit 130, keeps the partial data, and the next run resumes', async () => {
    const files = generateFiles([{ path: 'big.bin', size: 400_000 }]);
    publish('/m3', files, { bytesPerSecond: 100_000 });
    const manifest = writeManifest([{ id: 'slow@1', files, sources: [`${server.url}/m3`] }]);
    const root = freshRoot();
    const args = ['--manifest', manifest, '--root', root, 'ensure', 'slow@1'];
    const running = startCli(args);
    // Wait until bytes are flowing, then press Ctrl-C.
    await waitFor(() => server.bytesSent('/m3/big.bin') > 100_000);
    running.child.kill('SIGINT');
    const run = await running.done;
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/cancelled/i);
    expect(run.stderr).toMatch(/partial data is kept/i);
    expect(existsSync(join(root, 'models', 'slow@1'))).toBe(false);

    const sentBefore = server.bytesSent('/m3/big.bin');
    const resumed = await runCli(['--json', ...args]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonOf(resumed).downloadedBytes as number).toBeLessThan(400_000);
    expect(server.bytesSent('/m3/big.bin') - sentBefore).toBeLessThan(400_000);
    expect(readFileSync(join(root, 'models', 'slow@1', 'fp16', 'big.bin')).equals(files[0]!.data)).toBe(true);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
