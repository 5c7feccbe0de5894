/**
 * Writes one model into a manifest file: creates the file when missing, keeps every other model
 * and the file's comments and layout as they were, and replaces the same model's tables as one
 * block when it is added again. TOML is edited as text (only the model's own `[models."id"…]`
 * sections are swapped); JSON is parsed and rewritten. The result is parsed and validated before
 * it replaces the file, atomically.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OrchestratorError } from '../../../shared/errors';
import { formatOf, parseManifestText } from '../manifest/index';
import type { AddedModel } from './added-model';

export async function writeModelIntoManifest(file: string, model: AddedModel): Promise<{ created: boolean }> {
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const format = formatOf(file, text ?? (file.endsWith('.json') ? '{' : ''));
  const next = format === 'json' ? jsonWithModel(text, model) : tomlWithModel(text, model);
  // Never write a manifest that would not load.
  parseManifestText(next, { format, manifestPath: file });
  const mode = text === null ? 0o644 : (await stat(file)).mode & 0o777;
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  await writeFile(tmp, next, { mode });
  await rename(tmp, file);
  return { created: text === null };
}

const str = (s: string) => JSON.stringify(s);

export function modelToml(model: AddedModel): string {
  const key = `models.${str(model.id)}`;
  const lines = [`[${key}]`];
  if (model.description !== undefined) lines.push(`description = ${str(model.description)}`);
  lines.push(`version = ${str(model.version)}`);
  lines.push(`variants = [${model.variants.map(str).join(', ')}]`);
  lines.push(`default_variant = ${str(model.defaultVariant)}`);
  if (model.hfRevision !== undefined) lines.push(`hf_revision = ${str(model.hfRevision)}`);
  for (const f of model.files) {
    lines.push('', `[[${key}.files]]`, `path = ${str(f.path)}`, `size = ${f.size}`, `sha256 = ${str(f.sha256)}`);
    if (f.lfs) lines.push('lfs = true');
    if (f.gitOid) lines.push(`git_oid = ${str(f.gitOid)}`);
    if (f.variants) lines.push(`variants = [${f.variants.map(str).join(', ')}]`);
  }
  lines.push('', `[${key}.sources]`, `priority = [${model.sources.map(str).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

function modelJson(model: AddedModel): Record<string, unknown> {
  return {
    ...(model.description !== undefined ? { description: model.description } : {}),
    version: model.version,
    variants: model.variants,
    default_variant: model.defaultVariant,
    ...(model.hfRevision !== undefined ? { hf_revision: model.hfRevision } : {}),
    files: model.files.map((f) => ({
      path: f.path,
      size: f.size,
      sha256: f.sha256,
      ...(f.lfs ? { lfs: true } : {}),
      ...(f.gitOid ? { git_oid: f.gitOid } : {}),
      ...(f.variants ? { variants: f.variants } : {}),
    })),
    sources: { priority: model.sources },
  };
}

function jsonWithModel(text: string | null, model: AddedModel): string {
  let doc: Record<string, unknown> = { schema_version: 1, models: {} };
  if (text !== null && text.trim() !== '') {
    try {
      doc = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
    } catch {
      throw new OrchestratorError('MANIFEST_VALIDATION_ERROR', 'The manifest is not valid JSON; fix it before adding models to it.', {});
    }
  }
  const models = (typeof doc.models === 'object' && doc.models !== null ? doc.models : {}) as Record<string, unknown>;
  doc.models = { ...models, [model.id]: modelJson(model) };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function tomlWithModel(text: string | null, model: AddedModel): string {
  const block = modelToml(model);
  if (text === null || text.trim() === '') return `schema_version = 1\n\n${block}`;
  const lines = text.split('\n');
  const ranges = modelSections(lines, model.id);
  if (ranges.length === 0) {
    const body = text.endsWith('\n') ? text : `${text}\n`;
    return `${body}\n${block}`;
  }
  const drop = new Set<number>();
  for (const [start, end] of ranges) for (let i = start; i < end; i++) drop.add(i);
  const out: string[] = [];
  const first = (ranges[0] as [number, number])[0];
  lines.forEach((line, i) => {
    if (i === first) out.push(...block.split('\n').slice(0, -1), '');
    if (!drop.has(i)) out.push(line);
  });
  return out.join('\n').replace(/\n{3,}(?=\[)/g, '\n\n');
}

/**
 * [start, end) line ranges of the sections whose header is `[models."id"…]` or `[[models."id"…]]`;
 * blank and comment lines just before the next header stay with what follows.
 */
function modelSections(lines: string[], id: string): Array<[number, number]> {
  const headers: Array<{ line: number; mine: boolean }> = [];
  let inMultiline: string | null = null;
  lines.forEach((line, i) => {
    if (inMultiline) {
      if (line.includes(inMultiline)) inMultiline = null;
      return;
    }
    const multi = /("""|''')/.exec(line);
    if (multi && line.split(multi[1] as string).length === 2) {
      inMultiline = multi[1] as string;
      return;
    }
    const m = /^\s*\[\[?(.+?)\]\]?\s*(#.*)?$/.exec(line);
    if (!m) return;
    const keys = parseDottedKey(m[1] as string);
    if (keys) headers.push({ line: i, mine: keys[0] === 'models' && keys[1] === id });
  });
  const ranges: Array<[number, number]> = [];
  headers.forEach((h, k) => {
    if (!h.mine) return;
    let end = k + 1 < headers.length ? (headers[k + 1] as { line: number }).line : lines.length;
    while (end > h.line + 1 && /^\s*(#.*)?$/.test(lines[end - 1] as string)) end--;
    ranges.push([h.line, end]);
  });
  return ranges;
}

/** `models."a b".files` → ['models', 'a b', 'files']; null when it is not a key. */
function parseDottedKey(text: string): string[] | null {
  const keys: string[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    let m: RegExpExecArray | null;
    if ((m = /^"((?:[^"\\]|\\.)*)"/.exec(rest))) {
      try {
        keys.push(JSON.parse(`"${m[1]}"`) as string);
      } catch {
        return null;
      }
    } else if ((m = /^'([^']*)'/.exec(rest))) keys.push(m[1] as string);
    else if ((m = /^[A-Za-z0-9_-]+/.exec(rest))) keys.push(m[0]);
    else return null;
    rest = rest.slice(m[0].length).trim();
    if (rest.startsWith('.')) rest = rest.slice(1).trim();
    else if (rest.length > 0) return null;
  }
  return keys;
}
