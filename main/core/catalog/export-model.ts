/**
 * `export`: hands a complete stored model to other programs without copying bytes.
 *   hf-cache: lays out (or updates) a Hugging Face cache, as huggingface_hub and @huggingface/hub
 *     read it offline: `models--org--name/blobs/<etag>` hard links into our blobs (the etag is the
 *     sha256 for LFS files, the git blob sha1 for the others), `snapshots/<commit>/<path>` relative
 *     symlinks to them, `refs/<branch>` naming the commit. Only for hf://org/name@<commit> models.
 *   folder: the model's files under DIR as hard links (symlinks across filesystems), for apps that
 *     want a plain folder (ComfyUI models/checkpoints…).
 * Running it again changes nothing; files it did not create are never removed or overwritten.
 * Each export is recorded so GC counts it as a use and `remove` says where the model is linked.
 */
import { copyFile, link, lstat, mkdir, readlink, stat, symlink, writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { OrchestratorError, toOrchestratorError } from '../../../shared/errors';
import { filesForVariant, type ManifestFile, type ModelSpec } from '../../../shared/manifest';
import type { ExportResult } from '../../../shared/results';
import { BlobStore } from '../store/blob-store';
import { ModelLinkStore } from '../store/model-links';
import { ModelsRoot } from '../store/models-root';
import { readMarker } from '../store/verified-marker';
import { gitBlobOid } from './git-blob-oid';

export interface ExportRequest {
  model: ModelSpec;
  variant: string;
  target: 'hf-cache' | 'folder';
  dir: string;
}

export interface ExportDeps {
  root: string;
  now?: () => number;
}

const HF_SOURCE = /^hf:\/\/([A-Za-z0-9][\w.-]*\/[\w.-]+)@([0-9a-f]{40})$/;
/** What the Hub's default .gitattributes stores with LFS, for manifests written by hand (no `lfs` key). */
const LFS_LIKE = /\.(safetensors|bin|gguf|pt|pth|ckpt|onnx|msgpack|h5|pkl|zip|tar|npz|tflite|ot|parquet|arrow)$/i;

export async function exportModel(request: ExportRequest, deps: ExportDeps): Promise<ExportResult> {
  const { model, variant } = request;
  const layout = new ModelsRoot(deps.root);
  const marker = await readMarker(layout.markerPath(model.id, variant)).catch(() => null);
  if (!marker) {
    throw new OrchestratorError(
      'INVALID_CONFIG',
      `${model.id} (${variant}) is not complete in ${layout.root}, so there is nothing to export yet. Run \`modelctl ensure ${model.id} --variant ${variant}\` (or adopt files you already have) first.`,
      { id: model.id, variant },
    );
  }
  const blobs = new BlobStore(layout);
  const byPath = new Map(filesForVariant(model, variant).map((f) => [f.path, f]));
  const files = marker.files.map((f) => ({ ...f, spec: byPath.get(f.path) }));
  for (const f of files) {
    if (!(await blobs.has(f.sha256, f.size))) {
      throw new OrchestratorError(
        'INVALID_CONFIG',
        `${f.path} of ${model.id} (${variant}) is missing from the store. Run \`modelctl verify ${model.id}\`, then ensure it again.`,
        { id: model.id, variant, file: f.path },
      );
    }
  }
  const dir = path.resolve(request.dir);
  try {
    const result =
      request.target === 'hf-cache'
        ? await exportToHfCache(model, variant, files, dir, blobs)
        : await exportToFolder(model, variant, files, dir, blobs, layout);
    await new ModelLinkStore(layout).record(model.id, {
      kind: request.target,
      dir: result.dir,
      variant,
      createdAt: (deps.now ?? Date.now)(),
    });
    return result;
  } catch (error) {
    throw toOrchestratorError(error, `export ${model.id} (${variant}) to ${dir}`);
  }
}

type ExportFile = { path: string; size: number; sha256: string; spec: ManifestFile | undefined };

async function exportToHfCache(
  model: ModelSpec,
  variant: string,
  files: ExportFile[],
  cacheDir: string,
  blobs: BlobStore,
): Promise<ExportResult> {
  const pinned = model.sources.map((s) => HF_SOURCE.exec(s)).find((m) => m !== null);
  if (!pinned) {
    throw new OrchestratorError(
      'INVALID_CONFIG',
      `${model.id} cannot go into a Hugging Face cache: its sources (${model.sources.join(', ')}) name no Hub commit (hf://org/name@<40-hex commit>), and the cache is organised by commit. Add the model with \`modelctl add hf://org/name\` (which pins the commit), or export it with --to DIR instead.`,
      { id: model.id, sources: model.sources },
    );
  }
  const repo = pinned[1] as string;
  const commit = pinned[2] as string;
  const repoDir = path.join(cacheDir, `models--${repo.split('/').join('--')}`);
  const snapshot = path.join(repoDir, 'snapshots', commit);
  await mkdir(path.join(repoDir, 'blobs'), { recursive: true });
  await mkdir(snapshot, { recursive: true });
  let linked = 0;
  let copied = 0;
  for (const f of files) {
    const etag = await hubEtag(f, blobs.path(f.sha256));
    const blobDest = path.join(repoDir, 'blobs', etag);
    const existing = await lstat(blobDest).catch(() => null);
    if (!existing) {
      if ((await linkOrCopy(blobs.path(f.sha256), blobDest)) === 'hardlink') linked++;
      else copied++;
    } else if (!existing.isFile() || existing.size !== f.size) {
      throw conflict(blobDest, 'is in the cache already with other content');
    }
    const pointer = inside(snapshot, f.path);
    await mkdir(path.dirname(pointer), { recursive: true });
    const target = path.relative(path.dirname(pointer), blobDest);
    const present = await lstat(pointer).catch(() => null);
    if (!present) await symlink(target, pointer);
    else if (
      present.isSymbolicLink()
        ? (await readlink(pointer)) !== target && (await stat(pointer).catch(() => null))?.size !== f.size
        : present.size !== f.size
    ) {
      throw conflict(pointer, 'is in the cache already and is not this file');
    }
  }
  if (model.hfRevision && model.hfRevision !== commit) {
    // A ref pointing elsewhere is the user's (a newer download): left alone, load by commit then.
    const ref = inside(path.join(repoDir, 'refs'), model.hfRevision);
    const current = await readFile(ref, 'utf8').catch(() => null);
    if (current === null) {
      await mkdir(path.dirname(ref), { recursive: true });
      await writeFile(ref, commit);
    }
  }
  return { id: model.id, variant, dir: snapshot, files: files.length, linked, copied };
}

async function exportToFolder(
  model: ModelSpec,
  variant: string,
  files: ExportFile[],
  dir: string,
  blobs: BlobStore,
  layout: ModelsRoot,
): Promise<ExportResult> {
  if (isWithin(layout.root, dir)) {
    throw new OrchestratorError('INVALID_CONFIG', `${dir} is inside the models folder ${layout.root}; choose a folder outside it.`, {
      dir,
    });
  }
  // Check every destination first: a conflict leaves the folder exactly as it was.
  const todo: ExportFile[] = [];
  for (const f of files) {
    const dest = inside(dir, f.path);
    const present = await lstat(dest).catch(() => null);
    if (!present) {
      todo.push(f);
      continue;
    }
    const blob = await stat(blobs.path(f.sha256));
    const seen = await stat(dest).catch(() => null);
    if (!seen || seen.ino !== blob.ino || seen.dev !== blob.dev) throw conflict(dest, 'already exists and is not this model file');
  }
  let linked = 0;
  let copied = 0;
  for (const f of todo) {
    const dest = inside(dir, f.path);
    await mkdir(path.dirname(dest), { recursive: true });
    try {
      await link(blobs.path(f.sha256), dest);
      linked++;
    } catch (error) {
      if (!crossDevice(error)) throw error;
      await symlink(blobs.path(f.sha256), dest);
      copied++;
    }
  }
  return { id: model.id, variant, dir, files: files.length, linked, copied };
}

/** The Hub's etag: sha256 for LFS files, git blob sha1 for the others (recorded by add, else computed). */
async function hubEtag(f: ExportFile, blobPath: string): Promise<string> {
  const lfs = f.spec?.lfs ?? (f.spec?.gitOid ? false : LFS_LIKE.test(f.path) || f.size >= 10 * 1024 * 1024);
  if (lfs) return f.sha256;
  return f.spec?.gitOid ?? (await gitBlobOid(blobPath));
}

async function linkOrCopy(from: string, to: string): Promise<'hardlink' | 'copy'> {
  try {
    await link(from, to);
    return 'hardlink';
  } catch (error) {
    if (!crossDevice(error)) throw error;
    await copyFile(from, to);
    return 'copy';
  }
}

function crossDevice(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EXDEV' || code === 'EPERM' || code === 'ENOTSUP' || code === 'EMLINK';
}

function inside(base: string, rel: string): string {
  const full = path.resolve(base, rel);
  if (!isWithin(base, full) || full === base) {
    throw new OrchestratorError('PATH_TRAVERSAL_DETECTED', `"${rel}" would land outside ${base}; refusing to write it.`, { path: rel });
  }
  return full;
}

function isWithin(base: string, p: string): boolean {
  const rel = path.relative(path.resolve(base), path.resolve(p));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function conflict(p: string, what: string): OrchestratorError {
  return new OrchestratorError('FILESYSTEM_ERROR', `${p} ${what}; nothing there was changed. Move it away or choose another folder.`, {
    path: p,
  });
}
