/**
 * "Add model…": from a Hugging Face repo (id or URL), an s3:// prefix or a folder to a model in
 * the app's own manifest, without writing a manifest by hand. Look up lists what the source
 * holds (nothing large is downloaded); a filter picks the files; Add saves the model and offers
 * to download it.
 */
import { useMemo, useState, type FormEvent } from 'react';
import type { StructuredError } from '../../shared/errors';
import type { AddModelResult, SourcePreview } from '../../shared/results';
import { useActions, useAppStore } from '../store/app-context';
import { formatBytes } from '../format';
import { FILTER_PRESETS, invalidPatterns, keepsFile, parsePatterns, presetMatching, type FilterPreset } from '../source-file-filter';
import { Dialog } from './Dialog';
import { ErrorNotice } from './ErrorNotice';
import { FolderField } from './FolderField';
import { Icon } from './Icon';

type Step = { kind: 'source' } | { kind: 'files'; preview: SourcePreview } | { kind: 'added'; result: AddModelResult };

export function AddModelDialog() {
  const actions = useActions();
  const openDialog = useAppStore((s) => s.openDialog);
  const desktop = useAppStore((s) => s.appInfo?.host === 'electron');
  const [step, setStep] = useState<Step>({ kind: 'source' });
  const [source, setSource] = useState('');
  const [revision, setRevision] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<StructuredError | null>(null);
  // The files step.
  const [include, setInclude] = useState('');
  const [exclude, setExclude] = useState('');
  const [id, setId] = useState('');
  const [variant, setVariant] = useState('');
  const [description, setDescription] = useState('');
  const close = () => openDialog(null);

  const lookUp = async (event: FormEvent) => {
    event.preventDefault();
    if (!source.trim() || busy) return;
    setBusy(true);
    setError(null);
    const outcome = await actions.previewModelSource({
      source: source.trim(),
      ...(revision.trim() ? { revision: revision.trim() } : {}),
    });
    setBusy(false);
    if (!outcome.ok) {
      setError(outcome.error);
      return;
    }
    setId(outcome.result.suggestedId);
    setStep({ kind: 'files', preview: outcome.result });
  };

  const add = async (preview: SourcePreview) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const inc = parsePatterns(include);
    const exc = parsePatterns(exclude);
    const outcome = await actions.addModel({
      // The pinned source: the model means the bytes that were just listed.
      source: preview.source,
      // ...and the branch it was resolved from, so an export names it (refs/main) for offline loads.
      ...(preview.revisionName ? { revisionName: preview.revisionName } : {}),
      ...(id.trim() ? { id: id.trim() } : {}),
      ...(inc.length ? { include: inc } : {}),
      ...(exc.length ? { exclude: exc } : {}),
      ...(variant.trim() ? { variants: [{ name: variant.trim(), patterns: ['*'] }] } : {}),
      ...(description.trim() ? { description: description.trim() } : {}),
    });
    setBusy(false);
    if (!outcome.ok) setError(outcome.error);
    else setStep({ kind: 'added', result: outcome.result });
  };

  if (step.kind === 'added') {
    const { result } = step;
    const firstVariant = result.variants[0] ?? 'default';
    return (
      <Dialog
        key="added"
        title="Model added"
        onClose={close}
        wide
        testId="add-model-dialog"
        footer={
          <>
            <button type="button" className="button button--ghost" onClick={close}>
              Close
            </button>
            <button
              type="button"
              className="button button--primary"
              data-autofocus
              data-testid="add-model-download"
              onClick={() => {
                close();
                void actions.startDownload(result.id, firstVariant);
              }}
            >
              <Icon name="download" /> Download now
            </button>
          </>
        }
      >
        <div className="add-model-result" role="status" data-testid="add-model-result">
          <p>
            <Icon name="check" /> <strong>{result.id}</strong> is in <strong>Added models</strong>: {result.files} file
            {result.files === 1 ? '' : 's'}, {formatBytes(result.totalBytes)}
            {result.variants.length > 1 ? ` in ${result.variants.length} variants (${result.variants.join(', ')})` : ''}.
          </p>
          <p className="muted small">
            Source <code>{result.source}</code>
            {result.revision ? ' (pinned to this commit: the model always means these bytes)' : ''}. Saved in <code>{result.manifest}</code>
            .
          </p>
          <p>Nothing is downloaded yet. Download it now, or later from its card.</p>
        </div>
      </Dialog>
    );
  }

  if (step.kind === 'files') {
    return (
      <FilesStep
        preview={step.preview}
        filter={{ include, exclude, setInclude, setExclude }}
        fields={{ id, setId, variant, setVariant, description, setDescription }}
        busy={busy}
        error={error}
        onBack={() => {
          setError(null);
          setStep({ kind: 'source' });
        }}
        onAdd={() => void add(step.preview)}
        onClose={close}
      />
    );
  }

  return (
    <Dialog key="source" title="Add model" onClose={close} wide testId="add-model-dialog">
      <form className="add-model-form" onSubmit={(e) => void lookUp(e)} aria-busy={busy}>
        <p className="muted">
          From Hugging Face (<code>org/name</code> or the model page's address), an S3 bucket (<code>s3://bucket/prefix</code>) or a folder{' '}
          {desktop ? 'on this computer' : 'on the machine running this server'}. Only the list of files is read now.
        </p>
        <FolderField
          label="Source"
          value={source}
          onChange={setSource}
          placeholder="stabilityai/sdxl-turbo, https://huggingface.co/…, s3://bucket/prefix or /path/to/folder"
          pickerTitle="Add a model from a folder"
          testId="add-model-source"
          autoFocus
        />
        <label>
          <span>Revision</span>
          <input
            value={revision}
            onChange={(e) => setRevision(e.target.value)}
            placeholder="main"
            spellCheck={false}
            autoComplete="off"
            data-testid="add-model-revision"
          />
          <small className="muted">Hugging Face only: a branch, tag or commit. The model is pinned to the commit it resolves to.</small>
        </label>
        {busy ? (
          <p className="muted" data-testid="add-model-busy">
            <span className="spinner" aria-hidden="true" /> Reading the list of files… Folders and buckets without checksums are hashed
            first, which can take a while for large models.
          </p>
        ) : null}
        {error ? <ErrorNotice error={error} testId="add-model-error" /> : null}
        <div className="dialog__footer dialog__footer--inline">
          <button type="button" className="button button--ghost" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy || !source.trim()} data-testid="add-model-lookup">
            <Icon name="search" /> {busy ? 'Looking up…' : 'Look up'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function FilesStep({
  preview,
  filter,
  fields,
  busy,
  error,
  onBack,
  onAdd,
  onClose,
}: {
  preview: SourcePreview;
  filter: { include: string; exclude: string; setInclude(v: string): void; setExclude(v: string): void };
  fields: {
    id: string;
    setId(v: string): void;
    variant: string;
    setVariant(v: string): void;
    description: string;
    setDescription(v: string): void;
  };
  busy: boolean;
  error: StructuredError | null;
  onBack(): void;
  onAdd(): void;
  onClose(): void;
}) {
  const patterns = { include: parsePatterns(filter.include), exclude: parsePatterns(filter.exclude) };
  const preset = presetMatching(patterns);
  const rows = useMemo(() => {
    const filterOf = { include: parsePatterns(filter.include), exclude: parsePatterns(filter.exclude) };
    return preview.files.map((f) => ({ ...f, kept: keepsFile(f.path, filterOf) }));
  }, [preview.files, filter.include, filter.exclude]);
  const kept = rows.filter((r) => r.kept);
  const invalid = invalidPatterns([...patterns.include, ...patterns.exclude]);
  const keptBytes = kept.reduce((sum, r) => sum + r.size, 0);
  const choosePreset = (p: FilterPreset) => {
    filter.setInclude(p.include.join(', '));
    filter.setExclude(p.exclude.join(', '));
  };

  return (
    <Dialog
      title="Add model: choose files"
      onClose={onClose}
      wide
      testId="add-model-dialog"
      footer={
        <>
          <button type="button" className="button button--ghost" onClick={onBack} data-testid="add-model-back">
            Back
          </button>
          <button
            type="button"
            className="button button--primary"
            onClick={onAdd}
            disabled={busy || kept.length === 0 || invalid.length > 0 || !fields.id.trim()}
            data-testid="add-model-add"
          >
            {busy ? 'Adding…' : `Add ${kept.length} file${kept.length === 1 ? '' : 's'} (${formatBytes(keptBytes)})`}
          </button>
        </>
      }
    >
      <p className="muted small" data-testid="add-model-pinned">
        <code>{preview.source}</code>
        {preview.revision ? ` · commit ${preview.revision.slice(0, 7)}` : ''}
      </p>
      <fieldset className="preset-picker">
        <legend>Files to keep</legend>
        {FILTER_PRESETS.map((p) => (
          <label key={p.key} className={`preset-picker__option${preset === p.key ? ' preset-picker__option--on' : ''}`}>
            <input
              type="radio"
              name="file-preset"
              checked={preset === p.key}
              onChange={() => choosePreset(p)}
              data-testid={`preset-${p.key}`}
              {...(preset === p.key ? { 'data-autofocus': true } : {})}
            />
            {p.label}
          </label>
        ))}
        {preset === null ? <span className="muted small">Your own patterns</span> : null}
      </fieldset>
      <div className="form-grid">
        <label>
          <span>Only files matching</span>
          <input
            value={filter.include}
            onChange={(e) => filter.setInclude(e.target.value)}
            placeholder="everything"
            spellCheck={false}
            data-testid="add-model-include"
          />
          <small className="muted">Patterns, separated by commas: *.safetensors, unet/*</small>
        </label>
        <label>
          <span>Leave out files matching</span>
          <input
            value={filter.exclude}
            onChange={(e) => filter.setExclude(e.target.value)}
            placeholder="nothing"
            spellCheck={false}
            data-testid="add-model-exclude"
          />
          <small className="muted">Applied after “Only files matching”.</small>
        </label>
      </div>
      <div className="source-files" role="region" aria-label="Files in the source" tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col" className="num">
                Size
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.path}
                className={r.kept ? undefined : 'source-files__left-out'}
                data-testid="source-file"
                data-path={r.path}
                data-kept={String(r.kept)}
              >
                <td>
                  <code>{r.path}</code>
                  {r.kept ? null : <span className="visually-hidden"> (left out)</span>}
                </td>
                <td className="num">{formatBytes(r.size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="source-files__total" data-testid="add-model-total">
        <strong>
          {kept.length} of {preview.files.length} files
        </strong>{' '}
        · <strong>{formatBytes(keptBytes)}</strong> of {formatBytes(preview.totalBytes)}
      </p>
      <div className="form-grid">
        <label>
          <span>Model id</span>
          <input value={fields.id} onChange={(e) => fields.setId(e.target.value)} spellCheck={false} data-testid="add-model-id" />
          <small className="muted">How the model is named here and in modelctl.</small>
        </label>
        <label>
          <span>Variant name</span>
          <input
            value={fields.variant}
            onChange={(e) => fields.setVariant(e.target.value)}
            placeholder="default"
            spellCheck={false}
            data-testid="add-model-variant"
          />
          <small className="muted">E.g. fp16. Empty: one variant named “default”.</small>
        </label>
      </div>
      <label className="add-model-form__description">
        <span>Description (optional)</span>
        <input value={fields.description} onChange={(e) => fields.setDescription(e.target.value)} data-testid="add-model-description" />
      </label>
      {invalid.length ? (
        <p className="inline-warning" role="alert">
          {invalid.map((p) => `“${p}”`).join(', ')}: a “[” needs its “]”. Fix the pattern to go on.
        </p>
      ) : null}
      {kept.length === 0 ? <p className="inline-warning">No file matches these patterns: change them to keep at least one file.</p> : null}
      {error ? <ErrorNotice error={error} testId="add-model-error" /> : null}
    </Dialog>
  );
}
