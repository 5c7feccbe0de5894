/**
 * s3:// end to end against s3rver (a pure-JS S3 protocol server that checks SigV4 signatures)
 * on 127.0.0.1: objects uploaded with signed PUTs, then a model ensured through createOrchestrator
 * with segmented, individually signed range GETs.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AwsClient } from 'aws4fetch';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../shared/manifest';
import { createOrchestrator, type Orchestrator } from '../../../main/core/orchestrator';
import { checkSigV4 } from './sigv4-check';

const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 'S3RVER';
const WRONG_SECRET = 'wrong-secret-Zq8vX2';
const SESSION_TOKEN = 'session-token-Fw3kP0';
const BUCKET = 'models';
const PREFIX = 'wan22/t2v-A14B@2.2.0';
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

const files = [
  { path: 'config.json', data: Buffer.from('{"model":"t2v"}\n') },
  { path: 'unet/diffusion model+v1 (fp16).safetensors', data: bytes(10 * MiB, 'unet') },
];

function spec(id: string, sources: string[]): ModelSpec {
  return {
    id,
    version: '2.2.0',
    variants: ['fp16'],
    defaultVariant: 'fp16',
    allowPatterns: ['*'],
    files: files.map((f) => ({
      path: f.path,
      size: f.data.length,
      sha256: createHash('sha256').update(f.data).digest('hex'),
      optional: false,
    })),
    sources,
  };
}

interface SeenRequest {
  method: string;
  url: string;
  range?: string;
  authorization?: string;
  signedHeaders?: string[];
  rejected?: string;
  status?: number;
}

let tmp: string;
let server: http.Server;
let endpoint: string;
const seen: SeenRequest[] = [];
const orchestrators: Orchestrator[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 's3-source-'));
  const s3 = new S3rver({ directory: path.join(tmp, 's3'), silent: true, configureBuckets: [{ name: BUCKET, configs: [] }] });
  await s3.configureBuckets();
  const handle = s3.callback();
  // Our own listener around s3rver's handler, so the test sees every request it answered.
  server = http.createServer((req, res) => {
    const entry: SeenRequest = { method: req.method ?? '', url: req.url ?? '' };
    if (req.headers.range) entry.range = req.headers.range;
    if (req.headers.authorization) entry.authorization = req.headers.authorization;
    seen.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    const verdict = checkSigV4(req, {
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET_KEY,
      region: 'us-east-1',
      service: 's3',
      sessionToken: SESSION_TOKEN,
    });
    if (!verdict.ok) {
      entry.rejected = verdict.reason;
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${verdict.code}</Code><Message>${verdict.reason}</Message></Error>`);
      return;
    }
    entry.signedHeaders = verdict.signedHeaders;
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new AwsClient({ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, service: 's3', region: 'us-east-1' });
  for (const f of files) {
    const key = `${PREFIX}/${f.path}`.split('/').map(encodeURIComponent).join('/');
    const res = await client.fetch(`${endpoint}/${BUCKET}/${key}`, { method: 'PUT', body: new Uint8Array(f.data) });
    if (!res.ok) throw new Error(`upload of ${f.path} failed: HTTP ${res.status} ${await res.text()}`);
  }
});

afterAll(async () => {
  await Promise.all(orchestrators.map((o) => o.close()));
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(tmp, { recursive: true, force: true });
});

async function orchestrator(models: ModelSpec[], env: Record<string, string>): Promise<{ orch: Orchestrator; root: string }> {
  const root = await mkdtemp(path.join(tmp, 'root-'));
  const orch = createOrchestrator({ root, models, settings: { retries: 1 }, sources: { env } });
  orchestrators.push(orch);
  return { orch, root };
}

/** No AWS_REGION: a custom endpoint gets the us-east-1 default, as MinIO and s3rver expect. */
function envWith(secret: string): Record<string, string> {
  return { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: secret };
}

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string; details?: Record<string, unknown> };
  }
  throw new Error('expected the ensure to fail');
}

describe('s3:// sources against an S3 protocol server', () => {
  it('ensures a model from s3://bucket/prefix with a key containing "@", every range GET signed on its own', async () => {
    seen.length = 0;
    const { orch } = await orchestrator([spec('t2v', [`s3://${BUCKET}/${PREFIX}`])], envWith(SECRET_KEY));
    const result = await orch.ensure('t2v');
    for (const f of files) {
      const got = await readFile(path.join(result.localPath, f.path));
      expect(got.equals(f.data)).toBe(true);
    }
    expect((await orch.status('t2v')).status).toBe('COMPLETE');
    expect((await orch.verify('t2v')).success).toBe(true);
    expect(result.source).toBe(`s3://${BUCKET}/${PREFIX}`);

    const gets = seen.filter((r) => r.method === 'GET' && r.url.includes('diffusion'));
    const ranged = gets.filter((r) => r.range);
    expect(ranged.length).toBeGreaterThan(1);
    expect(gets.map((r) => r.rejected ?? r.status).filter((s) => s !== 206 && s !== 200)).toEqual([]);
    // The Range is part of what is signed, so a piece's signature cannot be replayed for another piece.
    expect(ranged.every((r) => r.signedHeaders?.includes('range'))).toBe(true);
    // Each piece has its own signature, not one replayed for every piece.
    const signatures = new Set(ranged.map((r) => /Signature=([0-9a-f]+)/.exec(r.authorization ?? '')?.[1]));
    expect(signatures.size).toBe(new Set(ranged.map((r) => r.range)).size);
    expect(signatures.has(undefined)).toBe(false);
  });

  it('fails with AUTH_FAIL on a wrong secret key, without the secret or a signature in the message', async () => {
    seen.length = 0;
    const { orch } = await orchestrator([spec('t2v', [`s3://${BUCKET}/${PREFIX}`])], envWith(WRONG_SECRET));
    const error = await failureOf(orch.ensure('t2v'));
    expect(seen.some((r) => r.status === 403)).toBe(true);
    const text = JSON.stringify({ message: error.message, details: error.details });
    expect(error.code).toBe('AUTH_FAIL');
    expect(text).toContain(`s3://${BUCKET}/${PREFIX}`);
    expect(text).not.toContain(WRONG_SECRET);
    expect(text).not.toMatch(/Signature=|X-Amz-Signature|AWS4-HMAC-SHA256/i);
    expect((await orch.status('t2v')).status).not.toBe('COMPLETE');
  });

  it('signs requests made with temporary credentials (AWS_SESSION_TOKEN)', async () => {
    seen.length = 0;
    const { orch } = await orchestrator([spec('t2v', [`s3://${BUCKET}/${PREFIX}`])], {
      ...envWith(SECRET_KEY),
      AWS_SESSION_TOKEN: SESSION_TOKEN,
    });
    await orch.ensure('t2v');
    expect((await orch.verify('t2v')).success).toBe(true);
    const gets = seen.filter((r) => r.method === 'GET');
    expect(gets.length).toBeGreaterThan(0);
    expect(gets.every((r) => r.signedHeaders?.includes('x-amz-security-token'))).toBe(true);
  });

  it('takes the keys from the AWS_PROFILE in ~/.aws/credentials when no AWS_* keys are set', async () => {
    const home = await mkdtemp(path.join(tmp, 'home-'));
    await mkdir(path.join(home, '.aws'));
    await writeFile(
      path.join(home, '.aws', 'credentials'),
      `[default]\naws_access_key_id = NOBODY\naws_secret_access_key = nope\n\n[models]\naws_access_key_id = ${ACCESS_KEY}\naws_secret_access_key = ${SECRET_KEY}\n`,
    );
    const { orch } = await orchestrator([spec('t2v', [`s3://${BUCKET}/${PREFIX}`])], {
      HOME: home,
      AWS_PROFILE: 'models',
      AWS_ENDPOINT_URL_S3: endpoint,
    });
    await orch.ensure('t2v');
    expect((await orch.verify('t2v')).success).toBe(true);
  });

  it('falls back to the next source when an object is missing from the first bucket prefix', async () => {
    const { orch } = await orchestrator([spec('t2v', [`s3://${BUCKET}/not-uploaded`, `s3://${BUCKET}/${PREFIX}`])], envWith(SECRET_KEY));
    const result = await orch.ensure('t2v');
    expect(result.source).toBe(`s3://${BUCKET}/${PREFIX}`);
    expect((await orch.verify('t2v')).success).toBe(true);
  });

  it('reports SOURCE_UNAVAILABLE naming the s3:// source when no source has the object', async () => {
    const { orch } = await orchestrator([spec('t2v', [`s3://${BUCKET}/not-uploaded`])], envWith(SECRET_KEY));
    const error = await failureOf(orch.ensure('t2v'));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(JSON.stringify({ message: error.message, details: error.details })).toContain(`s3://${BUCKET}/not-uploaded`);
  });
});
