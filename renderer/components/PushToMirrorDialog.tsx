/** Push to mirror…: uploads a complete model's verified files to a team mirror on S3, with progress. */
import { useState } from 'react';
import type { MirrorPushResult } from '../../shared/results';
import { useActions, useAppStore } from '../store/app-context';
import { statusKey } from '../store/app-store';
import { formatBytes } from '../format';
import { Dialog } from './Dialog';
import { ProgressBar } from './ProgressBar';

export function PushToMirrorDialog({ id, variant }: { id: string; variant: string }) {
  const actions = useActions();
  const openDialog = useAppStore((s) => s.openDialog);
  const firstS3 = useAppStore((s) => (s.settings?.mirrors ?? []).find((m) => m.startsWith('s3://')) ?? '');
  const progress = useAppStore((s) => s.mirrorPushes[statusKey(id, variant)]);
  const [to, setTo] = useState(firstS3);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<MirrorPushResult | null>(null);
  const close = () => openDialog(null);
  const push = async () => {
    setRunning(true);
    setResult(await actions.pushToMirror(id, variant, to.trim()));
    setRunning(false);
  };
  const live = running && progress && !progress.done ? progress : null;
  return (
    <Dialog
      title={`Push ${id} to a mirror`}
      onClose={close}
      testId="push-dialog"
      footer={
        <>
          <button type="button" className="button button--ghost" onClick={close}>
            {result ? 'Close' : 'Cancel'}
          </button>
          <button
            type="button"
            className="button button--primary"
            disabled={running || !/^s3:\/\/[^/\s]+/.test(to.trim())}
            onClick={() => void push()}
            data-testid="push-confirm"
          >
            {running ? 'Pushing…' : 'Push'}
          </button>
        </>
      }
    >
      <p>
        The verified <strong>{variant}</strong> files of <strong>{id}</strong> go to the mirror by sha256, with its manifest entry; files
        the mirror already has are skipped.
      </p>
      <label>
        <span>Mirror</span>
        <input
          value={to}
          onChange={(e) => setTo(e.target.value)}
          placeholder="s3://team-models/v1"
          spellCheck={false}
          data-autofocus
          data-testid="push-target"
        />
      </label>
      {live ? (
        <div data-testid="push-progress">
          <ProgressBar value={live.bytesDone} max={live.bytesTotal} label={`Pushing ${id}`} />
          <span>
            {formatBytes(live.bytesDone)} of {formatBytes(live.bytesTotal)}
          </span>
        </div>
      ) : null}
      {result ? (
        <p className="inline-success" role="status" data-testid="push-result">
          {result.pushed.length > 0
            ? `Pushed: ${formatBytes(result.bytesUploaded)} uploaded to ${result.mirror}.`
            : result.skipped.some((s) => s.reason === 'not-complete')
              ? 'Nothing pushed: the model is not complete here.'
              : `Nothing to upload: ${result.mirror} already has every file.`}
        </p>
      ) : null}
    </Dialog>
  );
}
