/**
 * One model: name, description, variant picker, size, status badge, pin and last use; while a
 * job runs, its progress with bytes, speed and ETA; the actions that fit the current state;
 * and, opened, every file with its own progress and the last verification result.
 */
import type { ModelListItem } from '../../shared/api';
import { statusKey } from '../store/app-store';
import { useActions, useAppStore } from '../store/app-context';
import { displayStatus, isLiveJob, jobFor, variantOf } from '../store/selectors';
import { formatBytes, formatEta, formatRelativeTime, formatSpeed } from '../format';
import { FileList } from './FileList';
import { Icon } from './Icon';
import { ProgressBar } from './ProgressBar';
import { StatusBadge } from './StatusBadge';

export function ModelCard({ model }: { model: ModelListItem }) {
  const actions = useActions();
  const variant = useAppStore((s) => variantOf(s, model));
  const key = statusKey(model.id, variant);
  const status = useAppStore((s) => s.statuses[key]);
  const job = useAppStore((s) => jobFor(s, model.id, variant));
  const pending = useAppStore((s) => s.pending[key]);
  const expanded = useAppStore((s) => Boolean(s.expanded[model.id]));
  const canOpenFolder = useAppStore((s) => Boolean(s.appInfo?.canOpenFolder));
  const chooseVariant = useAppStore((s) => s.chooseVariant);
  const toggleExpanded = useAppStore((s) => s.toggleExpanded);
  const openDialog = useAppStore((s) => s.openDialog);

  const shown = displayStatus(status, job, pending === 'verify');
  const live = isLiveJob(job) ? job : undefined;
  const size = model.variantBytes[variant] ?? model.totalBytes;
  const fileCount = model.files.filter((f) => !f.variants || f.variants.includes(variant)).length;
  const present = status?.status === 'COMPLETE' || status?.status === 'CORRUPT' || status?.status === 'PARTIAL';
  const complete = status?.status === 'COMPLETE';
  const pinned = Boolean(status?.pinned);
  const filesId = `files-${model.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

  return (
    <article className={`model-card model-card--${shown.kind}`} data-testid="model-card" data-model-id={model.id} aria-label={model.id}>
      <div className="model-card__main">
        <div className="model-card__title">
          <h3 className="model-card__name">{model.id}</h3>
          <span className="chip" title={`Version ${model.version}`}>
            v{/^[0-9a-f]{40}$/.test(model.version) ? model.version.slice(0, 7) : model.version}
          </span>
          {pinned ? (
            <span className="chip chip--pin" data-testid="pinned-chip" title="Pinned: clean-up never removes it">
              <Icon name="pin" size={13} /> Pinned
            </span>
          ) : null}
          <StatusBadge status={shown} />
        </div>
        {model.description ? <p className="model-card__description">{model.description}</p> : null}
        <div className="model-card__meta">
          <label className="variant-picker">
            <span className="visually-hidden">Variant of {model.id}</span>
            {model.variants.length > 1 ? (
              <select
                value={variant}
                onChange={(e) => chooseVariant(model.id, e.target.value)}
                data-testid="variant-picker"
                aria-label={`Variant of ${model.id}`}
              >
                {model.variants.map((v) => (
                  <option key={v} value={v}>
                    {v} · {formatBytes(model.variantBytes[v] ?? 0)}
                  </option>
                ))}
              </select>
            ) : (
              <span className="variant-picker__single">{variant}</span>
            )}
          </label>
          <span data-testid="model-size">{formatBytes(size)}</span>
          <span>
            {fileCount} file{fileCount === 1 ? '' : 's'}
          </span>
          <span title={status?.lastUsed ? new Date(status.lastUsed).toLocaleString() : undefined}>
            Last used {formatRelativeTime(status?.lastUsed)}
          </span>
          {model.manifest ? <span className="muted">from {model.manifest}</span> : null}
          {complete && status?.fileSources?.length ? (
            <span className="muted" data-testid="model-source" title={status.fileSources.map((f) => `${f.path}: ${f.source}`).join('\n')}>
              {sourceSummary(status.fileSources)}
            </span>
          ) : null}
        </div>

        {live ? (
          <div className="model-card__progress" data-testid="model-progress">
            <ProgressBar
              value={live.bytesDone}
              max={live.bytesTotal}
              label={`${model.id} download progress`}
              tone={live.state === 'paused' ? 'paused' : 'accent'}
              indeterminate={live.state === 'verifying'}
            />
            <div className="progress-stats">
              <span data-testid="progress-bytes">
                {formatBytes(live.bytesDone)} of {formatBytes(live.bytesTotal)}
              </span>
              {live.state === 'running' ? (
                <>
                  <span data-testid="progress-speed">{formatSpeed(live.speed)}</span>
                  <span data-testid="progress-eta">{live.etaSeconds === null ? 'estimating…' : `${formatEta(live.etaSeconds)} left`}</span>
                </>
              ) : (
                <span>
                  {live.state === 'paused'
                    ? 'Paused — partial data is kept'
                    : live.state === 'queued'
                      ? 'Waiting for a free download slot'
                      : 'Checking sha256…'}
                </span>
              )}
            </div>
          </div>
        ) : job?.state === 'failed' && job.error ? (
          <p className="inline-error" role="alert" data-testid="job-error">
            <Icon name="alert" size={16} /> <strong>{job.error.code}</strong> {job.error.message}
          </p>
        ) : status?.status === 'PARTIAL' ? (
          <div className="model-card__progress">
            <ProgressBar
              value={status.bytesPresent}
              max={status.bytesPresent + status.bytesNeeded}
              label={`${model.id} bytes present`}
              tone="paused"
            />
            <div className="progress-stats">
              <span>
                {formatBytes(status.bytesPresent)} of {formatBytes(status.bytesPresent + status.bytesNeeded)} on disk — resume to finish
              </span>
            </div>
          </div>
        ) : null}
      </div>

      <div className="model-card__actions" role="group" aria-label={`Actions for ${model.id}`}>
        {live && (live.state === 'running' || live.state === 'queued' || live.state === 'verifying') ? (
          <button type="button" className="button" onClick={() => void actions.pauseJob(live.jobId)} data-testid="pause-button">
            <Icon name="pause" /> Pause
          </button>
        ) : null}
        {live?.state === 'paused' ? (
          <button
            type="button"
            className="button button--primary"
            onClick={() => void actions.resumeJob(live.jobId)}
            data-testid="resume-button"
          >
            <Icon name="play" /> Resume
          </button>
        ) : null}
        {live ? (
          <button
            type="button"
            className="button button--ghost"
            onClick={() => void actions.cancelJob(live.jobId)}
            data-testid="cancel-button"
          >
            <Icon name="stop" /> Cancel
          </button>
        ) : null}
        {!live && !complete ? (
          <button
            type="button"
            className="button button--primary"
            disabled={pending === 'start'}
            onClick={() => void actions.startDownload(model.id, variant)}
            data-testid="download-button"
          >
            <Icon name="download" />{' '}
            {status?.status === 'PARTIAL'
              ? 'Resume'
              : status?.status === 'CORRUPT'
                ? 'Repair'
                : job?.state === 'failed'
                  ? 'Retry'
                  : 'Download'}
          </button>
        ) : null}
        {present && !live ? (
          <button
            type="button"
            className="button"
            disabled={pending === 'verify'}
            onClick={() => void actions.verify(model.id, variant)}
            data-testid="verify-button"
          >
            <Icon name="shield" /> {pending === 'verify' ? 'Verifying…' : 'Verify'}
          </button>
        ) : null}
        {complete ? (
          <button
            type="button"
            className="button button--ghost"
            aria-pressed={pinned}
            disabled={pending === 'pin'}
            onClick={() => void actions.setPinned(model.id, variant, !pinned)}
            data-testid="pin-button"
            title={pinned ? 'Let clean-up remove it again' : 'Keep it: clean-up will never remove a pinned model'}
          >
            <Icon name="pin" /> {pinned ? 'Unpin' : 'Pin'}
          </button>
        ) : null}
        {complete ? (
          <button
            type="button"
            className="button"
            onClick={() => openDialog({ kind: 'use-with', id: model.id, variant })}
            data-testid="use-with-button"
            title="Link it into the Hugging Face cache or an app's folder"
          >
            <Icon name="share" /> Use with…
          </button>
        ) : null}
        {complete && !live ? (
          <button
            type="button"
            className="button button--ghost"
            onClick={() => openDialog({ kind: 'push', id: model.id, variant })}
            data-testid="push-button"
            title="Upload the verified files to a team mirror on S3"
          >
            Push to mirror…
          </button>
        ) : null}
        {status?.localPath && complete ? (
          <button
            type="button"
            className="icon-button"
            onClick={() => void actions.copyPath(model.id, variant)}
            aria-label={`Copy the path of ${model.id}`}
            title="Copy path"
            data-testid="copy-path-button"
          >
            <Icon name="copy" />
          </button>
        ) : null}
        {canOpenFolder && complete ? (
          <button
            type="button"
            className="icon-button"
            onClick={() => void actions.openFolder(model.id, variant)}
            aria-label={`Open the folder of ${model.id}`}
            title="Open folder"
          >
            <Icon name="folder" />
          </button>
        ) : null}
        {present && !live ? (
          <button
            type="button"
            className="icon-button icon-button--danger"
            onClick={() => openDialog({ kind: 'remove', id: model.id, variant })}
            aria-label={`Remove ${model.id} (${variant}) from disk`}
            title="Remove from disk"
            data-testid="remove-button"
          >
            <Icon name="trash" />
          </button>
        ) : null}
        <button
          type="button"
          className="icon-button"
          aria-expanded={expanded}
          aria-controls={filesId}
          onClick={() => toggleExpanded(model.id)}
          aria-label={expanded ? `Hide the files of ${model.id}` : `Show the files of ${model.id}`}
          title="Files"
          data-testid="files-toggle"
        >
          <Icon name="chevron" className={expanded ? 'rotate-180' : undefined} />
        </button>
      </div>

      {expanded ? <FileList id={filesId} model={model} variant={variant} /> : null}
    </article>
  );
}

/** Where the files came from: "via s3://team/v1/blobs/sha256", or the sources with their file counts. */
function sourceSummary(fileSources: Array<{ path: string; source: string }>): string {
  const counts = new Map<string, number>();
  for (const f of fileSources) counts.set(f.source, (counts.get(f.source) ?? 0) + 1);
  if (counts.size === 1) return `via ${fileSources[0]?.source ?? ''}`;
  return `via ${[...counts].map(([source, n]) => `${source} (${n} file${n === 1 ? '' : 's'})`).join(', ')}`;
}
