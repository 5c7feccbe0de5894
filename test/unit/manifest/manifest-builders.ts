/** Builders for manifest documents used by the manifest tests. */
import { stringify } from 'smol-toml';

export const HASH_A = 'a'.repeat(64);
export const HASH_B = 'b'.repeat(64);

export interface RawFile {
  path: string;
  size: number;
  sha256: string;
  optional?: boolean;
  variants?: string[];
  component?: string;
}

export function validDocument(): Record<string, unknown> {
  return {
    schema_version: 1,
    models: {
      't2v@1': {
        description: 'Text to video',
        version: '1.0.0',
        variants: ['fp16', 'bf16'],
        default_variant: 'fp16',
        allow_patterns: ['*.safetensors', '*.json'],
        defaults: { fps: 24 },
        vram_estimation: { params_billion: 14.0 },
        files: [
          { path: 'config.json', size: 10, sha256: HASH_A, component: 'config' },
          { path: 'unet/model-fp16.safetensors', size: 100, sha256: HASH_B, variants: ['fp16'] },
          { path: 'unet/model-bf16.safetensors', size: 100, sha256: HASH_B.toUpperCase(), variants: ['bf16'] },
          { path: 'extra/notes.json', size: 0, sha256: HASH_A, optional: true },
        ] satisfies RawFile[],
        sources: {
          priority: ['local://mirror/t2v', 'https://example.com/t2v', 's3://bucket/t2v', 'hf://org/repo@main', 'file:///srv/t2v'],
        },
      },
    },
  };
}

export function toToml(document: Record<string, unknown>): string {
  return stringify(document);
}

/** The document's single model table, for tests that mutate it. */
export function modelOf(document: Record<string, unknown>, id = 't2v@1'): Record<string, unknown> {
  return (document.models as Record<string, Record<string, unknown>>)[id] as Record<string, unknown>;
}

export function filesOf(document: Record<string, unknown>, id = 't2v@1'): Record<string, unknown>[] {
  return modelOf(document, id).files as Record<string, unknown>[];
}
