/**
 * The manifests the app knows: the ones given at startup (built in) plus the ones a user
 * imported through the UI. Imported texts are saved in the config folder so they survive a
 * restart. All of them are merged into one ModelRegistry (built-in first, then imports in
 * order); a model id defined differently by two manifests is reported as a conflict.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { ImportManifestResult, ManifestInfo } from '../../../shared/api';
import { OrchestratorError, toStructuredError } from '../../../shared/errors';
import type { Manifest, ManifestProblem, ModelSpec } from '../../../shared/manifest';
import { formatOf, ModelRegistry, parseManifestText } from '../manifest';

interface Entry {
  name: string;
  manifest: Manifest;
  importedAt: number;
  builtIn: boolean;
  /** File holding the imported text (imports only). */
  file?: string;
  /** The app's own manifest (written by addModel): kept in its own file, not in the imports index. */
  owned?: boolean;
}

const indexSchema = z.array(z.object({ name: z.string(), file: z.string(), importedAt: z.number() }));

export interface ManifestLibraryOptions {
  /** Folder for imported manifest texts (created on first import). */
  dir: string;
  /** Where `local://` sources of imported manifests resolve (a dropped file has no folder of its own). */
  localMirrorRoot?: string;
  now?: () => number;
}

export class ManifestLibrary {
  private entries: Entry[] = [];
  private registry = new ModelRegistry();
  private readonly now: () => number;

  constructor(private readonly options: ManifestLibraryOptions) {
    this.now = options.now ?? Date.now;
  }

  private get indexFile(): string {
    return join(this.options.dir, 'index.json');
  }

  addBuiltIn(name: string, manifest: Manifest): { added: string[]; conflicts: ManifestProblem[] } {
    this.entries = this.entries.filter((e) => e.name !== name);
    const builtIns = this.entries.filter((e) => e.builtIn);
    this.entries = [...builtIns, { name, manifest, importedAt: this.now(), builtIn: true }, ...this.entries.filter((e) => !e.builtIn)];
    return this.rebuild(name);
  }

  /** Puts (or replaces) the app's own manifest, written by `add`, in the list; it stays after the imports. */
  setOwned(name: string, manifest: Manifest, file: string): { added: string[]; conflicts: ManifestProblem[] } {
    const previous = this.entries.find((e) => e.name === name);
    const entry: Entry = { name, manifest, importedAt: previous?.importedAt ?? this.now(), builtIn: false, file, owned: true };
    this.entries = previous ? this.entries.map((e) => (e === previous ? entry : e)) : [...this.entries, entry];
    return this.rebuild(name);
  }

  /**
   * Loads the imports saved by earlier runs. A saved manifest that no longer validates (e.g.
   * after an upgrade) is skipped and reported, never fatal.
   */
  async loadSaved(): Promise<ManifestProblem[]> {
    let index: z.infer<typeof indexSchema>;
    try {
      index = indexSchema.parse(JSON.parse(await readFile(this.indexFile, 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      return [{ path: this.indexFile, message: 'is damaged; imported manifests were not restored. Import them again.' }];
    }
    const problems: ManifestProblem[] = [];
    for (const saved of index) {
      const file = join(this.options.dir, basename(saved.file));
      try {
        const text = await readFile(file, 'utf8');
        const manifest = this.parse(saved.name, text, file);
        this.entries.push({ name: saved.name, manifest, importedAt: saved.importedAt, builtIn: false, file });
      } catch (error) {
        problems.push({ path: saved.name, message: `could not be restored: ${toStructuredError(error).message}` });
      }
    }
    this.rebuild();
    return problems;
  }

  /** Parses, validates, merges and saves an imported manifest; validation failures come back as data. */
  async import(name: string, text: string): Promise<ImportManifestResult> {
    const displayName = basename(name.replaceAll('\\', '/')) || 'manifest';
    if (this.entries.some((e) => e.builtIn && e.name === displayName)) {
      const error = new OrchestratorError(
        'INVALID_CONFIG',
        `${displayName} is the manifest the app was started with. Edit that file and restart instead, or rename the file you import.`,
        { name: displayName },
      );
      return { name: displayName, ok: false, added: [], conflicts: [], problems: [], error: toStructuredError(error) };
    }
    const file = join(this.options.dir, `${this.now()}-${safeFileName(displayName)}`);
    let manifest: Manifest;
    try {
      manifest = this.parse(displayName, text, file);
    } catch (error) {
      const structured = toStructuredError(error);
      const problems = Array.isArray(structured.details.problems) ? (structured.details.problems as ManifestProblem[]) : [];
      // The parser names the saved copy's path; the user knows the file by its own name.
      const { manifestPath: _internal, ...details } = structured.details;
      const message = problems.length
        ? `${displayName} has ${problems.length} problem${problems.length === 1 ? '' : 's'}, listed below with their place in the file. Fix them and import it again.`
        : structured.message.replaceAll(file, displayName);
      return { name: displayName, ok: false, added: [], conflicts: [], problems, error: { ...structured, message, details } };
    }
    await mkdir(this.options.dir, { recursive: true });
    await writeFile(file, text, { mode: 0o600 });
    const previous = this.entries.find((e) => e.name === displayName);
    const entry: Entry = { name: displayName, manifest, importedAt: this.now(), builtIn: false, file };
    // Re-importing a file of the same name replaces it in place (an updated manifest).
    this.entries = previous ? this.entries.map((e) => (e === previous ? entry : e)) : [...this.entries, entry];
    await this.saveIndex();
    if (previous?.file) await rm(previous.file, { force: true });
    const { added, conflicts } = this.rebuild(displayName);
    return { name: displayName, ok: true, added, conflicts, problems: [], error: null };
  }

  async remove(name: string): Promise<{ name: string; removed: string[] }> {
    const entry = this.entries.find((e) => e.name === name);
    if (!entry) throw new OrchestratorError('INVALID_CONFIG', `No imported manifest named ${name}.`, { name });
    if (entry.builtIn) {
      throw new OrchestratorError('INVALID_CONFIG', `${name} is the manifest the app was started with; it cannot be removed here.`, {
        name,
      });
    }
    const before = new Set(this.registry.models().map((m) => m.id));
    this.entries = this.entries.filter((e) => e !== entry);
    await this.saveIndex();
    if (entry.file) await rm(entry.file, { force: true });
    this.rebuild();
    const after = new Set(this.registry.models().map((m) => m.id));
    return { name, removed: [...before].filter((id) => !after.has(id)) };
  }

  models(): ModelSpec[] {
    return this.registry.models();
  }

  get(id: string): ModelSpec {
    return this.registry.get(id);
  }

  resolveVariant(id: string, variant?: string): { model: ModelSpec; variant: string } {
    return this.registry.resolveVariant(id, variant);
  }

  /** Name of the manifest a model came from. */
  manifestOf(id: string): string | null {
    return this.registry.originOf(id) ?? null;
  }

  list(): ManifestInfo[] {
    return this.entries.map((e) => ({
      name: e.name,
      models: e.manifest.models.map((m) => m.id).filter((id) => this.registry.originOf(id) === e.name),
      importedAt: e.importedAt,
      builtIn: e.builtIn,
    }));
  }

  private parse(name: string, text: string, file: string): Manifest {
    return parseManifestText(text, {
      format: formatOf(name, text),
      manifestPath: file,
      ...(this.options.localMirrorRoot ? { localMirrorRoot: this.options.localMirrorRoot } : {}),
    });
  }

  /** Rebuilds the merged registry; returns what adding `focus` did. */
  private rebuild(focus?: string): { added: string[]; conflicts: ManifestProblem[] } {
    const registry = new ModelRegistry();
    let result = { added: [] as string[], conflicts: [] as ManifestProblem[] };
    for (const entry of this.entries) {
      const r = registry.add(entry.manifest, entry.name);
      if (entry.name === focus) result = r;
    }
    this.registry = registry;
    if (focus) {
      // An identical re-import adds nothing new to the registry but still provides its models.
      const mine = this.entries.find((e) => e.name === focus);
      const ids = mine ? mine.manifest.models.map((m) => m.id).filter((id) => registry.originOf(id) === focus) : [];
      result = { added: [...new Set([...result.added, ...ids])], conflicts: result.conflicts };
    }
    return result;
  }

  private async saveIndex(): Promise<void> {
    const index = this.entries
      .filter((e) => !e.builtIn && !e.owned && e.file)
      .map((e) => ({ name: e.name, file: basename(e.file as string), importedAt: e.importedAt }));
    await mkdir(this.options.dir, { recursive: true });
    const tmp = `${this.indexFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(index, null, 2)}\n`);
    await rename(tmp, this.indexFile);
  }
}

function safeFileName(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 80);
  return cleaned || 'manifest';
}
