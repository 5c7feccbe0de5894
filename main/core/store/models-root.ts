/**
 * The layout of a models root (docs/architecture.md "The models root on disk") and the one place paths into
 * it are built. Every path made from manifest data goes through `inside()`, which refuses
 * anything that would land outside the root, even though the manifest validator already
 * rejects such paths: a second line of defence costs one comparison.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { OrchestratorError } from '../../../shared/errors';

const SHA256 = /^[0-9a-f]{64}$/;

export class ModelsRoot {
  readonly root: string;
  readonly modelsDir: string;
  readonly blobsDir: string;
  readonly partialDir: string;
  readonly tmpDir: string;
  readonly locksDir: string;
  readonly stateDir: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.modelsDir = path.join(this.root, 'models');
    this.blobsDir = path.join(this.root, 'blobs', 'sha256');
    this.partialDir = path.join(this.root, '.partial');
    this.tmpDir = path.join(this.root, '.tmp');
    this.locksDir = path.join(this.root, '.locks');
    this.stateDir = path.join(this.root, '.state');
  }

  /** Creates the folders of the layout (idempotent). */
  async prepare(): Promise<void> {
    for (const dir of [this.modelsDir, this.blobsDir, this.partialDir, this.tmpDir, this.locksDir, this.stateDir]) {
      await mkdir(dir, { recursive: true });
    }
  }

  /** `<root>/models/<id>/<variant>` */
  modelDir(id: string, variant: string): string {
    return this.inside(this.modelsDir, segment(id, 'model id'), segment(variant, 'variant'));
  }

  /** `<root>/models/<id>/<variant>/<file path>` */
  modelFile(id: string, variant: string, filePath: string): string {
    return this.inside(this.modelDir(id, variant), filePath);
  }

  markerPath(id: string, variant: string): string {
    return path.join(this.modelDir(id, variant), '.verified.json');
  }

  /** `<root>/blobs/sha256/<hex>` */
  blobPath(sha256: string): string {
    if (!SHA256.test(sha256)) {
      throw new OrchestratorError(
        'PATH_TRAVERSAL_DETECTED',
        `ModelsRoot.blobPath: "${sha256}" is not a lower-case sha256, refusing to build a blob path from it.`,
        { sha256 },
      );
    }
    return path.join(this.blobsDir, sha256);
  }

  /** A flat, unambiguous file name for a model variant (`~` cannot appear in model ids). */
  key(id: string, variant: string): string {
    return `${segment(id, 'model id')}~${segment(variant, 'variant')}`;
  }

  /**
   * Joins `parts` under `base` (itself inside the root) and checks the result stays inside
   * `base`; throws PATH_TRAVERSAL_DETECTED otherwise.
   */
  inside(base: string, ...parts: string[]): string {
    for (const part of parts) {
      if (part.includes('\0') || part.includes('\\') || path.isAbsolute(part) || /^[a-zA-Z]:/.test(part)) {
        throw traversal(part);
      }
    }
    const full = path.resolve(base, ...parts);
    const rel = path.relative(base, full);
    const baseRel = path.relative(this.root, base);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel) || baseRel.startsWith('..') || path.isAbsolute(baseRel)) {
      throw traversal(parts.join('/'));
    }
    return full;
  }
}

function segment(value: string, what: string): string {
  if (!value || value === '.' || value === '..' || /[\\/\0]/.test(value) || value.includes('~')) {
    throw new OrchestratorError(
      'PATH_TRAVERSAL_DETECTED',
      `ModelsRoot: the ${what} "${value}" cannot be used as a folder name. Use letters, digits and . _ - @ + only.`,
      { [what === 'variant' ? 'variant' : 'id']: value },
    );
  }
  return value;
}

function traversal(p: string): OrchestratorError {
  return new OrchestratorError(
    'PATH_TRAVERSAL_DETECTED',
    `ModelsRoot: the path "${p}" would point outside the models folder; refusing to use it. Fix the manifest entry.`,
    { path: p },
  );
}
