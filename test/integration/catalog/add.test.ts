/**
 * `modelctl add` end to end: from the Hub look-alike (pinned commit, Hub metadata for LFS files,
 * paging, tokens), into a manifest that keeps its comments, then `ensure` downloads and verifies.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifestFile } from '../../../main/core/manifest/index';
import { startHubLookalike, type HubLookalike } from '../../helpers/hub-lookalike';
import { jsonOf, runCli } from '../cli/cli-harness';

const TOKEN = 'hf_catalog_test_token_Zx81';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

const repoFiles: Record<string, Buffer> = {
  'README.md': Buffer.from('# tiny\n'),
  'config.json': Buffer.from('{"hidden": 8}\n'),
  'tokenizer/tokenizer.json': Buffer.from('{"vocab": ["a", "b"]}\n'),
  'unet/diffusion_pytorch_model.fp16.safetensors': bytes(200_000, 1),
  'unet/diffusion_pytorch_model.safetensors': bytes(400_000, 2),
  'vae/diffusion_pytorch_model.safetensors': bytes(100_000, 3),
};

let hub: HubLookalike;
let tmp: string;

beforeAll(async () => {
  hub = await startHubLookalike(
    [
      { id: 'org/tiny', revisions: { main: repoFiles, v1: { 'config.json': Buffer.from('{"old": true}\n') } } },
      { id: 'org/private', private: true, revisions: { main: repoFiles } },
      { id: 'org/gated', gated: true, revisions: { main: repoFiles } },
    ],
    { token: TOKEN, pageSize: 2 },
  );
  tmp = await mkdtemp(path.join(tmpdir(), 'catalog-add-'));
});

afterAll(async () => {
  await hub.close();
  await rm(tmp, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({ HF_ENDPOINT: hub.url, HF_TOKEN: '', ...extra });

describe('modelctl add hf://', () => {
  it('pins the commit, takes LFS sha256 from the Hub without fetching a byte, follows pages, and sends the token to the Hub only', async () => {
    const dir = await mkdtemp(path.join(tmp, 'hf-'));
    const manifest = path.join(dir, 'models.toml');
    hub.resetCounts();
    const run = await runCli(['--json', '--manifest', manifest, 'add', 'hf://org/private'], { env: env({ HF_TOKEN: TOKEN }) });
    const doc = jsonOf(run);
    expect(run.code, run.stderr).toBe(0);
    const commit = hub.commitOf('org/private');
    expect(doc).toEqual({
      id: `private@${commit.slice(0, 7)}`,
      variants: ['default'],
      files: 6,
      totalBytes: Object.values(repoFiles).reduce((s, b) => s + b.length, 0),
      source: `hf://org/private@${commit}`,
      revision: commit,
      manifest,
    });
    // Six files, two per page: the tree took three pages (directories count as entries too).
    expect(hub.count('tree')).toBeGreaterThanOrEqual(3);
    expect(hub.count('cdn')).toBe(0);
    const resolved = hub.requests.filter((r) => r.route === 'resolve').map((r) => decodeURIComponent(r.path));
    expect(resolved.some((p) => p.endsWith('.safetensors'))).toBe(false);
    expect(resolved.every((p) => p.includes(`/resolve/${commit}/`))).toBe(true);
    expect(hub.requests.every((r) => r.server === 'hub' && r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);

    const loaded = await loadManifestFile(manifest);
    const model = loaded.models[0]!;
    expect(model.sources).toEqual([`hf://org/private@${commit}`]);
    expect(model.hfRevision).toBe('main');
    for (const f of model.files) {
      const data = repoFiles[f.path]!;
      expect(f.size).toBe(data.length);
      expect(f.sha256).toBe(sha256(data));
      expect(f.lfs ?? false).toBe(f.path.endsWith('.safetensors'));
      if (!f.lfs) expect(f.gitOid).toBe(hub.gitOid(data));
    }

    // The pinned model downloads and verifies; LFS bytes come from the CDN, which never sees the token.
    hub.resetCounts();
    const root = path.join(dir, 'root');
    const ensure = await runCli(['--json', '--manifest', manifest, '--root', root, 'ensure', doc.id as string], {
      env: env({ HF_TOKEN: TOKEN }),
    });
    expect(ensure.code, ensure.stderr).toBe(0);
    const cdn = hub.requests.filter((r) => r.server === 'cdn');
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.every((r) => r.authorization === undefined)).toBe(true);
    const local = jsonOf(ensure).localPath as string;
    for (const [p, data] of Object.entries(repoFiles)) expect(sha256(await readFile(path.join(local, p)))).toBe(sha256(data));
  });

  it('accepts org/name and a revision, with include, exclude and variants', async () => {
    const manifest = path.join(await mkdtemp(path.join(tmp, 'hf-')), 'models.json');
    const run = await runCli(
      [
        '--json',
        '--manifest',
        manifest,
        'add',
        'https://huggingface.co/org/tiny', // a Hub URL; HF_ENDPOINT says where the Hub really is
        '--exclude',
        'README.md',
        '--variant',
        'fp16=*.fp16.safetensors',
        '--variant',
        'fp32=unet/diffusion_pytorch_model.safetensors',
        '--id',
        'tiny',
        '--description',
        'A tiny test model',
      ],
      { env: env() },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(jsonOf(run)).toMatchObject({ id: 'tiny', variants: ['fp16', 'fp32'], files: 5 });
    const model = (await loadManifestFile(manifest)).models[0]!;
    expect(model.description).toBe('A tiny test model');
    const variantsOf = (p: string) => model.files.find((f) => f.path === p)?.variants;
    expect(variantsOf('unet/diffusion_pytorch_model.fp16.safetensors')).toEqual(['fp16']);
    expect(variantsOf('unet/diffusion_pytorch_model.safetensors')).toEqual(['fp32']);
    expect(variantsOf('config.json')).toBeUndefined();

    const old = await runCli(['--json', '--manifest', manifest, 'add', 'org/tiny', '--revision', 'v1', '--id', 'tiny-v1'], { env: env() });
    expect(jsonOf(old)).toMatchObject({ id: 'tiny-v1', files: 1, revision: hub.commitOf('org/tiny', 'v1') });
    expect((await loadManifestFile(manifest)).models.map((m) => m.id).sort()).toEqual(['tiny', 'tiny-v1']);
  });

  it('says to set HF_TOKEN for a private repo, to accept the terms of a gated one, and names an unknown repo or revision', async () => {
    const manifest = path.join(await mkdtemp(path.join(tmp, 'hf-')), 'models.toml');
    const add = (source: string, extra: Record<string, string> = {}, args: string[] = []) =>
      runCli(['--json', '--manifest', manifest, 'add', source, ...args], { env: env(extra) });

    const secret = await add('hf://org/private');
    expect(secret.code).toBe(1);
    expect(jsonOf(secret).error).toMatchObject({ code: 'AUTH_FAIL', message: expect.stringContaining('HF_TOKEN') });

    const gated = await add('hf://org/gated', { HF_TOKEN: 'hf_someone_else_1234' });
    expect(jsonOf(gated).error).toMatchObject({
      code: 'AUTH_FAIL',
      message: expect.stringMatching(/accept the model's terms on .*org\/gated/i),
    });
    expect(gated.stdout + gated.stderr).not.toContain('hf_someone_else_1234');

    const unknown = await add('hf://org/nope');
    expect(jsonOf(unknown).error).toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('org/nope') });
    expect((jsonOf(unknown).error as { message: string }).message).not.toMatch(/revision/);

    const badRevision = await add('hf://org/tiny@v9');
    expect(jsonOf(badRevision).error).toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('"v9"') });
    await expect(readFile(manifest)).rejects.toThrow(); // nothing written on failure
  });
});

describe('the manifest add writes into', () => {
  it("keeps the seed manifest's comments and models, and updates the same model in place", async () => {
    const dir = await mkdtemp(path.join(tmp, 'seed-'));
    const manifest = path.join(dir, 'wan22-models.toml');
    await copyFile('/work/shared/reference/wan22-models.toml', manifest);
    const original = await readFile(manifest, 'utf8');
    const before = (await loadManifestFile(manifest)).models.map((m) => m.id);

    const first = await runCli(['--json', '--manifest', manifest, 'add', 'org/tiny', '--id', 'tiny'], { env: env() });
    expect(first.code, first.stderr).toBe(0);
    const once = await readFile(manifest, 'utf8');
    expect(once.startsWith(original)).toBe(true);

    const again = await runCli(['--json', '--manifest', manifest, 'add', 'org/tiny', '--id', 'tiny', '--include', '*.json'], {
      env: env(),
    });
    expect(again.code, again.stderr).toBe(0);
    const twice = await readFile(manifest, 'utf8');
    expect(twice.startsWith(original)).toBe(true);
    const models = (await loadManifestFile(manifest)).models;
    expect(models.map((m) => m.id)).toEqual([...before, 'tiny']);
    expect(models.find((m) => m.id === 'tiny')!.files.map((f) => f.path)).toEqual(['config.json', 'tokenizer/tokenizer.json']);
    expect(twice.match(/\[models\."tiny"\]/g)).toHaveLength(1);
  });

  it('replaces a model in the middle of a file without touching its neighbours or their comments', async () => {
    const dir = await mkdtemp(path.join(tmp, 'mid-'));
    const manifest = path.join(dir, 'models.toml');
    await runCli(['--json', '--manifest', manifest, 'add', 'org/tiny', '--id', 'a', '--include', 'README.md'], { env: env() });
    await writeFile(manifest, `${await readFile(manifest, 'utf8')}\n# --- the model below is B ---\n`);
    await runCli(['--json', '--manifest', manifest, 'add', 'org/tiny', '--id', 'b', '--include', 'config.json'], { env: env() });
    await runCli(['--json', '--manifest', manifest, 'add', 'org/tiny', '--id', 'a', '--include', '*.json'], { env: env() });
    const text = await readFile(manifest, 'utf8');
    expect(text).toContain('# --- the model below is B ---\n\n[models."b"]');
    expect(text.indexOf('[models."a"]')).toBeLessThan(text.indexOf('[models."b"]'));
    const models = (await loadManifestFile(manifest)).models;
    expect(models.find((m) => m.id === 'a')!.files).toHaveLength(2);
    expect(models.find((m) => m.id === 'b')!.files.map((f) => f.path)).toEqual(['config.json']);
  });
});

describe('modelctl add from a folder', () => {
  it('hashes every file, writes a file:// source, and leaves the folder as it was', async () => {
    const dir = await mkdtemp(path.join(tmp, 'folder-'));
    const src = path.join(dir, 'my model');
    await mkdir(path.join(src, 'sub'), { recursive: true });
    const files = { 'a.bin': bytes(70_000, 4), 'sub/b.json': Buffer.from('{}\n') };
    for (const [p, data] of Object.entries(files)) await writeFile(path.join(src, p), data);
    const manifest = path.join(dir, 'models.toml');
    const run = await runCli(['--json', '--manifest', manifest, 'add', src]);
    expect(run.code, run.stderr).toBe(0);
    expect(jsonOf(run)).toMatchObject({ id: 'my-model', files: 2, revision: null, source: `file://${src.replace(/ /g, '%20')}` });
    const model = (await loadManifestFile(manifest)).models[0]!;
    for (const f of model.files) expect(f.sha256).toBe(sha256(files[f.path as keyof typeof files]));
    for (const [p, data] of Object.entries(files)) expect(await readFile(path.join(src, p))).toEqual(data);
    const ensure = await runCli(['--json', '--manifest', manifest, '--root', path.join(dir, 'root'), 'ensure', 'my-model']);
    expect(ensure.code, ensure.stderr).toBe(0);
  });
});
