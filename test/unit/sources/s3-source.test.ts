import { describe, expect, it } from 'vitest';
import { createS3SourceBackend } from '../../../main/core/sources/s3-source';
import type { ModelSpec } from '../../../shared/manifest';

const model: ModelSpec = {
  id: 'm',
  version: '1',
  variants: ['fp16'],
  defaultVariant: 'fp16',
  allowPatterns: ['*'],
  files: [],
  sources: [],
};
const keys = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI' };

describe('s3 source backend', () => {
  it('uses path-style AWS URLs for bucket names with dots, which TLS cannot serve virtual-hosted', () => {
    const src = createS3SourceBackend({ region: 'eu-central-1' }).resolve('s3://models.example.org/wan22', 'a.bin', model);
    expect(src).toMatchObject({ url: 'https://s3.eu-central-1.amazonaws.com/models.example.org/wan22/a.bin' });
  });

  it('signs the Range of each request, so every piece gets its own signature', async () => {
    const src = createS3SourceBackend({ ...keys, endpoint: 'http://127.0.0.1:9000' }).resolve('s3://bucket/p', 'a.bin', model);
    if (src.kind !== 'http' || !src.headers) throw new Error('expected a signed http source');
    const first = await src.headers({ method: 'GET', url: src.url, range: 'bytes=0-99' });
    const second = await src.headers({ method: 'GET', url: src.url, range: 'bytes=100-199' });
    expect(first.authorization).toContain('SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,');
    expect(first.authorization).not.toBe(second.authorization);
    expect(first).not.toHaveProperty('range');
  });

  it('tells the user which settings to check on access denied, without the secret', () => {
    const signed = createS3SourceBackend({ ...keys, region: 'eu-west-1' }).resolve('s3://bucket/p', 'a.bin', model);
    expect(signed.kind === 'http' && signed.authHelp).toMatch(/AWS_SECRET_ACCESS_KEY.*eu-west-1/);
    expect(JSON.stringify(signed)).not.toContain(keys.secretAccessKey);
  });
});
