/**
 * No unused code: an exported function, class or constant that no module and no test mentions is
 * dead weight (ESLint's no-unused-vars cannot see across files). The check is by name, so a name
 * that merely appears elsewhere passes; it never flags something in use.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../helpers/import-graph';

const repo = join(import.meta.dirname, '..', '..');
const PRODUCT = ['main', 'shared', 'renderer', 'preload', 'demo', 'scripts', 'bin'];
const EXPORTED_VALUE = /^export\s+(?:default\s+)?(?:async\s+)?(?:function\*?|const|let|class)\s+([A-Za-z0-9_$]+)/gm;

/** `file: name` for every exported value named nowhere but in its own export line. */
function unusedExports(): string[] {
  const files = [...PRODUCT, 'test'].flatMap((d) => sourceFiles(join(repo, d)));
  const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  const out: string[] = [];
  for (const file of files) {
    if (relative(repo, file).startsWith('test')) continue;
    const own = texts.get(file)!;
    for (const m of own.matchAll(EXPORTED_VALUE)) {
      const name = m[1]!;
      const pattern = `(^|[^A-Za-z0-9_$])${name.replace(/\$/g, '\\$')}(?![A-Za-z0-9_$])`;
      const usedHere = (own.match(new RegExp(pattern, 'g')) ?? []).length > 1;
      const anywhere = new RegExp(pattern);
      const usedElsewhere = [...texts].some(([other, text]) => other !== file && anywhere.test(text));
      if (!usedHere && !usedElsewhere) out.push(`${relative(repo, file)}: ${name}`);
    }
  }
  return out;
}

describe('unused code', () => {
  it('every exported function, class and constant is used somewhere (source or tests)', () => {
    expect(unusedExports()).toEqual([]);
  });
});
