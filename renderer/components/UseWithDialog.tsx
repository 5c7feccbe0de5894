/**
 * "Use with…": hands a complete model to the programs that run it, without copying where a
 * hard link can be made: a Hugging Face cache (transformers, diffusers, huggingface_hub load it
 * offline) or a plain folder (ComfyUI's models/checkpoints and the like). Lists where the model
 * is already linked; those places count as uses, so clean-up keeps the model.
 */
import { useEffect, useState } from 'react';
import type { StructuredError } from '../../shared/errors';
import type { ExportResult, ModelLink } from '../../shared/results';
import { useActions, useAppStore } from '../store/app-context';
import { formatRelativeTime } from '../format';
import { Dialog } from './Dialog';
import { ErrorNotice } from './ErrorNotice';
import { FolderField } from './FolderField';
import { Icon } from './Icon';

/** The Hub repo and commit of a model added from Hugging Face (the HF cache needs both). */
export function pinnedHubSource(sources: readonly string[]): { repo: string; commit: string } | null {
  for (const s of sources) {
    const m = /^hf:\/\/([^@/\s]+\/[^@/\s]+)@([0-9a-f]{40})$/.exec(s);
    if (m) return { repo: m[1] as string, commit: m[2] as string };
  }
  return null;
}

const EMPTY: ModelLink[] = [];

export function UseWithDialog({ id, variant }: { id: string; variant: string }) {
  const actions = useActions();
  const openDialog = useAppStore((s) => s.openDialog);
  const model = useAppStore((s) => s.models.find((m) => m.id === id));
  const links = useAppStore((s) => s.modelLinks[id] ?? EMPTY);
  const hub = pinnedHubSource(model?.sources ?? []);
  const [target, setTarget] = useState<'hf-cache' | 'folder'>(hub ? 'hf-cache' : 'folder');
  const [hfCache, setHfCache] = useState('');
  const [defaultHfCache, setDefaultHfCache] = useState<string | null>(null);
  const [folder, setFolder] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<StructuredError | null>(null);
  const [result, setResult] = useState<ExportResult | null>(null);
  const close = () => openDialog(null);

  useEffect(() => {
    let live = true;
    void actions.refreshModelLinks(id);
    // The host's suggestions name the Hugging Face cache it would use (HF_HUB_CACHE or ~/.cache/huggingface/hub).
    void actions.suggestAdoptFolders().then((outcome) => {
      if (!live || !outcome.ok) return;
      setDefaultHfCache(outcome.result.find((f) => /hugging ?face/i.test(f.label))?.path ?? null);
    });
    return () => {
      live = false;
    };
  }, [actions, id]);

  const dir = target === 'folder' ? folder.trim() : hfCache.trim();
  // Python needs HF_HUB_CACHE only for a cache other than its default one.
  const customCache = target === 'hf-cache' && dir && dir !== defaultHfCache ? dir : null;
  const canExport = !busy && (target === 'hf-cache' ? Boolean(hub) : Boolean(dir));

  const run = async () => {
    if (!canExport) return;
    setBusy(true);
    setError(null);
    const outcome = await actions.exportModel({ id, variant, target, ...(dir ? { dir } : {}) });
    setBusy(false);
    if (outcome.ok) setResult(outcome.result);
    else setError(outcome.error);
  };

  const variantLinks = links.filter((l) => l.variant === variant);

  return (
    <Dialog
      // A new step gets its own dialog instance, so focus moves to what the step offers (Done).
      key={result ? 'done' : 'choose'}
      title={`Use ${id} with other apps`}
      onClose={close}
      wide
      testId="use-with-dialog"
      footer={
        result ? (
          <button type="button" className="button button--primary" onClick={close} data-autofocus>
            Done
          </button>
        ) : (
          <>
            <button type="button" className="button button--ghost" onClick={close}>
              Cancel
            </button>
            <button
              type="button"
              className="button button--primary"
              onClick={() => void run()}
              disabled={!canExport}
              data-testid="use-with-export"
            >
              {busy ? 'Linking…' : target === 'hf-cache' ? 'Add to the Hugging Face cache' : 'Link into the folder'}
            </button>
          </>
        )
      }
    >
      {result ? (
        <div className="export-result" role="status" data-testid="use-with-result">
          <p>
            <Icon name="check" /> {result.files} file{result.files === 1 ? '' : 's'} of <strong>{result.id}</strong> ({result.variant}) in{' '}
            <code data-testid="use-with-result-dir">{result.dir}</code>
          </p>
          <p className="muted">
            {result.linked} hard-linked (no extra space)
            {result.copied ? `, ${result.copied} on another drive, so not hard-linked` : ''}. Running it again changes nothing.
          </p>
          {target === 'hf-cache' && hub ? (
            <p className="muted small" data-testid="use-with-python-hint">
              Python finds it offline: with <code>HF_HUB_OFFLINE=1</code>
              {customCache ? (
                <>
                  {' '}
                  and <code>HF_HUB_CACHE={customCache}</code>
                </>
              ) : null}
              , load <code>{hub.repo}</code> at revision <code>{hub.commit}</code>.
            </p>
          ) : null}
        </div>
      ) : (
        <>
          <fieldset className="target-picker">
            <legend>Where</legend>
            <label className={`target-picker__option${target === 'hf-cache' ? ' target-picker__option--on' : ''}`}>
              <input
                type="radio"
                name="use-with-target"
                checked={target === 'hf-cache'}
                disabled={!hub}
                onChange={() => setTarget('hf-cache')}
                data-testid="use-with-hf-cache"
                data-autofocus={hub ? true : undefined}
              />
              <span>
                <strong>Hugging Face cache</strong>
                <small className="muted">
                  {hub
                    ? 'transformers, diffusers and huggingface_hub find it there, even offline.'
                    : 'Only for models added from Hugging Face (their files and commit are known).'}
                </small>
              </span>
            </label>
            <label className={`target-picker__option${target === 'folder' ? ' target-picker__option--on' : ''}`}>
              <input
                type="radio"
                name="use-with-target"
                checked={target === 'folder'}
                onChange={() => setTarget('folder')}
                data-testid="use-with-folder"
                data-autofocus={hub ? undefined : true}
              />
              <span>
                <strong>A folder</strong>
                <small className="muted">For apps that read a plain folder, e.g. ComfyUI&apos;s models/checkpoints.</small>
              </span>
            </label>
          </fieldset>
          {target === 'hf-cache' ? (
            <FolderField
              label="Hugging Face cache folder"
              value={hfCache}
              onChange={setHfCache}
              placeholder={defaultHfCache ?? 'the default cache (HF_HUB_CACHE or ~/.cache/huggingface/hub)'}
              pickerTitle="A Hugging Face cache folder"
              testId="use-with-hf-cache-dir"
            />
          ) : (
            <FolderField
              label="Folder"
              value={folder}
              onChange={setFolder}
              placeholder="/path/to/ComfyUI/models/checkpoints"
              pickerTitle="The folder to link the model into"
              testId="use-with-folder-dir"
            />
          )}
          {target === 'hf-cache' ? (
            <p className="muted small" data-testid="use-with-default-dir">
              Empty: the default cache
              {defaultHfCache ? (
                <>
                  {' '}
                  at <code>{defaultHfCache}</code>
                </>
              ) : (
                ''
              )}
              .
            </p>
          ) : null}
          {error ? <ErrorNotice error={error} testId="use-with-error" /> : null}
        </>
      )}
      <section className="model-links" aria-label="Where this model is linked">
        <h3>Linked in</h3>
        {variantLinks.length === 0 ? (
          <p className="muted" data-testid="model-links-empty">
            Nowhere yet.
          </p>
        ) : (
          <ul data-testid="model-links">
            {variantLinks.map((l) => (
              <li key={`${l.kind}:${l.dir}`} data-testid="model-link" data-kind={l.kind}>
                <span className="chip">{l.kind === 'hf-cache' ? 'Hugging Face cache' : 'Folder'}</span> <code>{l.dir}</code>{' '}
                <span className="muted small">{formatRelativeTime(l.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </Dialog>
  );
}
