import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../shared/manifest';
import { createSourceResolver } from '../../../main/core/sources';
import { parseMirrorList } from '../../../main/core/mirror/mirror-layout';

const SHA = 'ab'.repeat(32);

function model(sources: string[]): ModelSpec {
  return { id: 'm', version: '1', variants: ['fp16'], defaultVariant: 'fp16', allowPatterns: ['*'], files: [], sources };
}

describe('team mirrors in the source resolver', () => {
  it('puts MODELS_MIRRORS before the model’s sources, each addressed by the file’s sha256', () => {
    const r = createSourceResolver({
      env: { MODELS_MIRRORS: 'https://cache.lab/models/, s3://team/mirror', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000' },
    });
    const out = r.resolve(model(['https://origin.example/m']), 'unet/w.safetensors', SHA);
    expect(out.map((s) => (s.kind === 'http' ? s.url : s.filePath))).toEqual([
      `https://cache.lab/models/blobs/sha256/${SHA}`,
      `http://127.0.0.1:9000/team/mirror/blobs/sha256/${SHA}`,
      'https://origin.example/m/unet/w.safetensors',
    ]);
    expect(out[0]).toMatchObject({
      base: 'https://cache.lab/models/blobs/sha256',
      cacheKey: `https://cache.lab/models/blobs/sha256/${SHA}`,
    });
    expect(out[2]).not.toHaveProperty('cacheKey');
  });

  it('an https mirror with user:password in its URL keeps them out of the base and the cache key', () => {
    const [mirror] = createSourceResolver({ env: { MODELS_MIRRORS: 'https://bot:s3cret@cache.lab/m' } }).resolve(model([]), 'a.bin', SHA);
    expect(mirror).toMatchObject({ url: `https://cache.lab/m/blobs/sha256/${SHA}` });
    expect(JSON.stringify({ ...mirror, headers: undefined })).not.toContain('s3cret');
  });

  it('a content-addressed source in the manifest (a mirror’s manifest entry) is used only when the sha256 is known', () => {
    const r = createSourceResolver({ env: {} });
    const entry = model(['https://cache.lab/models/blobs/sha256', 'https://origin.example/m']);
    expect(r.resolve(entry, 'a.bin', SHA).map((s) => s.base)).toEqual([
      'https://cache.lab/models/blobs/sha256',
      'https://origin.example/m',
    ]);
    expect(r.resolve(entry, 'a.bin').map((s) => s.base)).toEqual(['https://origin.example/m']);
  });

  it('refuses a MODELS_MIRRORS entry that is not an s3:// or http(s):// root, without echoing credentials', () => {
    expect(() => parseMirrorList('s3://ok/x,ftp://u:pw@host/x')).toThrow(/MODELS_MIRRORS.*s3:\/\/bucket\/prefix/);
    expect(() => parseMirrorList('ftp://u:pw@host/x')).not.toThrow(/pw/);
    expect(parseMirrorList(' s3://a/b/ , ,https://c/d')).toEqual(['s3://a/b', 'https://c/d']);
  });
});
