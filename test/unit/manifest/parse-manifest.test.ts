import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../../shared/errors';
import type { ManifestProblem } from '../../../shared/manifest';
import { filesForVariant } from '../../../shared/manifest';
import { loadManifestFile, parseManifestText } from '../../../main/core/manifest/index';
import { filesOf, HASH_A, modelOf, toToml, validDocument } from './manifest-builders';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const fixture = join(repoRoot, 'test', 'fixtures', 'manifests', 'wan22-models.toml');
const sharedSeed = join(repoRoot, '..', 'shared', 'reference', 'wan22-models.toml');

function problemsOf(document: unknown): ManifestProblem[] {
  try {
    parseManifestText(JSON.stringify(document), { format: 'json' });
  } catch (error) {
    expect(error).toBeInstanceOf(OrchestratorError);
    const e = error as OrchestratorError;
    expect(e.code).toBe('MANIFEST_VALIDATION_ERROR');
    return e.details.problems as ManifestProblem[];
  }
  throw new Error('expected the manifest to be rejected');
}

function rejectsFile(mutate: (file: Record<string, unknown>) => void, place: string, code?: string): ManifestProblem {
  const document = validDocument();
  mutate(filesOf(document)[1] as Record<string, unknown>);
  const problems = problemsOf(document);
  const problem = problems.find((p) => p.path === place);
  expect(problem, JSON.stringify(problems)).toBeDefined();
  if (code) expect(problem?.code).toBe(code);
  return problem as ManifestProblem;
}

describe('the seed manifest', () => {
  it('loads unchanged from the test fixture', async () => {
    const manifest = await loadManifestFile(fixture);
    expect(manifest.models.map((m) => m.id)).toEqual(['t2v-A14B@2.2.0', 'i2v-A14B@2.2.0', 'ti2v-5b@2.2.0']);
    const i2v = manifest.models[1]!;
    expect(i2v.defaultVariant).toBe('fp16');
    expect(i2v.files.find((f) => f.path === 'image_encoder/pytorch_model.bin')).toMatchObject({
      optional: true,
      component: 'image_encoder',
      size: 1073741824,
    });
    expect(i2v.files.find((f) => f.path === 'models_t5_umt5-xxl-enc-bf16.pth')?.size).toBe(11361920418);
    expect(i2v.sources[0]).toBe('local://wan22/i2v-A14B@2.2.0');
    expect(i2v.localMirrorRoot).toBe(join(repoRoot, 'test', 'fixtures', 'manifests'));
    expect(i2v.manifestPath).toBe(fixture);
  });

  it.runIf(existsSync(sharedSeed))('loads unchanged from ../shared/reference', async () => {
    const manifest = await loadManifestFile(sharedSeed);
    expect(manifest.models).toHaveLength(3);
    expect(readFileSync(sharedSeed, 'utf8')).toBe(readFileSync(fixture, 'utf8'));
  });
});

describe('parsing a valid manifest', () => {
  it('reads TOML and JSON into the same models', () => {
    const document = validDocument();
    const fromJson = parseManifestText(JSON.stringify(document), { format: 'json' });
    const fromToml = parseManifestText(toToml(document), { format: 'toml' });
    expect(fromToml).toEqual(fromJson);
  });

  it('turns snake_case into the camelCase model and fills defaults', () => {
    const document = validDocument();
    delete modelOf(document).allow_patterns;
    const [model] = parseManifestText(JSON.stringify(document), { format: 'json' }).models;
    expect(model).toMatchObject({
      id: 't2v@1',
      version: '1.0.0',
      defaultVariant: 'fp16',
      allowPatterns: ['*'],
      description: 'Text to video',
    });
    expect(model!.files[0]).toEqual({ path: 'config.json', size: 10, sha256: HASH_A, optional: false, component: 'config' });
    expect(model!.files[2]!.sha256).toBe('b'.repeat(64));
    expect(filesForVariant(model!, 'bf16').map((f) => f.path)).toEqual(['config.json', 'unet/model-bf16.safetensors', 'extra/notes.json']);
  });

  it('resolves local:// against the manifest folder and records the manifest path', () => {
    const manifest = parseManifestText(JSON.stringify(validDocument()), { format: 'json', manifestPath: '/srv/models/models.json' });
    expect(manifest.models[0]).toMatchObject({ localMirrorRoot: '/srv/models', manifestPath: '/srv/models/models.json' });
  });

  it('accepts a UTF-8 byte order mark and unknown tables', () => {
    const document = validDocument();
    (document as Record<string, unknown>).extra_top_level = { anything: [1, 2] };
    modelOf(document).resolution_caps = ['720p24'];
    expect(parseManifestText(`\uFEFF${toToml(document)}`, { format: 'toml' }).models).toHaveLength(1);
  });
});

describe('loading manifest files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'manifest-'));

  it('says MISSING_MANIFEST when the file does not exist', async () => {
    await expect(loadManifestFile(join(dir, 'nope.toml'))).rejects.toMatchObject({ code: 'MISSING_MANIFEST' });
  });

  it('says MISSING_MANIFEST for a folder', async () => {
    mkdirSync(join(dir, 'folder.toml'));
    await expect(loadManifestFile(join(dir, 'folder.toml'))).rejects.toMatchObject({ code: 'MISSING_MANIFEST' });
  });

  it('picks the format from the extension', async () => {
    writeFileSync(join(dir, 'models.json'), JSON.stringify(validDocument()));
    writeFileSync(join(dir, 'models.toml'), toToml(validDocument()));
    const json = await loadManifestFile(join(dir, 'models.json'));
    const toml = await loadManifestFile(join(dir, 'models.toml'));
    expect(json.models[0]!.files).toEqual(toml.models[0]!.files);
    expect(json.models[0]!.localMirrorRoot).toBe(dir);
  });

  it('gives the line and column of a TOML syntax error', async () => {
    writeFileSync(join(dir, 'broken.toml'), 'schema_version = 1\n\n[models."x"\nversion = "1"\n');
    const error = (await loadManifestFile(join(dir, 'broken.toml')).catch((e: unknown) => e)) as OrchestratorError;
    expect(error).toMatchObject({ code: 'MANIFEST_VALIDATION_ERROR' });
    const [problem] = error.details.problems as ManifestProblem[];
    expect(problem).toMatchObject({ line: 3 });
    expect(error.message).toContain('line 3');
    expect(error.message).toContain(join(dir, 'broken.toml'));
  });

  it('gives the line of a JSON syntax error', () => {
    const error = (() => {
      try {
        parseManifestText('{\n  "schema_version": 1,\n  "models": {,}\n}', { format: 'json' });
      } catch (e) {
        return e as OrchestratorError;
      }
      throw new Error('expected failure');
    })();
    expect((error.details.problems as ManifestProblem[])[0]).toMatchObject({ line: 3 });
  });
});

describe('rejecting invalid manifests', () => {
  it('refuses a schema_version other than 1 with SCHEMA_VERSION_MISMATCH', () => {
    for (const version of [2, 0, '1', 1.5]) {
      const document = { ...validDocument(), schema_version: version };
      expect(() => parseManifestText(JSON.stringify(document), { format: 'json' })).toThrow(
        expect.objectContaining({ code: 'SCHEMA_VERSION_MISMATCH' }),
      );
    }
  });

  it('requires schema_version and models', () => {
    expect(problemsOf({}).map((p) => p.path)).toEqual(['schema_version', 'models']);
    expect(problemsOf([])[0]!.path).toBe('(document)');
  });

  it('reports every missing required field of a model with its place', () => {
    const problems = problemsOf({ schema_version: 1, models: { m: {} } });
    expect(problems.map((p) => p.path)).toEqual([
      'models."m".version',
      'models."m".variants',
      'models."m".default_variant',
      'models."m".files',
      'models."m".sources',
    ]);
  });

  it('reports all problems of a manifest at once, each with its place', () => {
    const document = validDocument();
    const files = filesOf(document);
    files[0]!.sha256 = 'xyz';
    files[1]!.size = -5;
    files[3]!.path = '../escape';
    modelOf(document).default_variant = 'int8';
    const problems = problemsOf(document);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'models."t2v@1".files[0].sha256', message: expect.stringContaining('64 hex characters') }),
        expect.objectContaining({ path: 'models."t2v@1".files[1].size' }),
        expect.objectContaining({ path: 'models."t2v@1".files[3].path', code: 'PATH_TRAVERSAL_DETECTED' }),
        expect.objectContaining({ path: 'models."t2v@1".default_variant', code: 'VARIANT_NOT_FOUND' }),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('refuses a sha256 that is not 64 hex characters', () => {
    const p = rejectsFile((f) => (f.sha256 = 'g'.repeat(64)), 'models."t2v@1".files[1].sha256');
    expect(p.message).toBe('must be 64 hex characters (got 64 characters, not all hex)');
    rejectsFile((f) => (f.sha256 = 'a'.repeat(63)), 'models."t2v@1".files[1].sha256');
    rejectsFile((f) => (f.sha256 = 12), 'models."t2v@1".files[1].sha256');
  });

  it('refuses negative, fractional, non-numeric and unsafe sizes', () => {
    for (const size of [-1, 1.5, '10', null, 2 ** 53, 1e300]) {
      rejectsFile((f) => (f.size = size), 'models."t2v@1".files[1].size');
    }
    rejectsFile((f) => delete f.size, 'models."t2v@1".files[1].size');
  });

  it('refuses sizes too large for a safe integer in TOML too', () => {
    const toml = toToml(validDocument()).replace('size = 100', 'size = 99999999999999999999');
    expect(() => parseManifestText(toml, { format: 'toml' })).toThrow(
      expect.objectContaining({ details: { problems: [expect.objectContaining({ message: expect.stringContaining('too large') })] } }),
    );
  });

  it.each([
    ['/etc/passwd', 'absolute'],
    ['unet/../../x', '..'],
    ['..', '..'],
    ['unet\\model.bin', 'backslash'],
    ['C:/x.bin', 'drive letter'],
    ['c:x.bin', 'drive letter'],
    ['file.bin:stream', 'colon'],
    ['a\u0000b', 'NUL'],
    ['a//b', 'empty segment'],
    ['a/', 'trailing slash'],
    ['./a', 'dot segment'],
    ['CON', 'reserved name'],
    ['sub/nul.txt', 'reserved name with extension'],
    ['com1.bin', 'reserved COM1'],
    ['LPT9', 'reserved LPT9'],
    ['aux.tar.gz', 'reserved AUX'],
    ['dir./x', 'trailing dot'],
  ])('refuses the path %j (%s) with PATH_TRAVERSAL_DETECTED', (path) => {
    rejectsFile((f) => (f.path = path), 'models."t2v@1".files[1].path', 'PATH_TRAVERSAL_DETECTED');
  });

  it('accepts ordinary names that merely contain reserved words', () => {
    const document = validDocument();
    filesOf(document)[1]!.path = 'console/connection.bin';
    filesOf(document)[2]!.path = 'com10/auxiliary.bin';
    expect(parseManifestText(JSON.stringify(document), { format: 'json' }).models).toHaveLength(1);
  });

  it('refuses duplicate and case-colliding paths within a variant', () => {
    const dup = validDocument();
    filesOf(dup)[3]!.path = 'config.json';
    expect(problemsOf(dup)).toEqual([expect.objectContaining({ path: 'models."t2v@1".files[3].path', code: 'CASE_COLLISION_DETECTED' })]);

    const cased = validDocument();
    filesOf(cased)[3]!.path = 'Config.JSON';
    expect(problemsOf(cased)[0]).toMatchObject({ path: 'models."t2v@1".files[3].path', code: 'CASE_COLLISION_DETECTED' });

    const fileAndFolder = validDocument();
    filesOf(fileAndFolder)[3]!.path = 'config.json/inner.json';
    expect(problemsOf(fileAndFolder)[0]).toMatchObject({ path: 'models."t2v@1".files[3].path', code: 'CASE_COLLISION_DETECTED' });
  });

  it('allows the same path in two different variants', () => {
    const document = validDocument();
    filesOf(document)[2]!.path = 'unet/model-fp16.safetensors';
    expect(parseManifestText(JSON.stringify(document), { format: 'json' }).models[0]!.files).toHaveLength(4);
  });

  it.each([
    ['has space', 'space'],
    ['a/b', 'slash'],
    ['.', 'dot'],
    ['..', 'dot dot'],
    ['x'.repeat(129), 'too long'],
    ['', 'empty'],
    ['CON', 'reserved device'],
    ['__proto__', 'prototype key'],
    ['modèle', 'non-ASCII'],
  ])('refuses the model id %j (%s) with INVALID_MODEL_ID', (id) => {
    const document = validDocument();
    const models = document.models as Record<string, unknown>;
    Object.defineProperty(models, id, { value: models['t2v@1'], enumerable: true, configurable: true, writable: true });
    delete models['t2v@1'];
    const place = `models.${JSON.stringify(id)}`;
    expect(problemsOf(document)).toEqual([expect.objectContaining({ path: place, code: 'INVALID_MODEL_ID' })]);
  });

  it('accepts ids made of letters, digits and . _ - @ + up to 128 characters', () => {
    const document = validDocument();
    const models = document.models as Record<string, unknown>;
    const id = `Wan2.2_T2V-A14B@2.2.0+fp8${'x'.repeat(128 - 25)}`;
    models[id] = models['t2v@1'];
    delete models['t2v@1'];
    expect(parseManifestText(JSON.stringify(document), { format: 'json' }).models[0]!.id).toBe(id);
  });

  it('refuses model ids that differ only in case', () => {
    const document = validDocument();
    const models = document.models as Record<string, unknown>;
    models['T2V@1'] = structuredClone(models['t2v@1']);
    expect(problemsOf(document)).toEqual([expect.objectContaining({ path: 'models."T2V@1"', code: 'CASE_COLLISION_DETECTED' })]);
  });

  it('requires default_variant to be one of the variants and file variants to be a subset', () => {
    const document = validDocument();
    modelOf(document).default_variant = 'int8';
    filesOf(document)[1]!.variants = ['fp16', 'fp8'];
    expect(problemsOf(document)).toEqual([
      expect.objectContaining({ path: 'models."t2v@1".default_variant', code: 'VARIANT_NOT_FOUND' }),
      expect.objectContaining({ path: 'models."t2v@1".files[1].variants[1]', code: 'VARIANT_NOT_FOUND' }),
    ]);
  });

  it('refuses empty, duplicate and unsafe variant lists', () => {
    const empty = validDocument();
    modelOf(empty).variants = [];
    expect(problemsOf(empty).map((p) => p.path)).toContain('models."t2v@1".variants');
    const duplicate = validDocument();
    modelOf(duplicate).variants = ['fp16', 'bf16', 'fp16'];
    expect(problemsOf(duplicate).map((p) => p.path)).toEqual(['models."t2v@1".variants[2]']);
    const unsafe = validDocument();
    modelOf(unsafe).variants = ['fp16', 'bf16', '../x'];
    expect(problemsOf(unsafe).map((p) => p.path)).toEqual(['models."t2v@1".variants[2]']);
  });

  it('refuses a variant no file belongs to', () => {
    const document = validDocument();
    modelOf(document).variants = ['fp16', 'bf16', 'int8'];
    filesOf(document)[0]!.variants = ['fp16', 'bf16'];
    filesOf(document)[3]!.variants = ['fp16', 'bf16'];
    expect(problemsOf(document)).toEqual([
      expect.objectContaining({ path: 'models."t2v@1".files', message: expect.stringContaining('"int8"') }),
    ]);
  });

  it('checks source URLs for a known scheme and shape, without echoing credentials', () => {
    const document = validDocument();
    modelOf(document).sources = {
      priority: ['ftp://host/x', 'https://user:secret@/x?sig=abc', 'local://../outside', 's3://', 'hf://just-org', 'file://relative', 7],
    };
    const problems = problemsOf(document);
    expect(problems.map((p) => p.path)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `models."t2v@1".sources.priority[${i}]`));
    expect(problems[2]!.code).toBe('PATH_TRAVERSAL_DETECTED');
    expect(JSON.stringify(problems)).not.toContain('secret');
    expect(JSON.stringify(problems)).not.toContain('sig=abc');
  });

  it('requires a non-empty sources.priority list', () => {
    const document = validDocument();
    modelOf(document).sources = { priority: [] };
    expect(problemsOf(document).map((p) => p.path)).toEqual(['models."t2v@1".sources.priority']);
  });

  it('refuses wrong types for optional fields', () => {
    const document = validDocument();
    filesOf(document)[0]!.optional = 'yes';
    modelOf(document).allow_patterns = '*';
    modelOf(document).description = 5;
    expect(
      problemsOf(document)
        .map((p) => p.path)
        .sort(),
    ).toEqual(['models."t2v@1".allow_patterns', 'models."t2v@1".description', 'models."t2v@1".files[0].optional']);
  });

  it('lists the problems in the error message and the manifest path in details', () => {
    const document = validDocument();
    filesOf(document)[3]!.sha256 = 'nothex';
    try {
      parseManifestText(JSON.stringify(document), { format: 'json', manifestPath: '/m/models.json' });
      expect.unreachable();
    } catch (error) {
      const e = error as OrchestratorError;
      expect(e.message).toContain('models."t2v@1".files[3].sha256: must be 64 hex characters');
      expect(e.message).toContain('/m/models.json');
      expect(e.details.manifestPath).toBe('/m/models.json');
    }
  });
});
