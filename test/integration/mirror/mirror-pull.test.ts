/**
 * Machines pulling from a team mirror: MODELS_MIRRORS in front of the model's own sources,
 * addressed by sha256, with the origin counted; a mirror missing one blob; eight `ensure`
 * processes on eight roots at once; importing the mirror's manifests; the mirror test.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifestFile } from '../../../main/core/manifest/index';
import { createOrchestrator } from '../../../main/core/orchestrator';
import { startForwardProxy } from '../../helpers/forward-proxy';
import { jsonOf, runCli } from '../cli/cli-harness';
import { BUCKET, sha256, startMirrorFixture, type MirrorFixture } from './mirror-fixture';

let fx: MirrorFixture;
const MIRROR = `s3://${BUCKET}/fleet`;
const BLOBS = `${MIRROR}/blobs/sha256`;

beforeAll(async () => {
  fx = await startMirrorFixture();
  for (const prefix of ['fleet', 'holey']) {
    const run = await runCli(
      ['--json', '--manifest', fx.manifest, '--root', fx.pushRoot, 'mirror', 'push', '--all', '--to', `s3://${BUCKET}/${prefix}`],
      {
        env: fx.store.env(),
      },
    );
    if (run.code !== 0) throw new Error(`push failed: ${run.stdout}${run.stderr}`);
  }
}, 90_000);

afterAll(async () => {
  await fx?.close();
});

const ensure = (root: string, mirrors: string, manifest = fx.manifest) =>
  runCli(['--json', '--manifest', manifest, '--root', root, 'ensure', fx.id], { env: fx.store.env({ MODELS_MIRRORS: mirrors }) });

async function expectModelFiles(root: string): Promise<void> {
  for (const f of fx.files) {
    expect(sha256(await readFile(path.join(root, 'models', fx.id, 'fp16', f.path)))).toBe(f.sha256);
  }
}

describe('mirrors in front of the sources', () => {
  it('a fresh root with only MODELS_MIRRORS set gets every file from the mirror and none from the origin', async () => {
    fx.origin.requests.length = 0;
    fx.store.slowDown(2, 0); // the store asks to slow down twice: retried, not a reason to go to the origin
    const root = path.join(fx.tmp, 'fresh');
    const run = await ensure(root, `${MIRROR}/`);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const doc = jsonOf(run) as { source: string; fileSources: Array<{ path: string; source: string }> };
    expect(doc.source).toBe(BLOBS);
    expect(doc.fileSources.map((f) => f.source)).toEqual(fx.files.map(() => BLOBS));
    expect(fx.origin.requests).toEqual([]);
    await expectModelFiles(root);
    const status = await runCli(['--json', '--manifest', fx.manifest, '--root', root, 'status', fx.id]);
    expect(jsonOf(status)).toMatchObject({ status: 'COMPLETE', fileSources: fx.files.map((f) => ({ path: f.path, source: BLOBS })) });
  }, 60_000);

  it('a mirror missing one blob: that file alone comes from the origin', async () => {
    const vocab = fx.files.find((f) => f.path === 'tokenizer/vocab.txt')!;
    await fx.store.deleteObject(BUCKET, `holey/blobs/sha256/${vocab.sha256}`);
    fx.origin.requests.length = 0;
    const root = path.join(fx.tmp, 'holey-root');
    const run = await ensure(root, `s3://${BUCKET}/holey`);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const doc = jsonOf(run) as { fileSources: Array<{ path: string; source: string }> };
    const byPath = Object.fromEntries(doc.fileSources.map((f) => [f.path, f.source]));
    expect(byPath).toEqual({
      'config.json': `s3://${BUCKET}/holey/blobs/sha256`,
      'tokenizer/vocab.txt': `${fx.origin.url}/origin`,
      'weights/model.safetensors': `s3://${BUCKET}/holey/blobs/sha256`,
    });
    expect(new Set(fx.origin.requests.map((r) => r.path))).toEqual(new Set(['/origin/tokenizer/vocab.txt']));
    await expectModelFiles(root);
  }, 60_000);

  it('a blob missing from the mirror never turns the next files of the model away from it', async () => {
    // One file at a time, so the file after the missing one starts after that failure was recorded.
    const model = (await loadManifestFile(fx.manifest)).models[0]!;
    const vocab = fx.files.find((f) => f.path === 'tokenizer/vocab.txt')!;
    await fx.store.deleteObject(BUCKET, `holey/blobs/sha256/${vocab.sha256}`);
    const root = path.join(fx.tmp, 'one-at-a-time');
    const orch = createOrchestrator({
      root,
      models: [model],
      settings: { fileConcurrency: 1 },
      sources: { env: fx.store.env(), mirrors: [`s3://${BUCKET}/holey`] },
    });
    try {
      fx.origin.requests.length = 0;
      const result = await orch.ensure(model.id);
      expect(model.files.map((f) => f.path)).toEqual(['config.json', 'tokenizer/vocab.txt', 'weights/model.safetensors']);
      expect(Object.fromEntries((result.fileSources ?? []).map((f) => [f.path, f.source]))).toEqual({
        'config.json': `s3://${BUCKET}/holey/blobs/sha256`,
        'tokenizer/vocab.txt': `${fx.origin.url}/origin`,
        'weights/model.safetensors': `s3://${BUCKET}/holey/blobs/sha256`,
      });
    } finally {
      await orch.close();
    }
  }, 60_000);

  it('eight ensure processes on eight roots against one mirror all succeed, each file fetched once per root', async () => {
    fx.origin.requests.length = 0;
    const before = fx.store.requests.length;
    const roots = Array.from({ length: 8 }, (_, i) => path.join(fx.tmp, `node-${i}`));
    const runs = await Promise.all(roots.map((root) => ensure(root, MIRROR)));
    for (const run of runs) expect(run.code, run.stdout + run.stderr).toBe(0);
    for (const root of roots) await expectModelFiles(root);
    expect(fx.origin.requests).toEqual([]);
    const gets = fx.store.requests.slice(before).filter((r) => r.method === 'GET');
    for (const f of fx.files) {
      const served = gets.filter((r) => r.key === `fleet/blobs/sha256/${f.sha256}`).reduce((s, r) => s + r.sent, 0);
      expect(served, f.path).toBe(8 * f.data.length);
    }
  }, 120_000);

  it('mirror pull-manifests writes the mirror’s models into a new manifest that ensures from the mirror', async () => {
    const manifest = path.join(fx.tmp, 'imported', 'models.toml');
    await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(manifest), { recursive: true }));
    const pulled = await runCli(['--json', '--manifest', manifest, 'mirror', 'pull-manifests', '--from', MIRROR], { env: fx.store.env() });
    expect(pulled.code, pulled.stdout + pulled.stderr).toBe(0);
    expect(jsonOf(pulled)).toMatchObject({ mirror: MIRROR, manifest, imported: [{ id: fx.id, version: '1.0.0', variants: ['fp16'] }] });
    fx.origin.requests.length = 0;
    const root = path.join(fx.tmp, 'imported-root');
    const run = await ensure(root, '', manifest);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect((jsonOf(run) as { source: string }).source).toBe(BLOBS);
    expect(fx.origin.requests).toEqual([]);
    await expectModelFiles(root);

    // One entry by its URL (what `modelctl add s3://…/manifests/ID.toml` imports).
    const single = path.join(fx.tmp, 'imported', 'one.toml');
    const one = await runCli(['--json', '--manifest', single, 'mirror', 'pull-manifests', '--from', `${MIRROR}/manifests/${fx.id}.toml`], {
      env: fx.store.env(),
    });
    expect(one.code, one.stdout + one.stderr).toBe(0);
    expect(jsonOf(one)).toMatchObject({ mirror: MIRROR, imported: [{ id: fx.id }] });
    expect((await loadManifestFile(single)).models.map((m) => m.sources[0])).toEqual([BLOBS]);
  }, 60_000);

  it('modelctl add imports from a mirror: one entry by its manifests/ID.toml URL, or every model with --from-mirror', async () => {
    const dir = path.join(fx.tmp, 'added');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
    const one = path.join(dir, 'one.toml');
    const single = await runCli(['--json', '--manifest', one, 'add', `${MIRROR}/manifests/${fx.id}.toml`], { env: fx.store.env() });
    expect(single.code, single.stdout + single.stderr).toBe(0);
    expect(jsonOf(single)).toMatchObject({ mirror: MIRROR, manifest: one, imported: [{ id: fx.id }] });
    expect((await loadManifestFile(one)).models.map((m) => m.sources[0])).toEqual([BLOBS]);

    const all = path.join(dir, 'all.toml');
    const every = await runCli(['--json', '--manifest', all, 'add', '--from-mirror', MIRROR], { env: fx.store.env() });
    expect(every.code, every.stdout + every.stderr).toBe(0);
    expect(jsonOf(every)).toMatchObject({ mirror: MIRROR, imported: [{ id: fx.id, version: '1.0.0', variants: ['fp16'] }] });
  }, 60_000);

  it('mirror test goes through --proxy like downloads: a store host only the proxy resolves is reachable', async () => {
    const storeHost = 'objects.internal.test:9000';
    const proxy = await startForwardProxy({ hosts: { [storeHost]: fx.store.endpoint } });
    try {
      const env = fx.store.env({
        AWS_ENDPOINT_URL: `http://${storeHost}`,
        AWS_ENDPOINT_URL_S3: `http://${storeHost}`,
        HTTP_PROXY: '',
        NO_PROXY: '',
      });
      const direct = await runCli(['--json', 'mirror', 'test', MIRROR], { env });
      expect(direct.code).toBe(1);
      const viaProxy = await runCli(['--json', '--proxy', proxy.url, 'mirror', 'test', MIRROR], { env });
      expect(viaProxy.code, viaProxy.stdout + viaProxy.stderr).toBe(0);
      expect(jsonOf(viaProxy)).toMatchObject({ mirror: MIRROR, ok: true, models: 1 });
      expect(proxy.requests.some((r) => r.target.startsWith(`http://${storeHost}/`) && r.status === 200)).toBe(true);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('mirror test: reachable with the model count; a wrong secret is AUTH_FAIL and never printed', async () => {
    const ok = await runCli(['--json', 'mirror', 'test', MIRROR], { env: fx.store.env() });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(jsonOf(ok)).toMatchObject({ mirror: MIRROR, ok: true, models: 1 });
    const secret = 'not-the-secret-91x';
    const bad = await runCli(['--json', 'mirror', 'test', MIRROR], { env: fx.store.env({ AWS_SECRET_ACCESS_KEY: secret }) });
    expect(bad.code).toBe(1);
    expect((jsonOf(bad) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'AUTH_FAIL' });
    expect(bad.stdout + bad.stderr).not.toContain(secret);
  }, 60_000);
});
