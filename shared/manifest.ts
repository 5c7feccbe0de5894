/** A manifest after parsing and validation (see docs/architecture.md "Manifest format"). */

export interface ManifestFile {
  /** Relative POSIX path inside the model directory; validated safe. */
  path: string;
  size: number;
  /** Lower-case 64-hex sha256. */
  sha256: string;
  /** Optional files never block COMPLETE and are fetched best-effort. */
  optional: boolean;
  /** Variants this file belongs to; undefined means every variant. */
  variants?: string[];
  component?: string;
}

export interface ModelSpec {
  id: string;
  description?: string;
  version: string;
  variants: string[];
  defaultVariant: string;
  allowPatterns: string[];
  files: ManifestFile[];
  /** Source base URLs in priority order (local://, file://, http(s)://, s3://, hf://). */
  sources: string[];
  /** Folder `local://` URLs resolve against (default: the manifest's folder). */
  localMirrorRoot?: string;
  /** Which manifest file this model came from (absolute path), if any. */
  manifestPath?: string;
}

export interface Manifest {
  schemaVersion: 1;
  models: ModelSpec[];
}

/** One problem found while validating a manifest, with its place (`models."x".files[3].sha256`). */
export interface ManifestProblem {
  path: string;
  message: string;
  code?: string;
  /** 1-based place in the manifest text, for syntax errors. */
  line?: number;
  column?: number;
}

/** The files of `model` that belong to `variant`. */
export function filesForVariant(model: ModelSpec, variant: string): ManifestFile[] {
  return model.files.filter((f) => !f.variants || f.variants.includes(variant));
}
