import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../shared/manifest';
import { createSourceResolver } from '../../../main/core/sources';

function model(sources: string[], extra: Partial<ModelSpec> = {}): ModelSpec {
  return { id: 'm', version: '1', variants: ['fp16'], defaultVariant: 'fp16', allowPatterns: ['*'], files: [], sources, ...extra };
}

describe('source resolver', () => {
  it('keeps the manifest priority order and joins each path segment URL-encoded', () => {
    const r = createSourceResolver({ env: {} });
    const out = r.resolve(model(['https://mirror.example/models/', 'http://b.example/x']), 'unet/my model#1.safetensors');
    expect(out).toEqual([
      { kind: 'http', base: 'https://mirror.example/models/', url: 'https://mirror.example/models/unet/my%20model%231.safetensors' },
      { kind: 'http', base: 'http://b.example/x', url: 'http://b.example/x/unet/my%20model%231.safetensors' },
    ]);
  });

  it('resolves local:// against the model mirror root, else the option', () => {
    const r = createSourceResolver({ localMirrorRoot: '/opt/mirror', env: {} });
    expect(r.resolve(model(['local://wan22/t2v']), 'a/b.bin')[0]).toEqual({
      kind: 'file',
      base: 'local://wan22/t2v',
      filePath: '/opt/mirror/wan22/t2v/a/b.bin',
    });
    expect(r.resolve(model(['local://wan22/t2v'], { localMirrorRoot: '/srv/m' }), 'a.bin')[0]).toMatchObject({
      filePath: '/srv/m/wan22/t2v/a.bin',
    });
  });

  it('reports local:// without any mirror root as a problem instead of failing the rest', () => {
    const r = createSourceResolver({ env: {} });
    const { sources, problems } = r.resolveWithProblems(model(['local://x', 'file:///data/models']), 'a.bin');
    expect(sources).toEqual([{ kind: 'file', base: 'file:///data/models', filePath: '/data/models/a.bin' }]);
    expect(problems[0]?.error.code).toBe('INVALID_CONFIG');
  });

  it('builds Hugging Face resolve URLs with the revision and the HF_ENDPOINT override', () => {
    const hub = createSourceResolver({ env: {} }).resolve(model(['hf://Wan-AI/Wan2.2-T2V-A14B']), 'x/y.json')[0];
    expect(hub).toMatchObject({ url: 'https://huggingface.co/Wan-AI/Wan2.2-T2V-A14B/resolve/main/x/y.json' });
    const mirror = createSourceResolver({ env: { HF_ENDPOINT: 'https://hf-mirror.example/' } }).resolve(
      model(['hf://org/repo@v1.0']),
      'a.bin',
    )[0];
    expect(mirror).toMatchObject({ url: 'https://hf-mirror.example/org/repo/resolve/v1.0/a.bin' });
    const pr = createSourceResolver({ hfEndpoint: 'http://127.0.0.1:9', env: {} }).resolve(model(['hf://org/repo@refs/pr/1']), 'a.bin')[0];
    expect(pr).toMatchObject({ url: 'http://127.0.0.1:9/org/repo/resolve/refs%2Fpr%2F1/a.bin' });
  });

  it('sends the HF token as a bearer header only, never in the URL or base', async () => {
    const r = createSourceResolver({ env: { HF_TOKEN: 'hf_secret123' } });
    const src = r.resolve(model(['hf://org/repo']), 'a.bin')[0];
    if (src?.kind !== 'http' || !src.headers) throw new Error('expected an http source with headers');
    expect(await src.headers({ method: 'GET', url: src.url })).toEqual({ authorization: 'Bearer hf_secret123' });
    expect(JSON.stringify({ url: src.url, base: src.base })).not.toContain('hf_secret123');
    const explicit = createSourceResolver({ hfToken: 'hf_opt', env: { HF_TOKEN: 'hf_env' } }).resolve(model(['hf://org/repo']), 'a')[0];
    expect(explicit?.kind === 'http' && (await explicit.headers?.({ method: 'GET', url: '' }))).toEqual({ authorization: 'Bearer hf_opt' });
  });

  it('moves user:password out of http URLs into a header', async () => {
    const src = createSourceResolver({ env: {} }).resolve(model(['https://u:p%40ss@host.example/m']), 'a.bin')[0];
    if (src?.kind !== 'http') throw new Error('expected http');
    expect(src.url).toBe('https://host.example/m/a.bin');
    expect(src.base).not.toContain('p%40ss');
    expect(await src.headers?.({ method: 'GET', url: src.url })).toEqual({
      authorization: `Basic ${Buffer.from('u:p@ss').toString('base64')}`,
    });
  });

  it('signs s3:// requests with SigV4, path-style against a custom endpoint', async () => {
    const r = createSourceResolver({
      env: {
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI',
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9000',
      },
    });
    const src = r.resolve(model(['s3://bucket/wan22/t2v']), 'unet/a b.bin')[0];
    if (src?.kind !== 'http' || !src.headers) throw new Error('expected signed http');
    expect(src.url).toBe('http://127.0.0.1:9000/bucket/wan22/t2v/unet/a%20b.bin');
    const h = await src.headers({ method: 'GET', url: src.url });
    expect(h.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/,
    );
    expect(h['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(JSON.stringify(src)).not.toContain('wJalrXUtnFEMI');
  });

  it('uses virtual-hosted AWS URLs without an endpoint and unsigned requests without keys', () => {
    const src = createSourceResolver({ env: { AWS_REGION: 'us-west-2' } }).resolve(model(['s3://my-bucket']), 'a.bin')[0];
    expect(src).toEqual({
      kind: 'http',
      base: 's3://my-bucket',
      url: 'https://my-bucket.s3.us-west-2.amazonaws.com/a.bin',
      authHelp: expect.stringContaining('AWS_ACCESS_KEY_ID'),
    });
  });

  it('reports unknown schemes and malformed hf:// sources', () => {
    const { sources, problems } = createSourceResolver({ env: {} }).resolveWithProblems(
      model(['ftp://x/y', 'hf://', 'https://ok.example']),
      'a',
    );
    expect(sources.map((s) => s.base)).toEqual(['https://ok.example']);
    expect(problems.map((p) => [p.source, p.error.code])).toEqual([
      ['ftp://x/y', 'INVALID_CONFIG'],
      ['hf://', 'INVALID_CONFIG'],
    ]);
  });
});
