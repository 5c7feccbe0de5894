/**
 * The API methods of add, adopt and export, through the same dispatcher the web host and the
 * Electron IPC use, on a real AppService and orchestrator, against the Hub look-alike.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { snapshotDownload } from '@huggingface/hub';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiHandlers, handleApiCall, type ApiEvent, type ApiResponse } from '../../../shared/api';
import { AppService } from '../../../main/core/jobs/app-service';
import { createDefaultModelService } from '../../../main/core/jobs/default-model-service';
import { startHubLookalike, type HubLookalike } from '../../helpers/hub-lookalike';

const TOKEN = 'hf_api_test_token_Q2w9';
const repoFiles: Record<string, Buffer> = {
  'config.json': Buffer.from('{"layers": 2}\n'),
  'model.safetensors': Buffer.alloc(150_000, 5),
};

let hub: HubLookalike;
let tmp: string;

beforeAll(async () => {
  vi.spyOn(console, 'debug').mockImplementation(() => {});
  hub = await startHubLookalike(
    [
      { id: 'org/tiny', revisions: { main: repoFiles } },
      { id: 'org/secret', private: true, revisions: { main: repoFiles } },
    ],
    { token: TOKEN },
  );
  tmp = await mkdtemp(path.join(tmpdir(), 'catalog-api-'));
});

afterAll(async () => {
  await hub.close();
  await rm(tmp, { recursive: true, force: true });
});

async function start(name: string) {
  const root = path.join(tmp, name);
  const app = await AppService.create({
    root,
    host: 'web',
    createModelService: createDefaultModelService,
    env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: path.join(tmp, `${name}-default-cache`) },
    progressIntervalMs: 0,
  });
  const events: ApiEvent[] = [];
  app.subscribe((e) => events.push(e));
  const handlers = createApiHandlers(app);
  const call = async <T>(method: string, input?: unknown): Promise<T> => {
    const response: ApiResponse = await handleApiCall(handlers, method, input);
    if (!response.ok) throw Object.assign(new Error(response.error.message), { structured: response.error });
    return response.result as T;
  };
  const fails = async (method: string, input?: unknown) => {
    const response = await handleApiCall(handlers, method, input);
    if (response.ok) throw new Error(`${method} should have failed`);
    return response.error;
  };
  return { app, call, fails, events, root };
}

describe('catalog API', () => {
  it("previews, adds into the app's own manifest (kept across restarts), adopts, exports and lists links", async () => {
    const { app, call, fails, events } = await start('one');
    const commit = hub.commitOf('org/tiny');
    const preview = await call<Record<string, unknown>>('previewModelSource', { source: 'org/tiny' });
    expect(preview).toEqual({
      source: `hf://org/tiny@${commit}`,
      revision: commit,
      revisionName: 'main',
      suggestedId: `tiny@${commit.slice(0, 7)}`,
      files: [
        { path: 'config.json', size: repoFiles['config.json']!.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), lfs: false },
        { path: 'model.safetensors', size: 150_000, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), lfs: true },
      ],
      totalBytes: repoFiles['config.json']!.length + 150_000,
    });
    expect(hub.count('cdn')).toBe(0);

    // As the Add dialog does it: the pinned source of the preview, and the branch it came from.
    const added = await call<{ id: string; manifest: string }>('addModel', {
      source: preview.source,
      revisionName: preview.revisionName,
      id: 'tiny',
    });
    expect(added).toMatchObject({ id: 'tiny', variants: ['default'], files: 2, revision: commit });
    expect(path.basename(added.manifest)).toBe('added-models.toml');
    expect(events.some((e) => e.type === 'models')).toBe(true);
    expect(await call('listManifests')).toContainEqual(expect.objectContaining({ name: 'Added models', builtIn: false, models: ['tiny'] }));
    expect((await call<Array<{ id: string }>>('listModels')).map((m) => m.id)).toContain('tiny');

    const cache = path.join(tmp, 'hf-cache');
    await snapshotDownload({ repo: 'org/tiny', hubUrl: hub.url, cacheDir: cache });
    hub.resetCounts();
    events.length = 0;
    const adopted = await call<Record<string, unknown>>('adoptFolders', { dirs: [cache] });
    expect(adopted).toMatchObject({ adoptedFiles: 2, models: [{ id: 'tiny', variant: 'default', status: 'COMPLETE' }] });
    expect(hub.requests).toEqual([]);
    const progress = events
      .filter((e) => e.type === 'adoptProgress')
      .map((e) => (e as Extract<ApiEvent, { type: 'adoptProgress' }>).progress);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['scanning', 'hashing', 'linking']));
    expect(progress.at(-1)).toMatchObject({ phase: 'done', hashedBytes: 150_000 + repoFiles['config.json']!.length });
    expect(events).toContainEqual({ type: 'status', status: expect.objectContaining({ id: 'tiny', status: 'COMPLETE' }) });
    expect(events).toContainEqual({ type: 'disk' });

    // No dir: the HF cache named by HF_HUB_CACHE.
    const exported = await call<{ dir: string }>('exportModel', { id: 'tiny', target: 'hf-cache' });
    expect(exported.dir).toBe(path.join(tmp, 'one-default-cache', 'models--org--tiny', 'snapshots', commit));
    expect(await readFile(path.join(exported.dir, 'config.json'))).toEqual(repoFiles['config.json']);
    // refs/main names the commit, so from_pretrained("org/tiny") finds it offline without a revision.
    expect(await readFile(path.join(tmp, 'one-default-cache', 'models--org--tiny', 'refs', 'main'), 'utf8')).toBe(commit);
    expect(await fails('exportModel', { id: 'tiny', target: 'folder' })).toMatchObject({ code: 'INVALID_CONFIG' });
    const links = await call<{ links: unknown[] }>('listModelLinks', { id: 'tiny' });
    expect(links.links).toEqual([{ kind: 'hf-cache', dir: exported.dir, variant: 'default', createdAt: expect.any(Number) }]);
    await app.close();

    const again = await start('one');
    expect((await again.call<Array<{ id: string }>>('listModels')).map((m) => m.id)).toContain('tiny');
    const removed = await again.call<Record<string, unknown>>('remove', { id: 'tiny' });
    expect(removed).toMatchObject({ id: 'tiny', links: [{ kind: 'hf-cache', dir: exported.dir }] });
    await again.app.close();
  });

  it('answers AUTH_FAIL, MODEL_NOT_FOUND and bad patterns as structured errors, and suggests folders', async () => {
    const { app, call, fails } = await start('two');
    expect(await fails('previewModelSource', { source: 'hf://org/secret' })).toMatchObject({
      code: 'AUTH_FAIL',
      message: expect.stringContaining('HF_TOKEN'),
    });
    expect(await fails('previewModelSource', { source: 'org/missing' })).toMatchObject({
      code: 'MODEL_NOT_FOUND',
      message: expect.stringContaining('org/missing'),
    });
    expect(await fails('addModel', { source: 'org/tiny', include: ['*.gguf'] })).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(await fails('addModel', { source: 'org/tiny', revisionName: '../../etc' })).toMatchObject({ code: 'INVALID_CONFIG' });
    const { folders } = await call<{ folders: Array<{ label: string; exists: boolean; path: string }> }>('suggestAdoptFolders');
    expect(folders.map((f) => f.label)).toEqual(['Hugging Face cache', 'ComfyUI models', 'LM Studio models', 'Ollama blobs', 'Downloads']);
    expect(folders[0]).toMatchObject({ path: path.join(tmp, 'two-default-cache'), exists: false });
    await app.close();
  });
});
