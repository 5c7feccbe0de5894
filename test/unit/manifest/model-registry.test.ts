import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../shared/manifest';
import { ModelRegistry, parseManifestText } from '../../../main/core/manifest/index';
import { modelOf, validDocument } from './manifest-builders';

function manifest(mutate: (document: Record<string, unknown>) => void = () => {}, manifestPath = '/a/models.json'): Manifest {
  const document = validDocument();
  mutate(document);
  return parseManifestText(JSON.stringify(document), { format: 'json', manifestPath });
}

function renamed(from: string, to: string) {
  return (document: Record<string, unknown>) => {
    const models = document.models as Record<string, unknown>;
    models[to] = models[from];
    delete models[from];
  };
}

describe('ModelRegistry', () => {
  it('merges the models of several manifests in order', () => {
    const registry = new ModelRegistry();
    expect(registry.add(manifest())).toEqual({ added: ['t2v@1'], conflicts: [] });
    expect(registry.add(manifest(renamed('t2v@1', 'i2v@1'), '/b/models.json'), 'second')).toEqual({ added: ['i2v@1'], conflicts: [] });
    expect(registry.models().map((m) => m.id)).toEqual(['t2v@1', 'i2v@1']);
    expect(registry.originOf('i2v@1')).toBe('second');
    expect(registry.originOf('t2v@1')).toBe('/a/models.json');
  });

  it('accepts an identical re-import without a conflict', () => {
    const registry = new ModelRegistry(manifest());
    expect(registry.add(manifest())).toEqual({ added: [], conflicts: [] });
    expect(registry.models()).toHaveLength(1);
  });

  it('reports a different definition of the same id as a conflict and keeps the first', () => {
    const registry = new ModelRegistry(manifest(), 'first.toml');
    const { added, conflicts } = registry.add(
      manifest((d) => (modelOf(d).version = '2.0.0')),
      'second.toml',
    );
    expect(added).toEqual([]);
    expect(conflicts).toEqual([
      expect.objectContaining({ path: 'models."t2v@1"', code: 'DUPLICATE_MODEL_ID', message: expect.stringContaining('second.toml') }),
    ]);
    expect(registry.get('t2v@1').version).toBe('1.0.0');
  });

  it('treats ids differing only in case as a conflict (they would share a folder)', () => {
    const registry = new ModelRegistry(manifest());
    const { conflicts } = registry.add(manifest(renamed('t2v@1', 'T2V@1')));
    expect(conflicts).toEqual([expect.objectContaining({ code: 'CASE_COLLISION_DETECTED' })]);
    expect(registry.has('T2V@1')).toBe(false);
  });

  it('forgets a removed model', () => {
    const registry = new ModelRegistry(manifest());
    expect(registry.remove('t2v@1')).toBe(true);
    expect(registry.remove('t2v@1')).toBe(false);
    expect(registry.models()).toEqual([]);
  });

  it('says MODEL_NOT_FOUND and suggests close ids', () => {
    const registry = new ModelRegistry(manifest());
    registry.add(manifest(renamed('t2v@1', 'i2v-A14B@2.2.0')));
    expect(() => registry.get('t2v@2')).toThrow(
      expect.objectContaining({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('Did you mean t2v@1') }),
    );
    expect(() => registry.get('i2v')).toThrow(expect.objectContaining({ details: { id: 'i2v', suggestions: ['i2v-A14B@2.2.0'] } }));
    expect(() => registry.get('zzzzzzzzzz')).toThrow(expect.objectContaining({ message: expect.stringContaining('modelctl list') }));
  });

  it('resolves the default variant and refuses unknown ones, listing the valid ones', () => {
    const registry = new ModelRegistry(manifest());
    expect(registry.resolveVariant('t2v@1').variant).toBe('fp16');
    expect(registry.resolveVariant('t2v@1', 'bf16').variant).toBe('bf16');
    expect(() => registry.resolveVariant('t2v@1', 'int8')).toThrow(
      expect.objectContaining({ code: 'VARIANT_NOT_FOUND', message: expect.stringContaining('fp16, bf16') }),
    );
  });
});
