/**
 * "Find models on this computer…": scans folders the user already has (the Hugging Face cache,
 * ComfyUI, LM Studio, Ollama, Downloads), hashes the files whose size matches a known model
 * file, and links the matching ones into the store. Nothing is downloaded and the scanned
 * folders are never changed. Progress comes from the host's `adoptProgress` events.
 */
import { useEffect, useRef, useState } from 'react';
import type { StructuredError } from '../../shared/errors';
import type { AdoptProgress, AdoptResult } from '../../shared/results';
import { useActions, useAppStore } from '../store/app-context';
import { formatBytes } from '../format';
import { Dialog } from './Dialog';
import { ErrorNotice } from './ErrorNotice';
import { FolderField } from './FolderField';
import { Icon } from './Icon';
import { ProgressBar } from './ProgressBar';

interface FolderChoice {
  path: string;
  label: string | null;
  exists: boolean;
  checked: boolean;
}

type Step = 'choose' | 'scanning' | 'done';

/** "Adopted 3 files, 4.2 GB; these models are now complete: a, b." */
export function adoptSummary(result: AdoptResult): string {
  const complete = result.models
    .filter((m) => m.status === 'COMPLETE')
    .map((m) => (m.variant === 'default' ? m.id : `${m.id} (${m.variant})`));
  const head = `Adopted ${result.adoptedFiles} file${result.adoptedFiles === 1 ? '' : 's'}, ${formatBytes(result.adoptedBytes)}`;
  return complete.length ? `${head}; these models are now complete: ${complete.join(', ')}.` : `${head}; no model became complete.`;
}

const PHASE: Record<AdoptProgress['phase'], string> = {
  scanning: 'Looking at file sizes…',
  hashing: 'Checking the sha256 of files that could belong to a model…',
  linking: 'Linking matching files into the store…',
  done: 'Finishing…',
};

export function AdoptDialog() {
  const actions = useActions();
  const openDialog = useAppStore((s) => s.openDialog);
  const pushToast = useAppStore((s) => s.pushToast);
  const progress = useAppStore((s) => s.adoptProgress);
  const [folders, setFolders] = useState<FolderChoice[] | null>(null);
  const [newFolder, setNewFolder] = useState('');
  const [step, setStep] = useState<Step>('choose');
  const [result, setResult] = useState<AdoptResult | null>(null);
  const [error, setError] = useState<StructuredError | null>(null);
  const open = useRef(true);
  const close = () => openDialog(null);

  useEffect(() => {
    open.current = true;
    void actions.suggestAdoptFolders().then((outcome) => {
      if (!open.current) return;
      if (outcome.ok) setFolders(outcome.result.map((f) => ({ path: f.path, label: f.label, exists: f.exists, checked: f.exists })));
      else {
        setFolders([]);
        setError(outcome.error);
      }
    });
    return () => {
      open.current = false;
    };
  }, [actions]);

  const addFolder = (typed: string) => {
    const path = typed.trim();
    if (!path) return;
    setFolders((list) =>
      (list ?? []).some((f) => f.path === path)
        ? (list ?? []).map((f) => (f.path === path ? { ...f, checked: true } : f))
        : [...(list ?? []), { path, label: null, exists: true, checked: true }],
    );
    setNewFolder('');
  };

  const chosen = (folders ?? []).filter((f) => f.checked).map((f) => f.path);

  const scan = async () => {
    if (chosen.length === 0) return;
    setError(null);
    setStep('scanning');
    const outcome = await actions.adoptFolders(chosen);
    if (!open.current) {
      // The dialog was closed while scanning: the answer still matters.
      pushToast(
        outcome.ok
          ? { tone: 'success', title: 'Find models on this computer', body: adoptSummary(outcome.result) }
          : { tone: 'error', title: 'Could not scan the folders', body: `${outcome.error.code}: ${outcome.error.message}` },
      );
      return;
    }
    if (outcome.ok) {
      setResult(outcome.result);
      setStep('done');
    } else {
      setError(outcome.error);
      setStep('choose');
    }
  };

  if (step === 'done' && result) {
    return (
      <Dialog
        key="done"
        title="Find models on this computer"
        onClose={close}
        wide
        testId="adopt-dialog"
        footer={
          <button type="button" className="button button--primary" onClick={close} data-autofocus>
            Done
          </button>
        }
      >
        <div className="adopt-result" role="status" data-testid="adopt-result">
          <p className="adopt-result__headline">
            <Icon name="check" size={20} /> <span data-testid="adopt-summary">{adoptSummary(result)}</span>
          </p>
          <p className="muted">
            Nothing was downloaded, and the files in your folders were not changed. Looked at {result.scannedFiles} file
            {result.scannedFiles === 1 ? '' : 's'} and checked {formatBytes(result.hashedBytes)}
            {result.adoptedFiles
              ? `; ${result.linked} linked${result.copied ? `, ${result.copied} copied (another drive, so they take space twice)` : ''}`
              : ''}
            .
          </p>
          {result.models.length ? (
            <ul className="adopt-models" data-testid="adopt-models">
              {result.models.map((m) => (
                <li key={`${m.id}/${m.variant}`} data-testid="adopt-model" data-model-id={m.id} data-status={m.status}>
                  <strong>{m.id}</strong> <span className="chip">{m.variant}</span>{' '}
                  <span className={m.status === 'COMPLETE' ? 'adopt-models__complete' : 'muted'}>
                    {m.status === 'COMPLETE' ? 'complete' : m.status === 'PARTIAL' ? 'some files found' : m.status.toLowerCase()}
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      </Dialog>
    );
  }

  if (step === 'scanning') {
    const hashing = progress && progress.bytesToHash > 0;
    return (
      <Dialog key="scanning" title="Find models on this computer" onClose={close} wide testId="adopt-dialog">
        <div className="adopt-progress" aria-busy="true" data-testid="adopt-progress">
          <p>{progress ? PHASE[progress.phase] : 'Starting…'}</p>
          <ProgressBar
            value={progress?.hashedBytes ?? 0}
            max={hashing ? progress.bytesToHash : 1}
            label="Bytes checked"
            indeterminate={!hashing}
          />
          <p className="progress-stats">
            <span data-testid="adopt-scanned">{progress?.scannedFiles ?? 0} files looked at</span>
            {hashing ? (
              <span data-testid="adopt-hashed">
                {formatBytes(progress.hashedBytes)} of {formatBytes(progress.bytesToHash)} checked
              </span>
            ) : null}
          </p>
          {progress?.currentFile ? (
            <p className="muted small adopt-progress__file" data-testid="adopt-current-file">
              <code>{progress.currentFile}</code>
            </p>
          ) : null}
          <p className="muted small">You can close this window: the scan goes on, and a message tells you what it found.</p>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      key="choose"
      title="Find models on this computer"
      onClose={close}
      wide
      testId="adopt-dialog"
      footer={
        <>
          <button type="button" className="button button--ghost" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            className="button button--primary"
            onClick={() => void scan()}
            disabled={chosen.length === 0}
            data-testid="adopt-scan"
          >
            <Icon name="search" /> Scan {chosen.length} folder{chosen.length === 1 ? '' : 's'}
          </button>
        </>
      }
    >
      <p className="muted">
        Model files you already have (downloaded by other apps) are checked byte for byte against the models listed here. Matching files are
        linked into the store, so nothing is downloaded twice; your folders are never changed.
      </p>
      {folders === null ? (
        <div className="skeleton skeleton--short" aria-busy="true" aria-label="Looking for the usual folders" />
      ) : (
        <ul className="adopt-folders" data-testid="adopt-folders">
          {folders.map((f, i) => (
            <li key={f.path} data-testid="adopt-folder" data-path={f.path} data-exists={String(f.exists)}>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={f.checked}
                  disabled={!f.exists}
                  onChange={(e) => setFolders((list) => (list ?? []).map((x, j) => (j === i ? { ...x, checked: e.target.checked } : x)))}
                />
                <span className="adopt-folders__text">
                  {f.label || !f.exists ? (
                    <span>
                      {f.label ? <strong>{f.label}</strong> : null}
                      {f.exists ? null : <span className="muted small"> · not on this computer</span>}
                    </span>
                  ) : null}
                  <code>{f.path}</code>
                </span>
              </label>
              {f.label === null ? (
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Remove ${f.path} from the list`}
                  title="Remove from the list"
                  onClick={() => setFolders((list) => (list ?? []).filter((_, j) => j !== i))}
                >
                  <Icon name="close" />
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <form
        className="adopt-add-folder"
        onSubmit={(e) => {
          e.preventDefault();
          addFolder(newFolder);
        }}
      >
        <FolderField
          label="Another folder"
          value={newFolder}
          onChange={setNewFolder}
          placeholder="/path/to/models"
          pickerTitle="A folder with model files"
          testId="adopt-new-folder"
          onPick={addFolder}
        />
        <button type="submit" className="button" disabled={!newFolder.trim()} data-testid="adopt-add-folder">
          Add to the list
        </button>
      </form>
      {error ? <ErrorNotice error={error} testId="adopt-error" /> : null}
    </Dialog>
  );
}
