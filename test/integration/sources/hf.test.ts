/**
 * hf:// end to end against a Hub look-alike on 127.0.0.1 (see hub-server.ts): resolve URLs,
 * revisions, the token sent to the Hub but never to the CDN host it redirects to, and the
 * errors a user sees for private repos and broken redirects.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../shared/manifest';
import { createOrchestrator, type Orchestrator } from '../../../main/core/orchestrator';
import { createSourceResolver } from '../../../main/core/sources/index';
import { startHubServer, type HubServer } from './hub-server';

const TOKEN = 'hf_testTokenQ4w8zR2m';
const COMMIT = '3f1c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a';
const MiB = 1024 * 1024;

function bytes(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let i = 0; i < size; i += block.length) {
    block.copy(out, i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

type Files = Record<string, Buffer>;
const mainFiles: Files = {
  'config.json': Buffer.from('{"revision":"main"}\n'),
  'transformer/diffusion model.safetensors': bytes(9 * MiB, 'main-transformer'),
};
const v1Files: Files = {
  'config.json': Buffer.from('{"revision":"v1.0"}\n'),
  'transformer/diffusion model.safetensors': bytes(300 * 1024, 'v1-transformer'),
};

function spec(id: string, files: Files, sources: string[]): ModelSpec {
  return {
    id,
    version: '1.0.0',
    variants: ['fp16'],
    defaultVariant: 'fp16',
    allowPatterns: ['*'],
    files: Object.entries(files).map(([p, data]) => ({
      path: p,
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      optional: false,
    })),
    sources,
  };
}

let hub: HubServer;
let tmp: string;
const orchestrators: Orchestrator[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'hf-source-'));
  hub = await startHubServer(
    [
      { id: 'open-org/public-model', revisions: { main: mainFiles } },
      { id: 'acme/private-model', private: true, revisions: { main: mainFiles, 'v1.0': v1Files, [COMMIT]: v1Files } },
    ],
    TOKEN,
  );
});

afterAll(async () => {
  await Promise.all(orchestrators.map((o) => o.close()));
  await hub.close();
  await rm(tmp, { recursive: true, force: true });
});

async function orchestrator(models: ModelSpec[], env: Record<string, string>): Promise<Orchestrator> {
  const root = await mkdtemp(path.join(tmp, 'root-'));
  const orch = createOrchestrator({ root, models, settings: { retries: 1 }, sources: { env: { HF_ENDPOINT: hub.url, ...env } } });
  orchestrators.push(orch);
  return orch;
}

async function expectFiles(localPath: string, files: Files): Promise<void> {
  for (const [p, data] of Object.entries(files)) expect((await readFile(path.join(localPath, p))).equals(data)).toBe(true);
}

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string; details?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string; details?: unknown };
  }
  throw new Error('expected the ensure to fail');
}

const hubHost = () => new URL(hub.url).host;
const cdnHost = () => new URL(hub.cdnUrl).host;

describe('hf:// sources against a Hub look-alike', () => {
  it('ensures a public model from hf://org/repo (main), large files through the CDN redirect in ranges', async () => {
    hub.requests.length = 0;
    const orch = await orchestrator([spec('pub', mainFiles, ['hf://open-org/public-model'])], {});
    const result = await orch.ensure('pub');
    await expectFiles(result.localPath, mainFiles);
    expect((await orch.status('pub')).status).toBe('COMPLETE');
    expect((await orch.verify('pub')).success).toBe(true);
    expect(result.source).toBe('hf://open-org/public-model');
    const cdnRanges = hub.requests.filter((r) => r.host === cdnHost() && r.range);
    expect(cdnRanges.length).toBeGreaterThan(1);
    expect(
      hub.requests.some((r) => r.path.startsWith('/open-org/public-model/resolve/main/transformer/diffusion%20model.safetensors')),
    ).toBe(true);
  });

  it('sends the token to the Hub host and its same-host redirects, never to the CDN host', async () => {
    hub.requests.length = 0;
    const orch = await orchestrator([spec('priv', mainFiles, ['hf://acme/private-model'])], { HF_TOKEN: TOKEN });
    const result = await orch.ensure('priv');
    await expectFiles(result.localPath, mainFiles);
    const toHub = hub.requests.filter((r) => r.host === hubHost());
    const toCdn = hub.requests.filter((r) => r.host === cdnHost());
    expect(toHub.some((r) => r.path.startsWith('/api/resolve-cache/'))).toBe(true);
    expect(toHub.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(toCdn.length).toBeGreaterThan(0);
    expect(toCdn.filter((r) => r.authorization !== undefined)).toEqual([]);
    expect(hub.requests.filter((r) => r.status !== 200 && r.status !== 206 && r.status !== 302 && r.status !== 307)).toEqual([]);
  });

  it('ensures a named revision from hf://org/repo@v1.0', async () => {
    const orch = await orchestrator([spec('v1', v1Files, ['hf://acme/private-model@v1.0'])], { HF_TOKEN: TOKEN });
    const result = await orch.ensure('v1');
    await expectFiles(result.localPath, v1Files);
    expect(result.source).toBe('hf://acme/private-model@v1.0');
  });

  it('ensures a pinned commit from hf://org/repo@<commit hash>', async () => {
    hub.requests.length = 0;
    const orch = await orchestrator([spec('pinned', v1Files, [`hf://acme/private-model@${COMMIT}`])], { HF_TOKEN: TOKEN });
    const result = await orch.ensure('pinned');
    await expectFiles(result.localPath, v1Files);
    expect(hub.requests.some((r) => r.path.startsWith(`/acme/private-model/resolve/${COMMIT}/config.json`))).toBe(true);
  });

  it('fails with AUTH_FAIL on a private repo without a token, the source carrying the HF_TOKEN advice', async () => {
    const orch = await orchestrator([spec('priv', mainFiles, ['hf://acme/private-model'])], {});
    const error = await failureOf(orch.ensure('priv'));
    expect(error.code).toBe('AUTH_FAIL');
    expect((await orch.status('priv')).status).not.toBe('COMPLETE');
    const [source] = createSourceResolver({ env: { HF_ENDPOINT: hub.url } }).resolve(
      spec('priv', mainFiles, ['hf://acme/private-model']),
      'config.json',
    );
    expect(source?.kind === 'http' && source.authHelp).toMatch(/set HF_TOKEN/);
  });

  it('says to set HF_TOKEN in the AUTH_FAIL message itself', async () => {
    const orch = await orchestrator([spec('priv', mainFiles, ['hf://acme/private-model'])], {});
    const error = await failureOf(orch.ensure('priv'));
    expect(error.code).toBe('AUTH_FAIL');
    expect(error.message).toContain('HF_TOKEN');
  });

  it('fails with AUTH_FAIL on a wrong token without showing the token', async () => {
    const wrong = 'hf_wrongTokenZZ9';
    const orch = await orchestrator([spec('priv', mainFiles, ['hf://acme/private-model'])], { HF_TOKEN: wrong });
    const error = await failureOf(orch.ensure('priv'));
    expect(error.code).toBe('AUTH_FAIL');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(wrong);
  });

  it('reports a revision that does not exist as SOURCE_UNAVAILABLE naming the source', async () => {
    const orch = await orchestrator([spec('gone', v1Files, ['hf://acme/private-model@v9.9'])], { HF_TOKEN: TOKEN });
    const error = await failureOf(orch.ensure('gone'));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(JSON.stringify(error.details)).toContain('hf://acme/private-model@v9.9');
  });

  it('keeps the signed CDN query string out of the message when the redirect target fails', async () => {
    const big = mainFiles['transformer/diffusion model.safetensors'] as Buffer;
    hub.cdnMissing.add(createHash('sha256').update(big).digest('hex'));
    try {
      const orch = await orchestrator([spec('pub', mainFiles, ['hf://open-org/public-model'])], {});
      const error = await failureOf(orch.ensure('pub'));
      const text = JSON.stringify({ message: error.message, details: error.details });
      expect(error.code).toBe('SOURCE_UNAVAILABLE');
      expect(text).toContain('hf://open-org/public-model');
      expect(text).not.toContain(hub.cdnSignature);
      expect(text).not.toMatch(/Signature=|Key-Pair-Id|Expires=/);
    } finally {
      hub.cdnMissing.clear();
    }
  });
});
