/**
 * Turns a parsed manifest document (`unknown`: it comes from a file) into a `Manifest`, or
 * into the full list of problems, each with its place (`models."x".files[3].sha256`) so a
 * user can fix them all in one pass. Hand-written rather than a zod schema because the
 * cross-field rules (variants, collisions) need the same places and wording as the rest.
 *
 * Unknown keys and tables (defaults, vram_estimation, resolution_caps, required_components,
 * ...) are accepted and ignored, so manifests written for the seed project keep loading.
 *
 * `allow_patterns` is kept but not enforced against `files`: in the seed project it filters
 * what is fetched from a repository snapshot, and the seed manifest itself lists files it
 * does not match (image_encoder/pytorch_model.bin). Files listed explicitly are the
 * authority, so a mismatch is not a problem.
 */
import { OrchestratorError } from '../../../shared/errors';
import type { Manifest, ManifestFile, ManifestProblem, ModelSpec } from '../../../shared/manifest';
import { checkFolderName, checkRelativePath, collisionKey } from './safe-names';
import { checkSourceUrl } from './source-url';

export interface ValidationContext {
  /** Absolute path of the manifest file, if it came from one. */
  manifestPath?: string;
  /** Folder `local://` sources resolve against. */
  localMirrorRoot?: string;
}

type Table = Record<string, unknown>;

const SHA256 = /^[0-9a-fA-F]{64}$/;

export function validateManifest(document: unknown, context: ValidationContext = {}): Manifest {
  const problems = new Problems();

  if (!isTable(document)) {
    throw validationError([{ path: '(document)', message: `must be a table of settings, got ${describe(document)}` }], context);
  }
  checkSchemaVersion(document, problems, context);

  const models: ModelSpec[] = [];
  const modelsValue = own(document, 'models');
  if (modelsValue === undefined) {
    problems.add('models', 'is required: add at least one [models."<id>"] table');
  } else if (!isTable(modelsValue)) {
    problems.add('models', `must be a table of models keyed by id, got ${describe(modelsValue)}`);
  } else {
    const seenIds = new Map<string, string>();
    for (const [id, value] of Object.entries(modelsValue)) {
      const place = `models.${quote(id)}`;
      const idProblem = checkFolderName(id, 'model id');
      if (idProblem) problems.add(place, idProblem.message, idProblem.code);
      const key = collisionKey(id);
      const other = seenIds.get(key);
      if (other !== undefined) {
        problems.add(
          place,
          `model id collides with ${quote(other)} on case-insensitive filesystems; rename one`,
          'CASE_COLLISION_DETECTED',
        );
      } else {
        seenIds.set(key, id);
      }
      const model = validateModel(id, value, place, problems, context);
      if (model && !idProblem) models.push(model);
    }
  }

  if (problems.count > 0) throw validationError(problems.list, context);
  return { schemaVersion: 1, models };
}

function checkSchemaVersion(document: Table, problems: Problems, context: ValidationContext): void {
  const version = own(document, 'schema_version');
  if (version === undefined) {
    problems.add('schema_version', 'is required: add `schema_version = 1` at the top');
    return;
  }
  if (version !== 1) {
    // A different schema may legitimately look different, so stop here rather than listing
    // "problems" that are really features of a newer format.
    // TOML gives big integers as bigint, also inside arrays: show and keep them as plain JSON.
    const plain = JSON.stringify(version, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) as string | undefined;
    const shown = plain ?? String(version);
    throw new OrchestratorError(
      'SCHEMA_VERSION_MISMATCH',
      `${where(context)}uses schema_version ${shown}, but this version of Model Orchestrator reads schema_version 1. Update the application or convert the manifest.`,
      { ...pathDetails(context), schemaVersion: plain === undefined ? shown : (JSON.parse(plain) as unknown), supported: [1] },
    );
  }
}

function validateModel(id: string, value: unknown, place: string, problems: Problems, context: ValidationContext): ModelSpec | null {
  if (!isTable(value)) {
    problems.add(place, `must be a table describing the model, got ${describe(value)}`);
    return null;
  }
  const before = problems.count;
  const description = optionalString(value, 'description', place, problems);
  const version = requiredString(value, 'version', place, problems);

  const variants = stringList(value, 'variants', place, problems, { required: true, nonEmpty: true }) ?? [];
  const seenVariants = new Map<string, string>();
  variants.forEach((variant, i) => {
    const problem = checkFolderName(variant, 'variant');
    if (problem) problems.add(`${place}.variants[${i}]`, problem.message, problem.code);
    const key = collisionKey(variant);
    const other = seenVariants.get(key);
    if (other === variant) problems.add(`${place}.variants[${i}]`, `lists ${quote(variant)} twice`);
    else if (other !== undefined)
      problems.add(
        `${place}.variants[${i}]`,
        `${quote(variant)} collides with ${quote(other)} on case-insensitive filesystems`,
        'CASE_COLLISION_DETECTED',
      );
    else seenVariants.set(key, variant);
  });

  const defaultVariant = requiredString(value, 'default_variant', place, problems);
  if (defaultVariant !== undefined && variants.length > 0 && !variants.includes(defaultVariant)) {
    problems.add(
      `${place}.default_variant`,
      `${quote(defaultVariant)} is not one of the variants (${variants.map(quote).join(', ')})`,
      'VARIANT_NOT_FOUND',
    );
  }

  const hfRevision = optionalString(value, 'hf_revision', place, problems);
  const allowPatterns = stringList(value, 'allow_patterns', place, problems, { required: false, nonEmpty: false }) ?? ['*'];

  const files = validateFiles(value, place, variants, problems);
  const sources = validateSources(value, place, problems);

  if (problems.count > before || version === undefined || defaultVariant === undefined || files === null || sources === null) return null;
  const model: ModelSpec = { id, version, variants, defaultVariant, allowPatterns, files, sources };
  if (description !== undefined) model.description = description;
  if (hfRevision !== undefined) model.hfRevision = hfRevision;
  if (context.localMirrorRoot !== undefined) model.localMirrorRoot = context.localMirrorRoot;
  if (context.manifestPath !== undefined) model.manifestPath = context.manifestPath;
  return model;
}

function validateFiles(model: Table, place: string, variants: string[], problems: Problems): ManifestFile[] | null {
  const value = own(model, 'files');
  const filesPlace = `${place}.files`;
  if (value === undefined) {
    problems.add(filesPlace, 'is required: list each file with [[models."<id>".files]] path, size and sha256');
    return null;
  }
  if (!Array.isArray(value)) {
    problems.add(filesPlace, `must be a list of file tables, got ${describe(value)}`);
    return null;
  }
  if (value.length === 0) {
    problems.add(filesPlace, 'must list at least one file');
    return null;
  }
  const files: Array<ManifestFile | null> = value.map((entry: unknown, i) =>
    validateFile(entry, `${filesPlace}[${i}]`, variants, problems),
  );

  // Within one variant every path must be distinct on every filesystem we support, and no
  // file may sit where another file needs a folder ("a" and "a/b").
  const reported = new Set<string>();
  const collision = (i: number, other: number, message: string): void => {
    const pair = `${i}:${other}`;
    if (reported.has(pair)) return; // the same clash in another variant says nothing new
    reported.add(pair);
    problems.add(`${filesPlace}[${i}].path`, message, 'CASE_COLLISION_DETECTED');
  };
  for (const variant of variants) {
    const byKey = new Map<string, number>();
    files.forEach((file, i) => {
      if (!file || (file.variants && !file.variants.includes(variant))) return;
      const key = collisionKey(file.path);
      const other = byKey.get(key);
      if (other !== undefined) {
        const otherPath = (files[other] as ManifestFile).path;
        const message =
          otherPath === file.path
            ? `${quote(file.path)} is listed twice for variant ${quote(variant)} (also files[${other}])`
            : `${quote(file.path)} collides with ${quote(otherPath)} (files[${other}]) on case-insensitive filesystems in variant ${quote(variant)}`;
        collision(i, other, message);
        return;
      }
      byKey.set(key, i);
    });
    for (const [key, i] of byKey) {
      const segments = key.split('/');
      for (let n = 1; n < segments.length; n++) {
        const parent = byKey.get(segments.slice(0, n).join('/'));
        if (parent !== undefined) {
          collision(
            i,
            parent,
            `needs a folder where files[${parent}] (${quote((files[parent] as ManifestFile).path)}) is a file in variant ${quote(variant)}`,
          );
        }
      }
    }
  }

  for (const variant of variants) {
    if (!files.some((f) => f && (!f.variants || f.variants.includes(variant)))) {
      if (files.every((f) => f !== null)) problems.add(filesPlace, `no file belongs to variant ${quote(variant)}`, 'VARIANT_NOT_FOUND');
    }
  }
  return files.every((f): f is ManifestFile => f !== null) ? files : null;
}

function validateFile(value: unknown, place: string, modelVariants: string[], problems: Problems): ManifestFile | null {
  if (!isTable(value)) {
    problems.add(place, `must be a table with path, size and sha256, got ${describe(value)}`);
    return null;
  }
  const before = problems.count;

  const path = requiredString(value, 'path', place, problems);
  if (path !== undefined) {
    const problem = checkRelativePath(path);
    if (problem) problems.add(`${place}.path`, problem.message, problem.code);
  }

  const size = own(value, 'size');
  if (size === undefined) problems.add(`${place}.size`, 'is required: the file size in bytes');
  else if (typeof size === 'bigint') problems.add(`${place}.size`, `${size} is too large (at most ${Number.MAX_SAFE_INTEGER} bytes)`);
  else if (typeof size !== 'number' || !Number.isFinite(size))
    problems.add(`${place}.size`, `must be a whole number of bytes, got ${describe(size)}`);
  else if (!Number.isInteger(size)) problems.add(`${place}.size`, `must be a whole number of bytes, got ${size}`);
  else if (size < 0) problems.add(`${place}.size`, `must not be negative, got ${size}`);
  else if (!Number.isSafeInteger(size)) problems.add(`${place}.size`, `${size} is too large (at most ${Number.MAX_SAFE_INTEGER} bytes)`);

  const sha256 = requiredString(value, 'sha256', place, problems);
  if (sha256 !== undefined && !SHA256.test(sha256)) {
    problems.add(
      `${place}.sha256`,
      `must be 64 hex characters (got ${sha256.length} characters${/^[0-9a-fA-F]*$/.test(sha256) ? '' : ', not all hex'})`,
    );
  }

  const optional = own(value, 'optional');
  if (optional !== undefined && typeof optional !== 'boolean')
    problems.add(`${place}.optional`, `must be true or false, got ${describe(optional)}`);

  const variants = stringList(value, 'variants', place, problems, {
    required: false,
    nonEmpty: true,
    each: (variant, i) => {
      if (!modelVariants.includes(variant)) {
        problems.add(
          `${place}.variants[${i}]`,
          `${quote(variant)} is not one of the model's variants (${modelVariants.map(quote).join(', ')})`,
          'VARIANT_NOT_FOUND',
        );
      }
    },
  });

  const component = optionalString(value, 'component', place, problems);
  // Written by `add` for Hugging Face files, read by `export --hf-cache` (the Hub's etag of the file).
  const lfs = own(value, 'lfs');
  if (lfs !== undefined && typeof lfs !== 'boolean') problems.add(`${place}.lfs`, `must be true or false, got ${describe(lfs)}`);
  const gitOid = optionalString(value, 'git_oid', place, problems);
  if (gitOid !== undefined && !/^[0-9a-f]{40}$/i.test(gitOid))
    problems.add(`${place}.git_oid`, 'must be 40 hex characters (a git blob sha1)');

  if (problems.count > before || path === undefined || sha256 === undefined || typeof size !== 'number') return null;
  const file: ManifestFile = { path, size, sha256: sha256.toLowerCase(), optional: optional === true };
  if (variants !== undefined) file.variants = variants;
  if (component !== undefined) file.component = component;
  if (lfs === true) file.lfs = true;
  if (gitOid !== undefined) file.gitOid = gitOid.toLowerCase();
  return file;
}

function validateSources(model: Table, place: string, problems: Problems): string[] | null {
  const sourcesPlace = `${place}.sources`;
  const value = own(model, 'sources');
  if (value === undefined) {
    problems.add(sourcesPlace, 'is required: add [models."<id>".sources] with priority = ["https://…", …]');
    return null;
  }
  if (!isTable(value)) {
    problems.add(sourcesPlace, `must be a table with a priority list, got ${describe(value)}`);
    return null;
  }
  const before = problems.count;
  const priority = stringList(value, 'priority', sourcesPlace, problems, {
    required: true,
    nonEmpty: true,
    each: (source, i) => {
      const problem = checkSourceUrl(source);
      if (problem) problems.add(`${sourcesPlace}.priority[${i}]`, problem.message, problem.code);
    },
  });
  return priority && problems.count === before ? priority : null;
}

// ---- small readers that report in the same words everywhere ----

function requiredString(table: Table, key: string, place: string, problems: Problems): string | undefined {
  const value = own(table, key);
  if (value === undefined) {
    problems.add(`${place}.${key}`, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.add(`${place}.${key}`, `must be a string, got ${describe(value)}`);
    return undefined;
  }
  if (value.trim() === '') {
    problems.add(`${place}.${key}`, 'must not be empty');
    return undefined;
  }
  return value;
}

function optionalString(table: Table, key: string, place: string, problems: Problems): string | undefined {
  const value = own(table, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    problems.add(`${place}.${key}`, `must be a string, got ${describe(value)}`);
    return undefined;
  }
  return value;
}

function stringList(
  table: Table,
  key: string,
  place: string,
  problems: Problems,
  rules: { required: boolean; nonEmpty: boolean; each?: (item: string, index: number) => void },
): string[] | undefined {
  const value = own(table, key);
  if (value === undefined) {
    if (rules.required) problems.add(`${place}.${key}`, 'is required');
    return undefined;
  }
  if (!Array.isArray(value)) {
    problems.add(`${place}.${key}`, `must be a list of strings, got ${describe(value)}`);
    return undefined;
  }
  if (rules.nonEmpty && value.length === 0) {
    problems.add(`${place}.${key}`, 'must not be empty');
    return undefined;
  }
  let ok = true;
  value.forEach((item: unknown, i) => {
    if (typeof item !== 'string') {
      ok = false;
      problems.add(`${place}.${key}[${i}]`, `must be a string, got ${describe(item)}`);
    } else {
      rules.each?.(item, i);
    }
  });
  return ok ? (value as string[]) : undefined;
}

/** Own properties only: `__proto__` or `constructor` in a document must never reach Object.prototype. */
function own(table: Table, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'a table';
    default:
      return typeof value;
  }
}

/** `"t2v@1"` — ids are quoted in places as TOML would quote them. */
export function quote(name: string): string {
  return JSON.stringify(name);
}

/** Every problem found so far, in document order. */
class Problems {
  readonly list: ManifestProblem[] = [];
  add(path: string, message: string, code?: string): void {
    this.list.push(code === undefined ? { path, message } : { path, message, code });
  }
  get count(): number {
    return this.list.length;
  }
}

function where(context: ValidationContext): string {
  return context.manifestPath ? `The manifest ${context.manifestPath} ` : 'The manifest ';
}

function pathDetails(context: ValidationContext): Record<string, unknown> {
  return context.manifestPath ? { manifestPath: context.manifestPath } : {};
}

export function validationError(problems: ManifestProblem[], context: ValidationContext): OrchestratorError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const listed = problems
    .slice(0, 5)
    .map((p) => `${p.path}: ${p.message}`)
    .join('; ');
  const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
  return new OrchestratorError(
    'MANIFEST_VALIDATION_ERROR',
    `${where(context)}has ${count}: ${listed}${more}. Fix the manifest and try again.`,
    { ...pathDetails(context), problems },
  );
}
