/**
 * adopt and export against the real @huggingface/hub client: an HF cache made by snapshotDownload
 * is adopted with zero requests and the model verifies; a copy with one flipped byte is not
 * adopted; the scanned folder is unchanged; an exported cache serves downloadFileToCacheDir
 * offline; exports count as uses for gc and remove says where the model is still linked.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, lstat, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { downloadFileToCacheDir, snapshotDownload } from '@huggingface/hub';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHubLookalike, type HubLookalike } from '../../helpers/hub-lookalike';
import { jsonOf, runCli } from '../cli/cli-harness';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + seed * 7) & 0xff));
const repoFiles: Record<string, Buffer> = {
  'config.json': Buffer.from('{"hidden": 16}\n'),
  'model_index.json': Buffer.from('{"_class_name": "TinyPipeline"}\n'),
  'tokenizer/vocab.txt': Buffer.from('a\nb\nc\n'),
  'unet/diffusion_pytorch_model.safetensors': bytes(300_000, 1),
  'vae/diffusion_pytorch_model.safetensors': bytes(120_000, 2),
};

let hub: HubLookalike;
let tmp: string;
let manifest: string;
let cache: string;
let id: string;
let commit: string;

/** Every entry under dir: symlink targets, file hashes and sizes (to prove a folder was not changed). */
async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const visit = async (abs: string, rel: string) => {
    for (const name of (await readdir(abs)).sort()) {
      const child = path.join(abs, name);
      const key = rel ? `${rel}/${name}` : name;
      const info = await lstat(child);
      if (info.isSymbolicLink()) out[key] = `-> ${await readlink(child)}`;
      else if (info.isDirectory()) await visit(child, key);
      else out[key] = `${info.size} ${info.mtimeMs} ${sha256(await readFile(child))}`;
    }
  };
  await visit(dir, '');
  return out;
}

beforeAll(async () => {
  vi.spyOn(console, 'debug').mockImplementation(() => {}); // snapshotDownload logs each file
  hub = await startHubLookalike([{ id: 'org/tiny', revisions: { main: repoFiles } }]);
  tmp = await mkdtemp(path.join(tmpdir(), 'catalog-adopt-'));
  manifest = path.join(tmp, 'models.toml');
  const add = await runCli(['--json', '--manifest', manifest, 'add', 'hf://org/tiny'], { env: { HF_ENDPOINT: hub.url, HF_TOKEN: '' } });
  expect(add.code, add.stderr).toBe(0);
  id = jsonOf(add).id as string;
  commit = hub.commitOf('org/tiny');
  cache = path.join(tmp, 'hf-cache');
  await snapshotDownload({ repo: 'org/tiny', hubUrl: hub.url, cacheDir: cache });
});

afterAll(async () => {
  await hub.close();
  await rm(tmp, { recursive: true, force: true });
});

const cli = (args: string[], root: string) =>
  runCli(['--json', '--manifest', manifest, '--root', root, ...args], { env: { HF_ENDPOINT: hub.url } });

describe('modelctl adopt', () => {
  it('adopts an HF cache made by snapshotDownload with zero requests; the model is complete and verifies; the cache is unchanged', async () => {
    const root = path.join(tmp, 'root-adopt');
    const before = await fingerprint(cache);
    hub.resetCounts();
    const run = await cli(['adopt', cache], root);
    expect(run.code, run.stderr).toBe(0);
    const doc = jsonOf(run);
    const total = Object.values(repoFiles).reduce((s, b) => s + b.length, 0);
    expect(doc).toMatchObject({
      adoptedFiles: 5,
      adoptedBytes: total,
      linked: 5,
      copied: 0,
      models: [{ id, variant: 'default', status: 'COMPLETE' }],
    });
    expect(doc.scannedFiles).toBe(11); // 5 blobs, 5 snapshot symlinks (each inode hashed once) and refs/main
    expect(doc.hashedBytes).toBe(total);
    expect(hub.requests).toEqual([]);
    const verify = await cli(['verify', id], root);
    expect(jsonOf(verify)).toMatchObject({ success: true, failedFiles: [], missingFiles: [] });
    expect(await fingerprint(cache)).toEqual(before);

    // Adopting again finds nothing new and changes nothing.
    const again = jsonOf(await cli(['adopt', cache], root));
    expect(again).toMatchObject({ adoptedFiles: 0, hashedBytes: 0, models: [] });
  });

  it('completes a model whose optional file is nowhere, still with zero requests', async () => {
    const text = (await readFile(manifest, 'utf8')).replaceAll(`"${id}"`, '"tiny-opt"');
    const withOptional = path.join(tmp, 'optional.toml');
    const extra = `\n[[models."tiny-opt".files]]\npath = "extra/optional.bin"\nsize = 4321\nsha256 = "${sha256(Buffer.from('elsewhere'))}"\noptional = true\n`;
    await writeFile(withOptional, text + extra);
    const root = path.join(tmp, 'root-optional');
    hub.resetCounts();
    const run = await runCli(['--json', '--manifest', withOptional, '--root', root, 'adopt', cache], { env: { HF_ENDPOINT: hub.url } });
    expect(jsonOf(run)).toMatchObject({ adoptedFiles: 5, models: [{ id: 'tiny-opt', variant: 'default', status: 'COMPLETE' }] });
    expect(hub.requests).toEqual([]);
  });

  it('does not adopt a copy with one flipped byte, and the model stays incomplete', async () => {
    const flipped = path.join(tmp, 'flipped');
    await cp(path.join(cache, 'models--org--tiny', 'snapshots', commit), flipped, { recursive: true, dereference: true });
    const victim = path.join(flipped, 'unet/diffusion_pytorch_model.safetensors');
    const data = await readFile(victim);
    data[1234] = (data[1234] as number) ^ 0x01;
    await writeFile(victim, data);
    const before = await fingerprint(flipped);
    const root = path.join(tmp, 'root-flipped');
    const doc = jsonOf(await cli(['adopt', flipped], root));
    expect(doc).toMatchObject({ adoptedFiles: 4, models: [] });
    expect(jsonOf(await cli(['status', id], root)).status).toBe('PARTIAL');
    expect(await fingerprint(flipped)).toEqual(before);
  });
});

describe('modelctl export', () => {
  it('lays out an HF cache that downloadFileToCacheDir reads offline, idempotently', async () => {
    const root = path.join(tmp, 'root-export');
    expect((await cli(['adopt', cache], root)).code).toBe(0);
    const target = path.join(tmp, 'exported-cache');
    const run = await cli(['export', id, '--hf-cache', target], root);
    expect(run.code, run.stderr).toBe(0);
    const snapshot = path.join(target, 'models--org--tiny', 'snapshots', commit);
    expect(jsonOf(run)).toEqual({ id, variant: 'default', dir: snapshot, files: 5, linked: 5, copied: 0 });
    expect((await readFile(path.join(target, 'models--org--tiny', 'refs', 'main'), 'utf8')).trim()).toBe(commit);
    // The same names the Hub client gives: sha256 for LFS files, the git blob sha1 for the others.
    expect(await readlink(path.join(snapshot, 'config.json'))).toBe(`../../blobs/${hub.gitOid(repoFiles['config.json']!)}`);
    expect(await readlink(path.join(snapshot, 'unet/diffusion_pytorch_model.safetensors'))).toBe(
      `../../../blobs/${sha256(repoFiles['unet/diffusion_pytorch_model.safetensors']!)}`,
    );

    hub.resetCounts();
    for (const [p, data] of Object.entries(repoFiles)) {
      const got = await downloadFileToCacheDir({ repo: 'org/tiny', path: p, revision: commit, cacheDir: target, hubUrl: hub.url });
      expect(sha256(await readFile(got))).toBe(sha256(data));
    }
    expect(hub.requests).toEqual([]);

    const before = await fingerprint(target);
    expect(jsonOf(await cli(['export', id, '--hf-cache', target], root))).toMatchObject({ files: 5, linked: 0, copied: 0 });
    expect(await fingerprint(target)).toEqual(before);
  });

  it('hard-links into a plain folder; gc keeps an exported model; remove says where it is still linked', async () => {
    const root = path.join(tmp, 'root-folder');
    expect((await cli(['adopt', cache], root)).code).toBe(0);
    const folder = path.join(tmp, 'comfy', 'models', 'tiny');
    const run = await cli(['export', id, '--to', folder], root);
    expect(jsonOf(run)).toEqual({ id, variant: 'default', dir: folder, files: 5, linked: 5, copied: 0 });
    const unet = 'unet/diffusion_pytorch_model.safetensors';
    const blob = path.join(root, 'blobs', 'sha256', sha256(repoFiles[unet]!));
    expect((await stat(path.join(folder, unet))).ino).toBe((await stat(blob)).ino);

    const gc = jsonOf(await cli(['gc', '--max-size', '0'], root));
    expect(gc).toMatchObject({ removed: [] });
    expect(jsonOf(await cli(['status', id], root)).status).toBe('COMPLETE');

    const removed = jsonOf(await cli(['remove', id], root));
    expect(removed).toMatchObject({ id, variant: 'default', links: [{ kind: 'folder', dir: folder, variant: 'default' }] });
    expect(sha256(await readFile(path.join(folder, unet)))).toBe(sha256(repoFiles[unet]!));
  });

  it.skipIf(!existsSync('/dev/shm'))('copies across filesystems (and says so), and exports with symlinks there', async () => {
    // /dev/shm is a tmpfs: hard links from the temp folder into it are impossible.
    const root = await mkdtemp('/dev/shm/catalog-root-');
    try {
      const adopt = jsonOf(await cli(['adopt', cache], root));
      expect(adopt).toMatchObject({ adoptedFiles: 5, linked: 0, copied: 5, models: [{ id, status: 'COMPLETE' }] });
      const textRoot = path.join(root, 'text');
      const text = await runCli(['--manifest', manifest, '--root', textRoot, 'adopt', cache], { env: { HF_ENDPOINT: hub.url } });
      expect(text.stdout).toContain('5 files were copied: the models folder is on another filesystem');
      const folder = path.join(tmp, 'other-fs-export');
      const exported = jsonOf(await cli(['export', id, '--to', folder], root));
      expect(exported).toMatchObject({ files: 5, linked: 0, copied: 5 });
      const unet = 'unet/diffusion_pytorch_model.safetensors';
      expect((await lstat(path.join(folder, unet))).isSymbolicLink()).toBe(true);
      expect(sha256(await readFile(path.join(folder, unet)))).toBe(sha256(repoFiles[unet]!));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('refuses to put a model without a pinned Hub commit into an HF cache, saying why', async () => {
    const dir = await mkdtemp(path.join(tmp, 'plain-'));
    await writeFile(path.join(dir, 'weights.bin'), bytes(1000, 9));
    const plainManifest = path.join(tmp, 'plain.toml');
    expect((await runCli(['--json', '--manifest', plainManifest, 'add', dir, '--id', 'plain'])).code).toBe(0);
    const root = path.join(tmp, 'root-plain');
    expect((await runCli(['--json', '--manifest', plainManifest, '--root', root, 'ensure', 'plain'])).code).toBe(0);
    const run = await runCli([
      '--json',
      '--manifest',
      plainManifest,
      '--root',
      root,
      'export',
      'plain',
      '--hf-cache',
      path.join(tmp, 'nope'),
    ]);
    expect(run.code).toBe(1);
    expect(jsonOf(run).error).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('hf://org/name@') });
  });
});
