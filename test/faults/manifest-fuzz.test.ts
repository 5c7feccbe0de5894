/**
 * Input faults: property-based fuzzing of manifests with fast-check, thousands of cases in
 * process. Every input — manifest-shaped JSON structures with wrong values anywhere, TOML text
 * built from a grammar of plausible and broken lines, and arbitrary text — yields a valid
 * manifest (that keeps the rules the rest of the app relies on) or a MANIFEST_VALIDATION_ERROR
 * (SCHEMA_VERSION_MISMATCH for another schema) whose details list each problem with its place,
 * as plain JSON data. Never another exception. A failure prints fast-check's seed and the
 * shrunk input, so it replays.
 * (test/unit/manifest/manifest-fuzz.test.ts mutates one valid manifest with a seeded PRNG.)
 */
import fc from 'fast-check';
import { stringify as toToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { OrchestratorError } from '../../shared/errors';
import { checkFolderName, checkRelativePath, parseManifestText } from '../../main/core/manifest/index';

const RUNS = 2_000;

/** What a parse may end in: 'ok' for a manifest that keeps the invariants, or an error code (asserted). */
function outcome(text: string, format: 'toml' | 'json'): string {
  let manifest;
  try {
    manifest = parseManifestText(text, { format });
  } catch (error) {
    if (!(error instanceof OrchestratorError)) throw error;
    expect(['MANIFEST_VALIDATION_ERROR', 'SCHEMA_VERSION_MISMATCH']).toContain(error.code);
    // Plain data: survives JSON and says where.
    const details = JSON.parse(JSON.stringify(error.details)) as { problems?: Array<{ path: unknown; message: unknown }> };
    if (error.code === 'MANIFEST_VALIDATION_ERROR') {
      expect(details.problems?.length).toBeGreaterThan(0);
      for (const p of details.problems ?? []) {
        expect(typeof p.path === 'string' && p.path.length > 0).toBe(true);
        expect(typeof p.message === 'string' && p.message.length > 0).toBe(true);
      }
    }
    expect(error.message.length).toBeGreaterThan(0);
    return error.code;
  }
  for (const model of manifest.models) {
    expect(checkFolderName(model.id, 'model id')).toBeNull();
    expect(model.variants).toContain(model.defaultVariant);
    for (const file of model.files) {
      expect(checkRelativePath(file.path)).toBeNull();
      expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(Number.isSafeInteger(file.size) && file.size >= 0).toBe(true);
    }
  }
  return 'ok';
}

// ---- manifest-shaped structures: each field is usually right and sometimes anything at all ----

const junk = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, -0, 1e308, '', ' ', '__proto__', 'constructor', [], {}, [[]]),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);
const usually = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: junk });

const name = fc.oneof(
  fc.constantFrom('fp16', 'bf16', 'int8', 'q4_K_M'),
  fc.stringMatching(/^[A-Za-z0-9._@+-]{1,12}$/),
  fc.constantFrom('', '..', 'CON', 'a/b', 'x'.repeat(200), 'é'),
);
const hex64 = fc.stringMatching(/^[0-9a-fA-F]{64}$/);
const path = fc.oneof(
  fc.stringMatching(/^[a-z0-9_-]{1,8}(\/[a-z0-9_.-]{1,12}){0,3}$/),
  fc.constantFrom(
    '../escape',
    '/abs/path',
    'C:\\win',
    'a\\b',
    'CON.txt',
    'nul',
    'a\u0000b',
    'dir/',
    './x',
    'A.bin',
    'a.bin',
    'é'.normalize('NFD'),
  ),
  fc.string({ maxLength: 20 }),
);
const fileRecord = fc.record(
  {
    path: usually(path),
    size: usually(fc.oneof(fc.nat(), fc.integer(), fc.constant(Number.MAX_SAFE_INTEGER + 2))),
    sha256: usually(fc.oneof(hex64, fc.string({ maxLength: 70 }))),
    optional: usually(fc.boolean()),
    variants: usually(fc.array(name, { maxLength: 3 })),
    component: fc.string({ maxLength: 6 }),
  },
  { requiredKeys: [] },
);
const source = fc.oneof(
  fc.constantFrom('local://mirror/x', 'https://example.com/x', 's3://bucket/x', 'hf://org/repo@main', 'file:///srv/x', 'local://../../etc'),
  fc.webUrl(),
  fc.string({ maxLength: 20 }),
);
const modelRecord = fc.record(
  {
    description: usually(fc.string({ maxLength: 20 })),
    version: usually(fc.constantFrom('1.0.0', '2.2.0', '')),
    variants: usually(fc.array(name, { maxLength: 4 })),
    default_variant: usually(name),
    allow_patterns: usually(fc.array(fc.constantFrom('*', '*.json', '**/*.bin', ''), { maxLength: 3 })),
    files: usually(fc.array(usually(fileRecord), { maxLength: 6 })),
    sources: usually(fc.record({ priority: usually(fc.array(usually(source), { maxLength: 4 })) }, { requiredKeys: [] })),
    defaults: junk,
  },
  { requiredKeys: [] },
);
const modelId = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._@+-]{1,20}$/),
  fc.constantFrom('t2v-A14B@2.2.0', '__proto__', '', 'a b', 'x'.repeat(130)),
  fc.string({ maxLength: 12 }),
);
const document = fc.record(
  {
    schema_version: fc.oneof({ weight: 5, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: junk }),
    models: usually(fc.dictionary(modelId, usually(modelRecord), { maxKeys: 3 })),
  },
  { requiredKeys: [] },
);

// ---- TOML text from a grammar of plausible and broken lines ----

const tomlString = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.string({ maxLength: 8 }).map((s) => `'${s}'`),
  fc.constantFrom('"unterminated', '"\\u00zz"', '"""multi\nline"""', "'''raw'''", '"\\x00"'),
);
const tomlValue: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    tomlString,
    fc.integer().map(String),
    fc.bigInt().map(String),
    fc.double().map(String),
    fc.constantFrom('true', 'false', 'inf', 'nan', '1979-05-27T07:32:00Z', '0x1F', '1_000', '0o7', '', '=', '[', '{', '1.2.3'),
    hex64.map((h) => `"${h}"`),
    fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
    fc
      .array(fc.tuple(fc.constantFrom('path', 'size', 'sha256', 'x'), tie('value')), { maxLength: 3 })
      .map((kv) => `{ ${kv.map(([k, v]) => `${k} = ${v}`).join(', ')} }`),
  ),
})).value;
const tomlKey = fc.oneof(
  fc.constantFrom('schema_version', 'version', 'variants', 'default_variant', 'path', 'size', 'sha256', 'optional', 'priority', 'files'),
  fc.stringMatching(/^[a-z_]{1,8}$/),
  tomlString,
);
const tomlLine = fc.oneof(
  fc.tuple(tomlKey, tomlValue).map(([k, v]) => `${k} = ${v}`),
  modelId.map((id) => `[models.${JSON.stringify(id)}]`),
  modelId.map((id) => `[[models.${JSON.stringify(id)}.files]]`),
  modelId.map((id) => `[models.${JSON.stringify(id)}.sources]`),
  fc.constantFrom(
    'schema_version = 1',
    '[models]',
    '[[models]]',
    '[models."a"',
    '# comment',
    '',
    'key',
    '= 1',
    '[a.b.c.d.e.f]',
    'a.b = 1',
    'a.b.c = 2',
  ),
  fc.string({ maxLength: 20 }),
);
const tomlText = fc.array(tomlLine, { maxLength: 25 }).map((lines) => lines.join('\n'));

describe('manifest fuzzing with fast-check', () => {
  it(`parses ${RUNS} manifest-shaped JSON documents with wrong values anywhere into a manifest or a listed error`, () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(document, (doc) => {
        const code = outcome(JSON.stringify(doc), 'json');
        seen.set(code, (seen.get(code) ?? 0) + 1);
      }),
      { numRuns: RUNS },
    );
    expect(seen.get('ok')).toBeGreaterThan(0);
    expect(seen.get('MANIFEST_VALIDATION_ERROR')).toBeGreaterThan(0);
  });

  it(`parses the same kind of ${RUNS} documents written as TOML`, () => {
    fc.assert(
      fc.property(document, (doc) => {
        let text: string;
        try {
          text = toToml(doc as Record<string, unknown>);
        } catch {
          return; // not expressible in TOML (null, mixed arrays): the JSON property covers it
        }
        outcome(text, 'toml');
      }),
      { numRuns: RUNS },
    );
  });

  it(`parses ${RUNS} TOML texts built from plausible and broken lines`, () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(tomlText, (text) => {
        const code = outcome(text, 'toml');
        seen.set(code, (seen.get(code) ?? 0) + 1);
      }),
      { numRuns: RUNS },
    );
    expect(seen.get('MANIFEST_VALIDATION_ERROR')).toBeGreaterThan(0);
  });

  it(`parses ${RUNS} arbitrary JSON values and ${RUNS} arbitrary texts in both formats`, () => {
    fc.assert(
      fc.property(fc.json(), (text) => void outcome(text, 'json')),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        outcome(text, 'toml');
        outcome(text, 'json');
      }),
      { numRuns: RUNS },
    );
  });

  it('reports schema_version = [9007199254740992] as SCHEMA_VERSION_MISMATCH with plain-data details (found by this fuzzer)', () => {
    const error = (() => {
      try {
        parseManifestText('schema_version = [9007199254740992]', { format: 'toml' });
      } catch (e) {
        return e as OrchestratorError;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(OrchestratorError);
    expect(error?.code).toBe('SCHEMA_VERSION_MISMATCH');
    expect(JSON.parse(JSON.stringify(error?.details))).toMatchObject({ schemaVersion: ['9007199254740992'], supported: [1] });
  });
});
