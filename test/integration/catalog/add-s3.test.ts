/**
 * `modelctl add s3://bucket/prefix` against s3rver (SigV4 checked): listing pages followed,
 * sha256 from SHA256SUMS where it lists a file, else the object hashed; the model then ensures.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AwsClient } from 'aws4fetch';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifestFile } from '../../../main/core/manifest/index';
import { jsonOf, runCli } from '../cli/cli-harness';
import { checkSigV4 } from '../sources/sigv4-check';

const KEY = 'S3RVER';
const BUCKET = 'team-models';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const files: Record<string, Buffer> = {
  'config.json': Buffer.from('{"a": 1}\n'),
  'weights/model.safetensors': Buffer.alloc(90_000, 3),
  'weights/extra file.bin': Buffer.alloc(5_000, 4),
};

let tmp: string;
let server: http.Server;
let endpoint: string;
const seen: Array<{ method: string; url: string }> = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'catalog-s3-'));
  const s3 = new S3rver({ directory: path.join(tmp, 's3'), silent: true, configureBuckets: [{ name: BUCKET, configs: [] }] });
  await s3.configureBuckets();
  const handle = s3.callback();
  server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '' });
    const verdict = checkSigV4(req, { accessKeyId: KEY, secretAccessKey: KEY, region: 'us-east-1', service: 's3' });
    if (!verdict.ok) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${verdict.code}</Code><Message>${verdict.reason}</Message></Error>`);
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new AwsClient({ accessKeyId: KEY, secretAccessKey: KEY, service: 's3', region: 'us-east-1' });
  const put = async (key: string, body: Buffer) => {
    const res = await client.fetch(`${endpoint}/${BUCKET}/${key.split('/').map(encodeURIComponent).join('/')}`, {
      method: 'PUT',
      body: new Uint8Array(body),
    });
    if (!res.ok) throw new Error(`PUT ${key}: ${res.status}`);
  };
  for (const [p, data] of Object.entries(files)) await put(`tiny/v1/${p}`, data);
  // SHA256SUMS lists one file (as `sha256sum` prints it); the others must be hashed.
  await put('tiny/v1/SHA256SUMS', Buffer.from(`${sha256(files['weights/model.safetensors']!)}  ./weights/model.safetensors\n`));
}, 120_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(tmp, { recursive: true, force: true });
});

const env = { AWS_ENDPOINT_URL: '', AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: KEY, AWS_REGION: 'us-east-1' };

describe('modelctl add s3://', () => {
  it('takes sha256 from SHA256SUMS or by hashing, and the model then downloads and verifies', async () => {
    const manifest = path.join(tmp, 'models.toml');
    seen.length = 0;
    const run = await runCli(['--json', '--manifest', manifest, 'add', `s3://${BUCKET}/tiny/v1`], {
      env: { ...env, AWS_ENDPOINT_URL: endpoint },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(jsonOf(run)).toMatchObject({ id: 'v1', files: 3, source: `s3://${BUCKET}/tiny/v1`, revision: null });
    const model = (await loadManifestFile(manifest)).models[0]!;
    expect(Object.fromEntries(model.files.map((f) => [f.path, [f.size, f.sha256]]))).toEqual(
      Object.fromEntries(Object.entries(files).map(([p, d]) => [p, [d.length, sha256(d)]])),
    );
    // The file SHA256SUMS names was never downloaded.
    expect(seen.some((r) => r.method === 'GET' && r.url.includes('model.safetensors'))).toBe(false);

    const ensure = await runCli(['--json', '--manifest', manifest, '--root', path.join(tmp, 'root'), 'ensure', 'v1'], {
      env: { ...env, AWS_ENDPOINT_URL: endpoint },
    });
    expect(ensure.code, ensure.stderr).toBe(0);
    const local = jsonOf(ensure).localPath as string;
    expect(await readFile(path.join(local, 'weights/extra file.bin'))).toEqual(files['weights/extra file.bin']);
  });

  it('follows ListObjectsV2 continuation pages, and uses stored sha256 checksums instead of reading objects', async () => {
    // s3rver cannot page (its continuation-token cipher is gone from OpenSSL 3), so this S3 look-alike
    // answers ListObjectsV2 three keys at a time, as a real bucket does past 1000 keys.
    const objects = Array.from({ length: 8 }, (_, i) => ({ key: `paged/f${i}.txt`, data: Buffer.from(`file ${i}\n`) }));
    const tokens: string[] = [];
    const gets: string[] = [];
    const paging = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://s3');
      if (url.searchParams.get('list-type') === '2') {
        const token = url.searchParams.get('continuation-token');
        if (token) tokens.push(token);
        const start = token ? Number(Buffer.from(token, 'base64').toString()) : 0;
        const page = objects.filter((o) => o.key.startsWith(url.searchParams.get('prefix') ?? '')).slice(start, start + 3);
        const more = start + 3 < objects.length;
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><IsTruncated>${more}</IsTruncated>` +
            page.map((o) => `<Contents><Key>${o.key}</Key><Size>${o.data.length}</Size></Contents>`).join('') +
            (more ? `<NextContinuationToken>${Buffer.from(String(start + 3)).toString('base64')}</NextContinuationToken>` : '') +
            '</ListBucketResult>',
        );
        return;
      }
      const object = objects.find((o) => url.pathname === `/${BUCKET}/${o.key}`);
      if (object && req.method === 'GET') gets.push(object.key);
      // Even-numbered objects carry a full-object sha256 checksum (as S3 stores for single-part uploads).
      const checksum =
        object &&
        req.method === 'HEAD' &&
        req.headers['x-amz-checksum-mode'] === 'ENABLED' &&
        Number(/f(\d)/.exec(object.key)?.[1]) % 2 === 0
          ? { 'x-amz-checksum-sha256': createHash('sha256').update(object.data).digest('base64'), 'x-amz-checksum-type': 'FULL_OBJECT' }
          : {};
      res.writeHead(object ? 200 : 404, { 'content-length': object ? object.data.length : 0, ...checksum });
      res.end(req.method === 'HEAD' ? undefined : object?.data);
    });
    await new Promise<void>((resolve) => paging.listen(0, '127.0.0.1', resolve));
    try {
      const manifest = path.join(tmp, 'paged.toml');
      const pagedEndpoint = `http://127.0.0.1:${(paging.address() as AddressInfo).port}`;
      const run = await runCli(['--json', '--manifest', manifest, 'add', `s3://${BUCKET}/paged`], {
        env: { ...env, AWS_ENDPOINT_URL: pagedEndpoint },
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(jsonOf(run)).toMatchObject({ id: 'paged', files: 8 });
      expect(tokens).toHaveLength(2);
      const model = (await loadManifestFile(manifest)).models[0]!;
      expect(model.files.map((f) => f.sha256)).toEqual(objects.map((o) => sha256(o.data)));
      expect(gets).toEqual(['paged/f1.txt', 'paged/f3.txt', 'paged/f5.txt', 'paged/f7.txt']);
    } finally {
      paging.closeAllConnections();
      await new Promise((resolve) => paging.close(resolve));
    }
  });

  it('says which keys to set when S3 refuses the signature', async () => {
    const run = await runCli(['--json', '--manifest', path.join(tmp, 'x.toml'), 'add', `s3://${BUCKET}/tiny/v1`], {
      env: { ...env, AWS_ENDPOINT_URL: endpoint, AWS_SECRET_ACCESS_KEY: 'wrong-secret-77' },
    });
    expect(run.code).toBe(1);
    expect(jsonOf(run).error).toMatchObject({ code: 'AUTH_FAIL', message: expect.stringContaining('AWS_SECRET_ACCESS_KEY') });
    expect(run.stdout).not.toContain('wrong-secret-77');
  });
});
