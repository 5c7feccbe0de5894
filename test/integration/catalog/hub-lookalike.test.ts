import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFiles, modelInfo, snapshotDownload } from '@huggingface/hub';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHubLookalike, type HubLookalike } from '../../helpers/hub-lookalike';

const TOKEN = 'hf_test_token_abcdef';
const weights = Buffer.alloc(300_000, 7);
const config = Buffer.from('{"hidden": 8}\n');

describe('the Hub look-alike speaks what @huggingface/hub expects', () => {
  let hub: HubLookalike;
  let dir: string;
  beforeAll(async () => {
    vi.spyOn(console, 'debug').mockImplementation(() => {}); // snapshotDownload logs each file
    const files: Record<string, Buffer> = { 'config.json': config, 'unet/model.safetensors': weights };
    for (let i = 0; i < 7; i++) files[`tok/part-${i}.txt`] = Buffer.from(`part ${i}\n`);
    hub = await startHubLookalike(
      [
        { id: 'org/tiny', revisions: { main: files } },
        { id: 'org/secret', private: true, revisions: { main: { 'a.txt': Buffer.from('a') } } },
      ],
      { token: TOKEN, pageSize: 4 },
    );
    dir = await mkdtemp(join(tmpdir(), 'hub-lookalike-'));
  });
  afterAll(async () => {
    await hub.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves main to a commit and pages the tree through Link headers', async () => {
    const info = await modelInfo({ name: 'org/tiny', hubUrl: hub.url, additionalFields: ['sha'] });
    expect(info.sha).toBe(hub.commitOf('org/tiny'));
    hub.resetCounts();
    const entries = [];
    for await (const e of listFiles({ repo: 'org/tiny', hubUrl: hub.url, recursive: true, revision: info.sha })) entries.push(e);
    expect(entries.filter((e) => e.type === 'file')).toHaveLength(9);
    expect(hub.count('tree')).toBe(3);
    const lfs = entries.find((e) => e.path === 'unet/model.safetensors');
    expect(lfs?.lfs).toMatchObject({ oid: createHash('sha256').update(weights).digest('hex'), size: weights.length });
    const small = entries.find((e) => e.path === 'config.json');
    expect(small?.lfs).toBeUndefined();
    expect(small?.oid).toBe(hub.gitOid(config));
  });

  it('serves snapshotDownload: LFS through the CDN without the token, a refs file, relative symlinks', async () => {
    hub.resetCounts();
    const snapshot = await snapshotDownload({ repo: 'org/tiny', hubUrl: hub.url, cacheDir: dir, accessToken: TOKEN });
    expect(snapshot).toBe(join(dir, 'models--org--tiny', 'snapshots', hub.commitOf('org/tiny')));
    expect(await readFile(join(snapshot, 'unet/model.safetensors'))).toEqual(weights);
    expect(await readlink(join(snapshot, 'config.json'))).toBe(`../../blobs/${hub.gitOid(config)}`);
    expect((await readFile(join(dir, 'models--org--tiny', 'refs', 'main'), 'utf8')).trim()).toBe(hub.commitOf('org/tiny'));
    const cdn = hub.requests.filter((r) => r.server === 'cdn');
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.every((r) => r.authorization === undefined && r.status! < 300)).toBe(true);
  });

  it('answers 401 for a private repo without token and 404 for unknown repos and revisions', async () => {
    await expect(modelInfo({ name: 'org/secret', hubUrl: hub.url })).rejects.toMatchObject({ statusCode: 401 });
    await expect(modelInfo({ name: 'org/secret', hubUrl: hub.url, accessToken: TOKEN })).resolves.toMatchObject({ name: 'org/secret' });
    await expect(modelInfo({ name: 'org/nope', hubUrl: hub.url })).rejects.toMatchObject({ statusCode: 404 });
    await expect(modelInfo({ name: 'org/tiny', hubUrl: hub.url, revision: 'v9' })).rejects.toMatchObject({ statusCode: 404 });
  });
});
