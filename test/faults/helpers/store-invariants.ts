/**
 * Asserts that a models root is sound after whatever a fault test did to it:
 * - every file under `models/` belongs to a model directory with a `.verified.json` marker,
 *   is listed there, and has the marker's size and sha256 (each file is hashed); every file a
 *   marker lists is present; nothing unverified is there;
 * - every blob under `blobs/sha256/` hashes to its name;
 * - `.tmp/` holds nothing left over;
 * - `.partial/` holds only resumable downloads: `<sha256>.part` with a journal (synced or hot)
 *   of the same file and size, journals only beside their part file, nothing else.
 *
 * `storeProblems` lists what is wrong (empty when sound), for `expect(...).toEqual([])`;
 * `assertStoreSound` throws with that list and returns a summary otherwise.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface StoreInvariantOptions {
  /** 'resumable' (default): `.partial/` may hold resumable downloads; 'empty': it must hold nothing. */
  partial?: 'resumable' | 'empty';
}

export interface StoreSummary {
  /** Model directories with a valid marker. */
  models: number;
  /** Files under `models/` checked against their markers (markers not counted). */
  modelFiles: number;
  blobs: number;
  /** sha256 of each resumable partial download left in `.partial/`. */
  partials: string[];
}

const MARKER = '.verified.json';
const SHA256 = /^[0-9a-f]{64}$/;

interface MarkerFile {
  path: string;
  size: number;
  sha256: string;
}

export async function storeProblems(root: string, options: StoreInvariantOptions = {}): Promise<string[]> {
  return (await inspect(root, options)).problems;
}

export async function assertStoreSound(root: string, options: StoreInvariantOptions = {}): Promise<StoreSummary> {
  const { problems, summary } = await inspect(root, options);
  if (problems.length > 0) throw new Error(`The models root ${root} is not sound:\n- ${problems.join('\n- ')}`);
  return summary;
}

async function inspect(root: string, options: StoreInvariantOptions): Promise<{ problems: string[]; summary: StoreSummary }> {
  const problems: string[] = [];
  const summary: StoreSummary = { models: 0, modelFiles: 0, blobs: 0, partials: [] };
  await checkModels(root, problems, summary);
  await checkBlobs(root, problems, summary);
  const tmp = await filesUnder(join(root, '.tmp'), true);
  for (const f of tmp) problems.push(`.tmp/${f} is left over`);
  await checkPartial(root, options.partial ?? 'resumable', problems, summary);
  return { problems, summary };
}

async function checkModels(root: string, problems: string[], summary: StoreSummary): Promise<void> {
  const modelsDir = join(root, 'models');
  const files = await filesUnder(modelsDir);
  // Model directories are where markers are; every other file must fall under one of them.
  const markers = new Map<string, Map<string, MarkerFile> | null>();
  for (const f of files) {
    if (f === MARKER || f.endsWith(`/${MARKER}`)) markers.set(f === MARKER ? '' : f.slice(0, -MARKER.length - 1), null);
  }
  for (const dir of markers.keys()) {
    const listed = await readMarkerFiles(join(modelsDir, dir, MARKER));
    if (!listed) problems.push(`models/${join(dir, MARKER)} is not a valid marker`);
    else summary.models++;
    markers.set(dir, listed);
  }
  const seen = new Set<string>();
  for (const f of files) {
    if (f === MARKER || f.endsWith(`/${MARKER}`)) continue;
    const dir = [...markers.keys()].filter((d) => d === '' || f.startsWith(`${d}/`)).sort((a, b) => b.length - a.length)[0];
    if (dir === undefined) {
      problems.push(`models/${f} is not in a verified model directory`);
      continue;
    }
    const listed = markers.get(dir);
    if (!listed) continue;
    const inModel = dir === '' ? f : f.slice(dir.length + 1);
    const expected = listed.get(inModel);
    if (!expected) {
      problems.push(`models/${f} is not listed in models/${join(dir, MARKER)}`);
      continue;
    }
    seen.add(`${dir}\0${inModel}`);
    const full = join(modelsDir, f);
    const { size } = await lstat(full);
    if (size !== expected.size) {
      problems.push(`models/${f} has ${size} bytes, its marker says ${expected.size}`);
      continue;
    }
    const digest = await sha256File(full);
    if (digest !== expected.sha256.toLowerCase()) problems.push(`models/${f} hashes to ${digest}, its marker says ${expected.sha256}`);
    else summary.modelFiles++;
  }
  for (const [dir, listed] of markers) {
    for (const p of listed?.keys() ?? []) {
      if (!seen.has(`${dir}\0${p}`)) problems.push(`models/${join(dir, p)} is listed in its marker but missing`);
    }
  }
}

async function checkBlobs(root: string, problems: string[], summary: StoreSummary): Promise<void> {
  const blobsDir = join(root, 'blobs', 'sha256');
  for (const f of await filesUnder(blobsDir)) {
    if (!SHA256.test(f)) {
      problems.push(`blobs/sha256/${f} is not a blob`);
      continue;
    }
    const digest = await sha256File(join(blobsDir, f));
    if (digest !== f) problems.push(`blobs/sha256/${f} hashes to ${digest}`);
    else summary.blobs++;
  }
}

async function checkPartial(root: string, mode: 'resumable' | 'empty', problems: string[], summary: StoreSummary): Promise<void> {
  const partialDir = join(root, '.partial');
  const files = await filesUnder(partialDir, true);
  if (mode === 'empty') {
    for (const f of files) problems.push(`.partial/${f} is left over (nothing should be left to resume)`);
    return;
  }
  const names = new Set(files);
  for (const f of files) {
    const m = /^([0-9a-f]{64})\.(part|journal\.json|journal\.hot\.json)$/.exec(f);
    if (!m) {
      problems.push(`.partial/${f} is not part of a resumable download`);
      continue;
    }
    const [, sha, kind] = m as unknown as [string, string, string];
    if (kind !== 'part') {
      if (!names.has(`${sha}.part`)) problems.push(`.partial/${f} is a journal without its ${sha}.part`);
      continue;
    }
    const journals = [`${sha}.journal.json`, `${sha}.journal.hot.json`].filter((j) => names.has(j));
    if (journals.length === 0) {
      problems.push(`.partial/${f} has no journal, so it cannot be resumed`);
      continue;
    }
    const { size } = await lstat(join(partialDir, f));
    for (const j of journals) {
      const journal = await readJson(join(partialDir, j));
      if (!journal || journal.sha256 !== sha || journal.size !== size) {
        problems.push(`.partial/${j} does not describe ${f} (${size} bytes)`);
      }
    }
    summary.partials.push(sha);
  }
}

async function readMarkerFiles(path: string): Promise<Map<string, MarkerFile> | null> {
  const marker = await readJson(path);
  if (!marker || !Array.isArray(marker.files)) return null;
  const out = new Map<string, MarkerFile>();
  for (const f of marker.files as unknown[]) {
    const { path: p, size, sha256 } = (f ?? {}) as Partial<MarkerFile>;
    if (typeof p !== 'string' || typeof size !== 'number' || typeof sha256 !== 'string') return null;
    out.set(p, { path: p, size, sha256 });
  }
  return out;
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Files (and, with `withEmptyDirs`, empty directories) under `dir`, relative with '/', sorted; [] when it is missing. */
async function filesUnder(dir: string, withEmptyDirs = false): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    if (entries.length === 0 && withEmptyDirs && d !== dir) out.push(`${relative(dir, d).split(sep).join('/')}/`);
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
