/**
 * Thousands of mangled manifests: each must give a Manifest or an OrchestratorError with a
 * known code, never any other exception. Seeded so a failure names the case that reproduces it.
 */
import { describe, expect, it } from 'vitest';
import { isErrorCode, OrchestratorError } from '../../../shared/errors';
import { checkFolderName, checkRelativePath, parseManifestText } from '../../../main/core/manifest/index';
import { toToml, validDocument } from './manifest-builders';

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIRD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 53,
  -(2 ** 63),
  1e308,
  '',
  ' ',
  '../..',
  '/abs',
  'C:\\x',
  'CON',
  'a\u0000b',
  '\u202e\u0301\ud83d\ude00',
  'é'.normalize('NFD'),
  'x'.repeat(5000),
  [],
  [[]],
  {},
  { __proto__: { polluted: true } },
  ['fp16'],
  [1, 2],
  { priority: 'x' },
  'hf://',
  'local://../../etc',
  '__proto__',
  'constructor',
];
const WEIRD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'files',
  'variants',
  'size',
  'sha256',
  'path',
  '',
  'ü',
  'priority',
];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

/** Every (parent, key) pair in the document, so a mutation can hit any depth. */
function slots(value: unknown, out: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = []) {
  if (Array.isArray(value)) value.forEach((item, i) => (out.push({ parent: value, key: i }), slots(item, out)));
  else if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      out.push({ parent: value as Record<string, unknown>, key });
      slots((value as Record<string, unknown>)[key], out);
    }
  }
  return out;
}

function mutateStructure(random: () => number): string {
  const document: unknown = validDocument();
  const count = 1 + Math.floor(random() * 4);
  for (let n = 0; n < count; n++) {
    const all = slots(document);
    if (all.length === 0) break;
    const { parent, key } = pick(random, all);
    const target = parent as Record<string | number, unknown>;
    const choice = random();
    if (choice < 0.35) target[key] = structuredClone(pick(random, WEIRD_VALUES));
    else if (choice < 0.55) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete target[key];
    } else if (choice < 0.75) {
      const value = target[key];
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        // defineProperty so `__proto__` becomes a real own key, as JSON.parse would make it.
        Object.defineProperty(value, pick(random, WEIRD_KEYS), {
          value: structuredClone(pick(random, WEIRD_VALUES)),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      } else target[key] = [value, value];
    } else if (choice < 0.9) {
      const value = target[key];
      if (Array.isArray(value) && value.length > 0) value.push(structuredClone(value[0]));
      else target[key] = typeof value === 'string' ? value.toUpperCase() : String(value);
    } else {
      target[key] = { nested: structuredClone(target[key]) };
    }
  }
  return random() < 0.01 ? (JSON.stringify(pick(random, WEIRD_VALUES)) ?? 'undefined') : JSON.stringify(document);
}

function mutateText(text: string, random: () => number): string {
  const chars = [...text];
  const edits = 1 + Math.floor(random() * 6);
  for (let n = 0; n < edits; n++) {
    const at = Math.floor(random() * (chars.length + 1));
    const choice = random();
    const noise = pick(random, [
      '"',
      '[',
      ']',
      '=',
      '\n',
      '{',
      '}',
      '.',
      ',',
      '\\',
      '\u0000',
      '9',
      '#',
      "'",
      'é',
      '\ud800',
      '\u2028',
      ' ',
      '-',
      '+',
    ]);
    if (choice < 0.33) chars.splice(at, 1);
    else if (choice < 0.66) chars.splice(at, 0, noise);
    else chars[at] = String.fromCharCode(((chars[at] ?? 'a').charCodeAt(0) ^ (1 << Math.floor(random() * 7))) & 0xffff);
  }
  return chars.join('');
}

function outcome(text: string, format: 'toml' | 'json'): 'ok' | string {
  try {
    const manifest = parseManifestText(text, { format });
    // Whatever got through must satisfy the rules the rest of the app relies on.
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
  } catch (error) {
    if (error instanceof OrchestratorError && isErrorCode(error.code)) return error.code;
    throw error;
  }
}

describe('manifest fuzzing', () => {
  const CASES = 1500;

  it('turns 1500 byte-mangled TOML manifests into a manifest or a known error', () => {
    const base = toToml(validDocument());
    const codes = new Map<string, number>();
    for (let seed = 1; seed <= CASES; seed++) {
      const text = mutateText(base, prng(seed));
      let code: string;
      try {
        code = outcome(text, 'toml');
      } catch (error) {
        throw new Error(`TOML fuzz case seed=${seed} threw ${String(error)}\n${text}`, { cause: error });
      }
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect(codes.get('ok')).toBeGreaterThan(0);
    expect(codes.get('MANIFEST_VALIDATION_ERROR')).toBeGreaterThan(0);
  });

  it('turns 1500 structurally mutated JSON manifests into a manifest or a known error', () => {
    const codes = new Map<string, number>();
    for (let seed = 1; seed <= CASES; seed++) {
      const text = mutateStructure(prng(seed * 7919));
      let code: string;
      try {
        code = outcome(text, 'json');
        outcome(mutateText(text, prng(seed)), 'json');
      } catch (error) {
        throw new Error(`JSON fuzz case seed=${seed} threw ${String(error)}\n${text}`, { cause: error });
      }
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect(codes.get('ok')).toBeGreaterThan(0);
    expect(codes.get('MANIFEST_VALIDATION_ERROR')).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
